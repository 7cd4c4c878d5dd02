import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Rendezvous
import Signalling
import STUN
import Testing
import UDP

@Suite struct LiveViewTests {
    @Test func disabledWithoutAnOperatorToken() async throws {
        let server = try await TestServer(operatorToken: nil)
        for path in ["/live", "/api/sessions", "/api/events", "/live?token=", "/api/sessions?token="] {
            #expect(try await server.get(path).status == 404, "\(path)")
            #expect(try await server.get(path, headers: ["Authorization": "Bearer "]).status == 404, "\(path)")
        }
        await server.close()
    }

    @Test func refusesRequestsWithoutTheOperatorToken() async throws {
        let server = try await TestServer()
        let sharer = try await server.peer()
        try await sharer.send(.createSession(CreateSession(displayName: "Ana", device: testDevice)))
        let created = try #require(try await sharer.next().sessionCreated)
        for path in ["/live", "/api/sessions", "/api/events"] {
            #expect(try await server.get(path).status == 401, "\(path) with no token")
            #expect(try await server.get(path, headers: ["Authorization": "Bearer wrong"]).status == 401, "\(path) with a wrong token")
            #expect(try await server.get(path + "?token=wrong").status == 401)
            #expect(try await server.get(path, headers: ["Cookie": "glimpse_operator=wrong"]).status == 401)
            // A join link's secrets never open Live View.
            #expect(try await server.get(path, headers: ["Authorization": "Bearer \(created.joinToken)"]).status == 401)
            #expect(try await server.get(path + "?token=\(created.sharerToken)").status == 401)
            let unauthorized = try await server.get(path)
            #expect(unauthorized.response.value(forHTTPHeaderField: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
        }
        #expect(try await server.get("/api/sessions", headers: ["Authorization": "Bearer \(TestServer.operatorToken)"]).status == 200)
        #expect(try await server.get("/api/sessions", headers: ["Cookie": "glimpse_operator=\(TestServer.operatorToken)"]).status == 200)
        let page = try await server.get("/live?token=\(TestServer.operatorToken)")
        #expect(page.status == 200)
        #expect(String(decoding: page.body, as: UTF8.self).contains("EventSource(\"/api/events\" + location.search)"))
        #expect(page.response.value(forHTTPHeaderField: "Set-Cookie")?.contains("glimpse_operator=\(TestServer.operatorToken)") == true)
        await server.close()
    }

    /// Rows follow the sharer: blue on arrival, green while it reports activity, blue when idle,
    /// grey when it disconnects, gone when the grace period ends.
    @Test func rowsFollowTheSharersReports() async throws {
        let server = try await TestServer { $0.limits.resumeGrace = .seconds(2) }
        let (sharer, viewer, created, viewerID) = try await sessionWithViewer(server)

        var row = try #require(try await server.rows().first)
        #expect(row.sessionID == created.sessionID)
        #expect(row.status == .blue)
        #expect(row.name == "Ana")
        #expect(row.device == testDevice)
        #expect(row.location.label == "local network" && row.location.address == "127.0.0.1")
        #expect(row.viewers.map(\.viewerID) == [viewerID] && row.viewers.first?.state == "joining")
        #expect(row.joinURL == created.joinURL)

        try await sharer.send(.status(StatusReport(source: "Terminal", width: 1280, height: 720, framesPerSecond: 24, bitsPerSecond: 900_000,
                                                   active: true, viewers: [ViewerStatus(viewerID: viewerID, state: "connected",
                                                                                        rttMilliseconds: 8, lossFraction: 0.02)])))
        row = try #require(try await server.rows { $0.first?.status == .green }.first)
        #expect(row.name == "Terminal — Ana")
        #expect(row.width == 1280 && row.height == 720 && row.framesPerSecond == 24 && row.bitsPerSecond == 900_000)
        #expect(row.viewers.first?.state == "connected" && row.viewers.first?.rttMilliseconds == 8 && row.viewers.first?.lossFraction == 0.02)

        try await viewer.send(.viewerReport(ViewerReport(viewerID: "", state: "connected", framesDecoded: 17, width: 1280, height: 720,
                                                         framesPerSecond: 24, sampledColour: "#00ff00")))
        #expect(try await sharer.next(where: { if case .viewerReport = $0 { true } else { false } })
                == .viewerReport(ViewerReport(viewerID: viewerID, state: "connected", framesDecoded: 17, width: 1280, height: 720,
                                              framesPerSecond: 24, sampledColour: "#00ff00")))
        row = try #require(try await server.rows { $0.first?.viewers.first?.framesDecoded == 17 }.first)
        #expect(row.viewers.first?.sampledColour == "#00ff00")

        try await sharer.send(.status(StatusReport(source: "Terminal", width: 1280, height: 720, framesPerSecond: 0, bitsPerSecond: 0,
                                                   active: false, viewers: [])))
        _ = try await server.rows { $0.first?.status == .blue }
        await sharer.close()
        _ = try await server.rows { $0.first?.status == .grey }
        _ = try await server.rows { $0.isEmpty }
        await server.close()
    }

    /// The event stream pushes a change without being asked, and sends something every second.
    @Test func eventStreamPushesChanges() async throws {
        let server = try await TestServer()
        var request = URLRequest(url: URL(string: server.base + "/api/events")!)
        request.setValue("Bearer \(TestServer.operatorToken)", forHTTPHeaderField: "Authorization")
        let events = EventLines()
        let delegate = StreamDelegate(events)
        let session = URLSession(configuration: .default, delegate: delegate, delegateQueue: nil)
        let task = session.dataTask(with: request)
        task.resume()
        defer { task.cancel() }
        let first = try await events.next()
        #expect(first == "data: []")

        let sharer = try await server.peer()
        try await sharer.send(.createSession(CreateSession(displayName: "Streamed", device: testDevice)))
        let sent = ContinuousClock.now
        let created = try #require(try await sharer.next().sessionCreated)
        let line = try await events.next { $0.contains(created.sessionID) }
        #expect(ContinuousClock.now - sent < .seconds(1))
        #expect(line.contains("\"name\":\"Streamed\""))
        // Idle, it still sends at least once a second.
        let count = events.count
        try await Task.sleep(for: .milliseconds(2200))
        #expect(events.count >= count + 2)
        await server.close()
    }

    @Test func stunServiceAnswersBindingRequests() async throws {
        let server = try await TestServer()
        let port = try #require(server.server.stunPort)
        let mapped = try await BindingClient.mappedAddress(from: TransportAddress("127.0.0.1", port: 0),
                                                           server: #require(TransportAddress("127.0.0.1", port: port)))
        #expect(mapped.ip == TransportAddress("127.0.0.1", port: 0)?.ip)
        await server.close()
    }

    @Test func viewerPageIsServedAtBothLinkForms() async throws {
        let server = try await TestServer()
        for path in ["/s/abcdefghjk", "/join/abcdefghjk?t=token"] {
            let page = try await server.get(path)
            #expect(page.status == 200)
            let html = String(decoding: page.body, as: UTF8.self)
            #expect(html.contains("RTCPeerConnection"))
            #expect(html.contains("\"stunPort\":\(server.server.stunPort ?? 0)"))
            #expect(!html.contains("<script src"), "no external JavaScript")
        }
        await server.close()
    }
}

/// Lines of a streaming HTTP body, collected as they arrive.
final class EventLines: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()
    private var lines: [String] = []
    private var cursor = 0

    func append(_ data: Data) {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(data)
        while let newline = buffer.firstIndex(of: 0x0A) {
            let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
            buffer = Data(buffer[(newline + 1)...])
            if !line.isEmpty { lines.append(line) }
        }
    }

    var count: Int { lock.withLock { lines.count } }

    func next(timeout: Duration = .seconds(5), where predicate: @escaping (String) -> Bool = { _ in true }) async throws -> String {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            let found: String? = lock.withLock {
                while cursor < lines.count {
                    let line = lines[cursor]
                    cursor += 1
                    if predicate(line) { return line }
                }
                return nil
            }
            if let found { return found }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw PeerFailure.timedOut
    }
}

final class StreamDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let lines: EventLines
    init(_ lines: EventLines) { self.lines = lines }
    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) { lines.append(data) }
}
