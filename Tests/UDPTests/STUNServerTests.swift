import Foundation
import TestSupport
import STUN
import Testing
import UDP

@Suite struct STUNServerTests {
    @Test(arguments: ["127.0.0.1", "::1"])
    func clientLearnsItsAddressFromOurServer(host: String) async throws {
        let server = try await STUNServer.start(on: [#require(TransportAddress(host, port: 0))])
        let client = try #require(TransportAddress(host, port: 0))
        let mapped = try await BindingClient.mappedAddress(from: client, server: #require(server.localAddresses.first))
        #expect(mapped.ip == client.ip)
        #expect(mapped.port != 0)
        #expect(server.counters.answered >= 1)  // a slow answer may meet a retransmission
        await server.close()
    }

    /// The request is retransmitted per RFC 8489 and the transaction gives up after Rc sends.
    @Test func silentServerTimesOutAfterRetransmissions() async throws {
        let silentInbox = LockedCounter()
        let silent = try await UDPEndpoint.bind(to: #require(TransportAddress("127.0.0.1", port: 0))) { _, _ in silentInbox.increment() }
        await #expect(throws: BindingClientError.timedOut) {
            _ = try await BindingClient.mappedAddress(server: silent.localAddress, rto: .milliseconds(20), maxTransmissions: 3)
        }
        #expect(silentInbox.value == 3)
        await silent.close()
    }

    /// A third-party STUN server: Debian's coturn, started on loopback.
    @Test(.enabled(if: Coturn.isInstalled, "coturn (turnserver) is not installed: run Tools/setup"))
    func clientLearnsItsAddressFromCoturn() async throws {
        let coturn = try Coturn()
        defer { coturn.stop() }
        let client = try #require(TransportAddress("127.0.0.1", port: 0))
        let mapped = try await BindingClient.mappedAddress(from: client, server: coturn.address, rto: .milliseconds(200))
        #expect(mapped.ip == client.ip)
        #expect(mapped.port != 0)
    }

    @Test func glimpseStunServerCommandAnswers() async throws {
        let port = UInt16.random(in: 40000...60000)
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("glimpse")
        process.arguments = ["stun-server", "--host", "127.0.0.1", "--port", "\(port)"]
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        let mapped = try await BindingClient.mappedAddress(server: #require(TransportAddress("127.0.0.1", port: port)),
                                                           rto: .milliseconds(100))
        #expect(mapped.ip == IPAddress("127.0.0.1"))
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
