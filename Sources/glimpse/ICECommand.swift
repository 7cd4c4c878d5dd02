import ArgumentParser
import Foundation
import ICE
import SDP
import STUN
import UDP

/// `glimpse ice`: runs one ICE agent and speaks a line protocol on stdin/stdout, so two peers
/// (or a peer and another implementation) can be connected by anything that relays lines.
struct ICECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ice",
        abstract: "Diagnose connectivity: run an ICE agent, exchange candidates as text lines.",
        discussion: """
        Prints `credentials UFRAG PWD`, `candidate candidate:…`, `end-of-candidates`, `state S`,
        `selected LOCAL REMOTE` and `data TEXT` lines; reads `credentials …`, `candidate …`,
        `end-of-candidates`, `send TEXT` and `restart` lines. Paste one side's output into the other's input.
        Example: glimpse ice --role controlling --stun 192.0.2.1:3478
        """
    )

    @Option(help: "controlling (the offerer) or controlled.")
    var role: String = "controlling"

    @Option(help: "Local address to gather on (repeatable); default: every usable interface.")
    var address: [String] = []

    @Option(help: "STUN server HOST:PORT for a server-reflexive candidate (repeatable; IPv6 as [::1]:3478).")
    var stun: [String] = []

    @Option(help: "Seconds without consent responses before the pair fails (RFC 7675 says 30).")
    var consentTimeout: Double = 30

    func run() async throws {
        guard let role = ICERole(rawValue: role) else { throw ValidationError("--role must be controlling or controlled") }
        let addresses = try address.map { text in
            guard let ip = IPAddress(text) else { throw ValidationError("'\(text)' is not an IP address") }
            return ip
        }
        let servers = try stun.map { text in
            guard let server = TransportAddress(hostPort: text) else { throw ValidationError("'\(text)' is not HOST:PORT") }
            return server
        }
        let consent = Duration.milliseconds(Int(consentTimeout * 1000))
        let configuration = ICEConfiguration(stunServers: servers, consentInterval: min(.seconds(5), consent / 4),
                                             disconnectedTimeout: min(.seconds(10), consent / 2), consentTimeout: consent)
        let out = LineWriter()
        let transport = try await ICETransport.start(
            role: role, configuration: configuration, addresses: addresses.isEmpty ? nil : addresses,
            onEvent: { event in
                switch event {
                case .localCandidate(let candidate): out.write("candidate \(candidate.sdp)")
                case .gatheringComplete: out.write("end-of-candidates")
                case .stateChanged(let state): out.write("state \(state.rawValue)")
                case .selectedPairChanged(let pair): out.write("selected \(pair.id.local) \(pair.id.remote)")
                case .roleChanged(let role): out.write("role \(role.rawValue)")
                }
            },
            onData: { bytes, _ in out.write("data " + String(decoding: bytes, as: UTF8.self)) })
        let credentials = transport.localCredentials
        out.write("credentials \(credentials.ufrag) \(credentials.pwd)")

        for await line in StandardInputLines() {
            let (verb, rest) = line.splitOnce()
            switch verb {
            case "credentials":
                let (ufrag, pwd) = rest.splitOnce()
                transport.setRemoteCredentials(ICECredentials(ufrag: ufrag, pwd: pwd))
            case "candidate":
                if let candidate = try? SDP.Candidate(parsing: rest), let ice = ICECandidate(sdp: candidate) {
                    transport.addRemoteCandidate(ice)
                } else {
                    out.write("error unusable candidate: \(rest)")
                }
            case "end-of-candidates": transport.addRemoteEndOfCandidates()
            case "send": if !transport.send(Array(rest.utf8)) { out.write("error no selected pair") }
            case "restart":
                transport.restart()
                out.write("credentials \(transport.localCredentials.ufrag) \(transport.localCredentials.pwd)")
            default: out.write("error unknown command: \(verb)")
            }
        }
        await transport.close()
    }
}

extension TransportAddress {
    /// `192.0.2.1:3478` or `[2001:db8::1]:3478`.
    init?(hostPort text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        var host = text[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        self.init(String(host), port: port)
    }
}

extension String {
    /// The first space-separated word and the rest.
    func splitOnce() -> (String, String) {
        guard let space = firstIndex(of: " ") else { return (self, "") }
        return (String(self[..<space]), String(self[index(after: space)...]))
    }
}

/// Whole lines to stdout (or stderr), flushed at once so a peer process or a test sees them immediately.
final class LineWriter: Sendable {
    static let standardError = LineWriter(.standardError)

    private let lock = NSLock()
    private let handle: FileHandle

    init(_ handle: FileHandle = .standardOutput) {
        self.handle = handle
    }

    func write(_ line: String) {
        let bytes = Data((line + "\n").utf8)
        lock.withLock { handle.write(bytes) }
    }
}

/// Lines of standard input, read on a thread of their own (reading blocks).
struct StandardInputLines: AsyncSequence {
    func makeAsyncIterator() -> AsyncStream<String>.Iterator {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        Thread.detachNewThread {
            while let line = readLine() { continuation.yield(line) }
            continuation.finish()
        }
        return stream.makeAsyncIterator()
    }
}
