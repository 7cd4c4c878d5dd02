import Foundation
import NIOConcurrencyHelpers

/// Network namespaces joined by veth links, created for one test and removed after it: hosts on
/// separate network stacks of this machine, so no traffic ever leaves it.
public final class Namespaces: Sendable {
    /// The namespaces' names, in the order the topology lists them.
    public let names: [String]

    private static let counter = NIOLockedValueBox(0)
    private let id: Int
    /// How many links each namespace has, which numbers its interfaces eth0, eth1, … in link order.
    private let links = NIOLockedValueBox([Int: Int]())

    /// Whether this process may create namespaces (root, or CAP_SYS_ADMIN); tests skip loudly otherwise.
    public static let permitted: Bool = {
        let probe = "glimpse-probe-\(getpid())"
        guard (try? runBlocking(["ip", "netns", "add", probe])) != nil else { return false }
        try? runBlocking(["ip", "netns", "del", probe])
        return true
    }()

    /// Whether nftables is installed, for the NAT topology.
    public static var hasNFTables: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/nft") }

    private init(prefix: String, count: Int) async throws {
        let id = Self.counter.withLockedValue { $0 += 1; return $0 }
        self.id = id
        names = (0..<count).map { "glimpse-\(getpid())-\(id)-\(prefix)\($0)" }
        for name in names {
            try await Self.ip("netns", "add", name)
            try await exec(name, "ip", "link", "set", "lo", "up")
        }
    }

    /// Two hosts on one link: `names[0]` is 10.0.0.1, `names[1]` is 10.0.0.2.
    public static func twoHosts() async throws -> Namespaces {
        let spaces = try await Namespaces(prefix: "h", count: 2)
        try await spaces.link(0, "10.0.0.1/24", 1, "10.0.0.2/24")
        return spaces
    }

    /// A host behind a NAT: `names[0]` (10.0.1.2, private side) routes through `names[1]`, a router that
    /// masquerades it behind 10.0.2.1 towards `names[2]` (10.0.2.2, the public side, with no route back
    /// to the private network).
    public static func natted() async throws -> Namespaces {
        let spaces = try await Namespaces(prefix: "n", count: 3)
        try await spaces.link(0, "10.0.1.2/24", 1, "10.0.1.1/24")
        try await spaces.link(1, "10.0.2.1/24", 2, "10.0.2.2/24")
        try await spaces.exec(spaces.names[0], "ip", "route", "add", "default", "via", "10.0.1.1")
        try await spaces.exec(spaces.names[1], "sysctl", "-qw", "net.ipv4.ip_forward=1")
        try await spaces.exec(spaces.names[1], "nft", "add table ip nat; add chain ip nat post { type nat hook postrouting priority 100; }; add rule ip nat post oifname \"eth1\" masquerade")
        return spaces
    }

    /// A veth pair between namespaces `a` and `b`.
    private func link(_ a: Int, _ addressA: String, _ b: Int, _ addressB: String) async throws {
        let (ifA, ifB) = links.withLockedValue { counts -> (String, String) in
            defer { counts[a, default: 0] += 1; counts[b, default: 0] += 1 }
            return ("eth\(counts[a, default: 0])", "eth\(counts[b, default: 0])")
        }
        let tmpA = "gv\(id)a\(a)\(b)", tmpB = "gv\(id)b\(a)\(b)"
        try await Self.ip("link", "add", tmpA, "type", "veth", "peer", "name", tmpB)
        try await Self.ip("link", "set", tmpA, "netns", names[a])
        try await Self.ip("link", "set", tmpB, "netns", names[b])
        for (space, tmp, name, address) in [(names[a], tmpA, ifA, addressA), (names[b], tmpB, ifB, addressB)] {
            try await exec(space, "ip", "link", "set", tmp, "name", name)
            try await exec(space, "ip", "addr", "add", address, "dev", name)
            try await exec(space, "ip", "link", "set", name, "up")
        }
    }

    /// Starts a line-speaking process inside namespace `index`.
    public func spawn(in index: Int, _ arguments: [String]) throws -> LineProcess {
        try LineProcess(["ip", "netns", "exec", names[index]] + arguments)
    }

    /// Runs a command inside a namespace and waits for it.
    public func exec(_ space: String, _ arguments: String...) async throws {
        try await Self.run(["ip", "netns", "exec", space] + arguments)
    }

    /// Deletes the namespaces (their veth ends and processes' sockets go with them). Synchronous, so it is
    /// done before the test process exits.
    public func remove() {
        for name in names { try? Self.runBlocking(["ip", "netns", "del", name]) }
    }

    private static func ip(_ arguments: String...) async throws {
        try await run(["ip"] + arguments)
    }

    /// Runs a command to completion without holding a thread of the concurrency pool.
    private static func run(_ arguments: [String]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(arguments) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw NamespaceError(command: arguments.joined(separator: " "), message: text)
        }
    }
}

public struct NamespaceError: Error, CustomStringConvertible {
    public var command: String
    public var message: String
    public var description: String { "\(command): \(message)" }
}

/// The directory holding the built products (the `glimpse` executable sits beside the test bundle).
public let productsDirectory: URL = {
    var url = Bundle.main.bundleURL
    while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("glimpse").path) {
        url.deleteLastPathComponent()
    }
    return url
}()

/// The built `glimpse` executable.
public var glimpseExecutable: String { productsDirectory.appendingPathComponent("glimpse").path }
