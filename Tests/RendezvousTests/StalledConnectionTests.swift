import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Rendezvous
import Signalling
import Testing

/// Thousands of raw TCP connections that stall — half a request, or a WebSocket upgrade and then
/// silence — must neither slow other users down nor stay open past the configured timeouts.
@Suite(.serialized) struct StalledConnectionTests {
    static let partialRequest = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websock"
    static let upgradeRequest = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"

    @Test func twoThousandStalledConnectionsDoNotStarveASessionAndAreClosed() async throws {
        // Both ends of every socket live in this process: 2 × 2,000 descriptors and some room.
        guard raiseOpenFileLimit(to: 8192) else {
            print("SKIPPED twoThousandStalledConnections: RLIMIT_NOFILE cannot be raised to 8192")
            return
        }
        let server = try await TestServer {
            $0.requestTimeout = .seconds(3)
            $0.webSocketPingInterval = .seconds(1)
        }
        let port = UInt16(server.server.httpPort)
        var stalled: [Int32] = []
        defer { stalled.forEach { _ = close($0) } }
        for index in 0..<2000 {
            let socket = try connectToLoopback(port: port)
            stalled.append(socket)
            try send(index.isMultiple(of: 2) ? Self.partialRequest : Self.upgradeRequest, on: socket)
        }
        let opened = ContinuousClock.now

        // Meanwhile a sharer and a viewer get through as usual, and Live View's API answers.
        let (sharer, viewer, created, viewerID) = try await sessionWithViewer(server)
        try await sharer.send(.offer(SessionDescriptionMessage(viewerID: viewerID, sdp: "v=0 offer")))
        #expect(try await viewer.next(timeout: .seconds(2)) == .offer(SessionDescriptionMessage(viewerID: viewerID, sdp: "v=0 offer")))
        let rows = try await server.rows()
        #expect(rows.map(\.sessionID) == [created.sessionID])
        let served = ContinuousClock.now - opened
        #expect(served < .seconds(2), "create, join, relay and /api/sessions took \(served) beside 2,000 stalled connections")

        // Half requests go at the request timeout (3 s); silent WebSockets miss a ping and go after ~2 s.
        let closed = awaitClose(of: stalled, within: .seconds(8))
        #expect(closed == stalled.count, "\(stalled.count - closed) stalled connections were still open 8 s later")
        #expect(ContinuousClock.now - opened >= .seconds(2), "closed too early to be the timeouts at work")

        // The live peers answer pings and stay.
        try await viewer.send(.answer(SessionDescriptionMessage(viewerID: viewerID, sdp: "v=0 answer")))
        #expect(try await sharer.next() == .answer(SessionDescriptionMessage(viewerID: viewerID, sdp: "v=0 answer")))
        await server.close()
    }

    @Test func connectionsBeyondTheCapWaitForASlot() async throws {
        let server = try await TestServer {
            $0.maxConnections = 20
            $0.requestTimeout = .seconds(2)
        }
        var stalled: [Int32] = []
        defer { stalled.forEach { _ = close($0) } }
        for _ in 0..<20 {
            let socket = try connectToLoopback(port: UInt16(server.server.httpPort))
            stalled.append(socket)
            try send(Self.partialRequest, on: socket)
        }
        let started = ContinuousClock.now
        // The 21st waits in the backlog until the stalled ones time out, then is served.
        let (status, _, _) = try await server.get("/api/sessions", headers: ["Authorization": "Bearer \(TestServer.operatorToken)"])
        let waited = ContinuousClock.now - started
        #expect(status == 200)
        #expect(waited >= .seconds(1) && waited < .seconds(6), "served after \(waited)")
        await server.close()
    }
}

private enum SocketFailure: Error { case socket(Int32), connect(Int32), send(Int32) }

private func raiseOpenFileLimit(to wanted: rlim_t) -> Bool {
    var limit = rlimit()
    let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    guard getrlimit(resource, &limit) == 0 else { return false }
    if limit.rlim_cur >= wanted { return true }
    limit.rlim_cur = min(wanted, limit.rlim_max)
    return setrlimit(resource, &limit) == 0 && limit.rlim_cur >= wanted
}

private func connectToLoopback(port: UInt16) throws -> Int32 {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw SocketFailure.socket(errno) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard result == 0 else {
        let error = errno
        _ = close(socket)
        throw SocketFailure.connect(error)
    }
    return socket
}

private func send(_ text: String, on socket: Int32) throws {
    let bytes = Array(text.utf8)
    guard Glibc.send(socket, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw SocketFailure.send(errno) }
}

/// Reads (and discards) whatever the server sends until each socket reports end of stream or a
/// reset; how many did so within `timeout`.
private func awaitClose(of sockets: [Int32], within timeout: Duration) -> Int {
    var open = sockets.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let end = ContinuousClock.now + timeout
    while !open.isEmpty && ContinuousClock.now < end {
        guard poll(&open, nfds_t(open.count), 100) > 0 else { continue }
        open.removeAll { entry in
            guard entry.revents != 0 else { return false }
            let read = recv(entry.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            return read == 0 || (read < 0 && errno != EAGAIN)
        }
    }
    return sockets.count - open.count
}
