import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import NIOConcurrencyHelpers
import Rendezvous
import Signalling
import SignallingClient
import TestSupport
import Testing

/// A rendezvous server on loopback that tests talk to over HTTP and WebSocket.
protocol LoopbackServer: Sendable {
    var httpPort: Int { get }
}

extension LoopbackServer {
    var base: String { "http://127.0.0.1:\(httpPort)" }
    var webSocketURL: String { "ws://127.0.0.1:\(httpPort)/ws" }

    func peer() async throws -> Peer {
        Peer(try await SignallingClient.connect(to: webSocketURL))
    }

    /// GET `path` with optional headers; the status and body.
    func get(_ path: String, headers: [String: String] = [:]) async throws -> (status: Int, body: Data, response: HTTPURLResponse) {
        var request = URLRequest(url: URL(string: base + path)!)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (body, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, body, http)
    }

    /// Live View's rows through the API, as an operator.
    func rows() async throws -> [LiveViewRow] {
        let (status, body, _) = try await get("/api/sessions", headers: ["Authorization": "Bearer \(TestServer.operatorToken)"])
        #expect(status == 200)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode([LiveViewRow].self, from: body)
    }

    /// Polls the API until `predicate` holds for the rows (at most `timeout`).
    func rows(within timeout: Duration = .seconds(10), where predicate: ([LiveViewRow]) -> Bool) async throws -> [LiveViewRow] {
        let end = ContinuousClock.now + timeout
        var rows = try await rows()
        while !predicate(rows) {
            guard ContinuousClock.now < end else {
                Issue.record("rows never matched; last: \(rows)")
                return rows
            }
            try await Task.sleep(for: .milliseconds(50))
            rows = try await self.rows()
        }
        return rows
    }
}

/// A rendezvous server in this process with a free port, for one test.
struct TestServer: LoopbackServer {
    static let operatorToken = "operator-secret-1234"

    let server: RendezvousServer

    init(operatorToken: String? = Self.operatorToken, configure: (inout RendezvousConfiguration) -> Void = { _ in }) async throws {
        var configuration = RendezvousConfiguration()
        configuration.host = "127.0.0.1"
        configuration.httpPort = 0
        configuration.stunPort = 0
        configuration.operatorToken = operatorToken
        configuration.liveViewInterval = .milliseconds(50)
        configure(&configuration)
        // Quiet: cancelling the server at the end of a test makes Hummingbird log an error per connection.
        var logger = Logger(label: "test.rendezvous")
        logger.logLevel = .critical
        server = try await RendezvousServer.start(configuration, logger: logger)
    }

    var httpPort: Int { server.httpPort }

    func close() async { await server.close() }
}

/// `glimpse serve` in a child process on a free loopback port, for tests whose thousands of
/// sockets must not live in the test process (Foundation's `Process` breaks once descriptor
/// numbers pass 1024, and other suites start processes concurrently).
struct ChildServer: LoopbackServer {
    let process: LineProcess
    let httpPort: Int

    init(_ options: [String]) async throws {
        process = try LineProcess([glimpseExecutable, "serve", "--host", "127.0.0.1", "--http-port", "0", "--stun-port", "0",
                                   "--operator-token", TestServer.operatorToken] + options)
        let line = try await process.next("listening", timeout: .seconds(20))
        httpPort = try #require(line.split(separator: " ").first { $0.hasPrefix("http=") }.flatMap { Int($0.dropFirst(5)) })
    }

    func close() { process.kill() }
}

/// A signalling client whose incoming messages are collected, so tests can wait for one with a timeout.
final class Peer: Sendable {
    let client: SignallingClient
    private let received = NIOLockedValueBox<(messages: [Message], closed: Bool)>(([], false))
    private let cursor = NIOLockedValueBox(0)

    init(_ client: SignallingClient) {
        self.client = client
        Task { [received] in
            for await message in client.messages { received.withLockedValue { $0.messages.append(message) } }
            received.withLockedValue { $0.closed = true }
        }
    }

    func send(_ message: Message) async throws { try await client.send(message) }

    /// The next unread message (earlier ones are consumed with it).
    func next(timeout: Duration = .seconds(5), where predicate: (Message) -> Bool = { _ in true }) async throws -> Message {
        let end = ContinuousClock.now + timeout
        while true {
            let (messages, closed) = received.withLockedValue { ($0.messages, $0.closed) }
            var index = cursor.withLockedValue { $0 }
            while index < messages.count {
                let message = messages[index]
                index += 1
                if predicate(message) {
                    cursor.withLockedValue { $0 = index }
                    return message
                }
            }
            cursor.withLockedValue { $0 = index }
            guard !closed else { throw PeerFailure.closed }
            guard ContinuousClock.now < end else { throw PeerFailure.timedOut }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Every message received so far, read or not.
    var all: [Message] { received.withLockedValue { $0.messages } }
    var isClosed: Bool { received.withLockedValue { $0.closed } }

    /// The next error's code.
    func nextError(timeout: Duration = .seconds(5)) async throws -> ErrorMessage.Code {
        guard case .error(let error) = try await next(timeout: timeout, where: { if case .error = $0 { true } else { false } }) else {
            throw PeerFailure.timedOut
        }
        return error.code
    }

    func close() async { await client.close() }
}

enum PeerFailure: Error { case timedOut, closed }

extension Message {
    var sessionCreated: SessionCreated? { if case .sessionCreated(let value) = self { value } else { nil } }
    var joined: Joined? { if case .joined(let value) = self { value } else { nil } }
    var peerJoined: PeerJoined? { if case .peerJoined(let value) = self { value } else { nil } }
}

let testDevice = DeviceInfo(os: "Linux", hostName: "desk-7", screenResolution: "1920x1080", clientKind: "test")

/// A sharer with a session and a viewer joined to it.
func sessionWithViewer(_ server: some LoopbackServer) async throws -> (sharer: Peer, viewer: Peer, created: SessionCreated, viewerID: String) {
    let sharer = try await server.peer()
    try await sharer.send(.createSession(CreateSession(displayName: "Ana", device: testDevice)))
    let created = try #require(try await sharer.next().sessionCreated)
    let viewer = try await server.peer()
    try await viewer.send(.join(Join(sessionID: created.sessionID, joinToken: created.joinToken, viewerName: "Bo")))
    let joined = try #require(try await viewer.next().joined)
    let announced = try #require(try await sharer.next().peerJoined)
    #expect(announced.viewerID == joined.viewerID)
    return (sharer, viewer, created, joined.viewerID)
}
