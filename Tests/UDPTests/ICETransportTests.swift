import ICE
import NIOConcurrencyHelpers
import STUN
import Testing
import TestSupport
import UDP

/// Events and data one transport reported, for tests to wait on.
final class TransportLog: Sendable {
    private let box = NIOLockedValueBox<(events: [ICEEvent], data: [String])>(([], []))

    var events: [ICEEvent] { box.withLockedValue { $0.events } }
    var data: [String] { box.withLockedValue { $0.data } }

    func record(_ event: ICEEvent) { box.withLockedValue { $0.events.append(event) } }
    func record(_ bytes: [UInt8]) { box.withLockedValue { $0.data.append(String(decoding: bytes, as: UTF8.self)) } }

    var candidates: [ICECandidate] {
        events.compactMap { if case .localCandidate(let c) = $0 { c } else { nil } }
    }
}

@Suite struct ICETransportTests {
    static func start(_ role: ICERole, _ ip: String, configuration: ICEConfiguration = .init()) async throws -> (ICETransport, TransportLog) {
        let log = TransportLog()
        let transport = try await ICETransport.start(role: role, configuration: configuration, addresses: [#require(IPAddress(ip))],
                                                     onEvent: { log.record($0) }, onData: { bytes, _ in log.record(bytes) })
        return (transport, log)
    }

    /// Trickles each side's candidates to the other as they appear, like the signalling would.
    static func signal(_ a: (ICETransport, TransportLog), _ b: (ICETransport, TransportLog)) async throws {
        a.0.setRemoteCredentials(b.0.localCredentials)
        b.0.setRemoteCredentials(a.0.localCredentials)
        #expect(try await eventually { a.1.events.contains(.gatheringComplete) && b.1.events.contains(.gatheringComplete) })
        for candidate in a.1.candidates { b.0.addRemoteCandidate(candidate) }
        for candidate in b.1.candidates { a.0.addRemoteCandidate(candidate) }
        a.0.addRemoteEndOfCandidates()
        b.0.addRemoteEndOfCandidates()
    }

    @Test(arguments: ["127.0.0.1", "::1"])
    func twoAgentsConnectOverLoopbackAndCarryData(ip: String) async throws {
        let a = try await Self.start(.controlling, ip), b = try await Self.start(.controlled, ip)
        try await Self.signal(a, b)
        #expect(try await eventually { a.0.state == .connected && b.0.state == .connected })
        #expect(a.0.selectedPair?.id == CandidatePair.ID(local: a.0.bases[0], remote: b.0.bases[0]))
        #expect(a.0.send(Array("hello from a".utf8)) && b.0.send(Array("hello from b".utf8)))
        #expect(try await eventually { a.1.data == ["hello from b"] && b.1.data == ["hello from a"] })
        await a.0.close()
        await b.0.close()
    }

    @Test func consentExpiresWhenThePeerCloses() async throws {
        let fast = ICEConfiguration(consentInterval: .milliseconds(300), disconnectedTimeout: .seconds(1), consentTimeout: .seconds(2))
        let a = try await Self.start(.controlling, "127.0.0.1", configuration: fast)
        let b = try await Self.start(.controlled, "127.0.0.1", configuration: fast)
        try await Self.signal(a, b)
        #expect(try await eventually { a.0.state == .connected })
        await b.0.close()
        let closed = ContinuousClock.now
        #expect(try await eventually { a.0.state == .failed })
        #expect(ContinuousClock.now - closed < .seconds(4))
        #expect(a.1.events.contains(.stateChanged(.disconnected)))
        #expect(!a.0.send([0x80]))
        await a.0.close()
    }

    @Test func serverReflexiveGatheringAgainstOurServer() async throws {
        let server = try await STUNServer.start(on: [#require(TransportAddress("127.0.0.1", port: 0))])
        let a = try await Self.start(.controlling, "127.0.0.1", configuration: ICEConfiguration(stunServers: server.localAddresses))
        #expect(try await eventually { a.1.events.contains(.gatheringComplete) })
        // Without a NAT the reflexive address equals the host one and is left out as redundant
        // (RFC 8445 §5.1.3); the NAT case runs in InteropTests with network namespaces.
        #expect(server.counters.answered == 1)
        #expect(a.1.candidates.map(\.type) == [.host])
        await a.0.close()
        await server.close()
    }

    @Test func usableAddressesLeaveOutLinkLocalAndLoopback() throws {
        let addresses = try ICETransport.usableAddresses()
        #expect(!addresses.contains { $0.isLoopback || $0.isLinkLocal })
        #expect(try ICETransport.usableAddresses(includeLoopback: true).contains(IPAddress("127.0.0.1")!))
    }
}
