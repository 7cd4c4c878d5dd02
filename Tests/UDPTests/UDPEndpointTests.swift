import NIOConcurrencyHelpers
import STUN
import Testing
import UDP

@Suite struct UDPEndpointTests {
    /// Collects datagrams delivered by an endpoint so a test can wait for them.
    final class Inbox: Sendable {
        private let items = NIOLockedValueBox<[([UInt8], TransportAddress)]>([])
        func add(_ bytes: [UInt8], _ from: TransportAddress) { items.withLockedValue { $0.append((bytes, from)) } }
        var all: [([UInt8], TransportAddress)] { items.withLockedValue { $0 } }

        func wait(for count: Int) async throws -> [([UInt8], TransportAddress)] {
            for _ in 0..<200 where all.count < count { try await Task.sleep(for: .milliseconds(10)) }
            return all
        }
    }

    @Test(arguments: ["127.0.0.1", "::1"])
    func datagramsArriveWithTheirSource(host: String) async throws {
        let inboxA = Inbox(), inboxB = Inbox()
        let a = try await UDPEndpoint.bind(to: #require(TransportAddress(host, port: 0)), onDatagram: inboxA.add)
        let b = try await UDPEndpoint.bind(to: #require(TransportAddress(host, port: 0)), onDatagram: inboxB.add)
        #expect(a.localAddress.port != 0)
        a.send([1, 2, 3], to: b.localAddress)
        b.send([4, 5], to: a.localAddress)
        let atB = try await inboxB.wait(for: 1)
        let atA = try await inboxA.wait(for: 1)
        #expect(atB.first?.0 == [1, 2, 3])
        #expect(atB.first?.1 == a.localAddress)
        #expect(atA.first?.0 == [4, 5])
        await a.close()
        await b.close()
    }

    @Test func scheduledWorkRunsOnTheEndpointsLoop() async throws {
        let endpoint = try await UDPEndpoint.bind(to: #require(TransportAddress("127.0.0.1", port: 0))) { _, _ in }
        let start = ContinuousClock.now
        let ranOnLoop: Bool = try await withCheckedThrowingContinuation { continuation in
            endpoint.schedule(at: start + .milliseconds(30)) {
                continuation.resume(returning: endpoint.eventLoop.inEventLoop)
            }
        }
        #expect(ranOnLoop)
        #expect(ContinuousClock.now - start >= .milliseconds(30))
        await endpoint.close()
    }
}
