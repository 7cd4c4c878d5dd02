import Foundation
import STUN

/// coturn's `turnserver` in STUN-only mode: a third-party STUN server for tests.
public final class Coturn {
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/turnserver") }

    /// The command line that serves STUN (nothing else) on `ip`:`port`.
    public static func command(ip: String, port: UInt16) -> [String] {
        ["/usr/bin/turnserver", "-n", "--listening-ip=\(ip)", "--listening-port=\(port)", "--stun-only", "--no-tls", "--no-dtls",
         "--no-cli", "--log-file=stdout", "--simple-log"]
    }

    public let address: TransportAddress
    private let process = Process()

    /// Starts one on a free-looking loopback port, for as long as the test runs.
    public init() throws {
        let port = UInt16.random(in: 20000...39999)
        address = TransportAddress(ip: IPAddress("127.0.0.1")!, port: port)
        let command = Self.command(ip: "127.0.0.1", port: port)
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// SIGKILL: turnserver takes its time over SIGTERM.
    public func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
