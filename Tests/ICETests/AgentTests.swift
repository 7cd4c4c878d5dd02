import SDP
import STUN
import Testing
@testable import ICE

@Suite struct AgentTests {
    static let a = TransportAddress.v4("10.0.0.1", 5000)
    static let b = TransportAddress.v4("10.0.0.2", 6000)

    @Test func twoAgentsSelectTheSamePairAndBothNominate() throws {
        var net = Network(ICEAgent(role: .controlling), ICEAgent(role: .controlled))
        net.start(bases: [[Self.a], [Self.b]])
        #expect(net.run(for: .seconds(5)) { $0.bothConnected })
        let selected = try #require(net.agents[0].selectedPair)
        #expect(selected.id == CandidatePair.ID(local: Self.a, remote: Self.b))
        #expect(selected.nominated)
        #expect(net.agents[1].selectedPair?.id == CandidatePair.ID(local: Self.b, remote: Self.a))
        #expect(net.events[0].contains(.stateChanged(.checking)))
        #expect(net.events[1].contains(.gatheringComplete))
        #expect(net.agents.allSatisfy { $0.counters.unauthenticated == 0 && $0.counters.dropped == 0 })
    }

    @Test func bestPairWinsAmongSeveral() throws {
        let a6 = TransportAddress("fd00::1", port: 5000)!, b6 = TransportAddress("fd00::2", port: 6000)!
        var net = Network(ICEAgent(role: .controlling), ICEAgent(role: .controlled))
        net.start(bases: [[Self.a, a6], [Self.b, b6]])
        #expect(net.run(for: .seconds(5)) { $0.bothConnected })
        // IPv6 bases have the higher local preference, so the IPv6 pair has the highest priority.
        #expect(net.agents[0].selectedPair?.id == CandidatePair.ID(local: a6, remote: b6))
        #expect(net.agents[0].checkList.count == 2)  // no cross-family pairs
        let priorities = net.agents[0].checkList.map(\.priority)
        #expect(priorities == priorities.sorted(by: >))
    }

    @Test func hiddenCandidatesAreLearntAsPeerReflexive() throws {
        // Like a browser that hides its host address behind mDNS: the controlled side signals nothing usable.
        var net = Network(ICEAgent(role: .controlling), ICEAgent(role: .controlled))
        net.trickle = false
        net.start(bases: [[Self.a], [Self.b]])
        for candidate in net.agents[0].localCandidates { net.agents[1].addRemoteCandidate(candidate, at: net.now) }
        net.pump()
        #expect(net.run(for: .seconds(5)) { $0.bothConnected })
        let learnt = try #require(net.agents[0].remoteCandidates.first)
        #expect(learnt.type == .peerReflexive && learnt.address == Self.b)
        #expect(net.agents[0].selectedPair?.remote.type == .peerReflexive)
    }

    @Test func candidatesTrickledLaterStillConnect() throws {
        var net = Network(ICEAgent(role: .controlling), ICEAgent(role: .controlled))
        net.trickle = false
        net.start(bases: [[Self.a], [Self.b]])
        net.run(for: .seconds(1))
        #expect(net.agents[0].state == .new)
        net.agents[1].addRemoteCandidate(net.agents[0].localCandidates[0], at: net.now)
        net.pump()
        #expect(net.run(for: .seconds(5)) { $0.bothConnected })
    }

    @Test(arguments: [ICERole.controlling, .controlled])
    func roleConflictIsResolved(role: ICERole) throws {
        var net = Network(ICEAgent(role: role, tieBreaker: 10), ICEAgent(role: role, tieBreaker: 20))
        net.start(bases: [[Self.a], [Self.b]])
        #expect(net.run(for: .seconds(5)) { $0.bothConnected })
        // The larger tie-breaker ends controlling (RFC 8445 §7.3.1.1).
        #expect(net.agents[1].role == .controlling && net.agents[0].role == .controlled)
        #expect(net.agents.map(\.counters.roleConflicts).reduce(0, +) > 0)
        #expect(net.agents[0].selectedPair?.id.remote == Self.b)
    }

    @Test func wrongPasswordGets401AndNoPairIsNominated() throws {
        var net = Network(ICEAgent(role: .controlling), ICEAgent(role: .controlled))
        // B is told a wrong password for A, A the right one for B.
        net.agents[0].setRemoteCredentials(net.agents[1].localCredentials, at: net.now)
        net.agents[1].setRemoteCredentials(ICECredentials(ufrag: net.agents[0].localCredentials.ufrag, pwd: "not-the-password-at-all"), at: net.now)
        net.start(bases: [[Self.a], [Self.b]], exchangeCredentials: false)
        net.agents[0].addRemoteEndOfCandidates(at: net.now)
        net.agents[1].addRemoteEndOfCandidates(at: net.now)
        net.run(for: .seconds(40)) { $0.agents.allSatisfy { $0.state == .failed } }
        #expect(net.agents[0].counters.unauthenticated > 0)
        #expect(net.agents[1].selectedPair == nil)
        #expect(net.agents[1].state == .failed)
        // A's checks succeed, but A cannot nominate a pair B never validated... B never selects it.
        #expect(!net.agents[1].checkList.contains { $0.state == .succeeded })
    }

    @Test func consentExpiresWhenThePeerGoesSilent() throws {
        let config = ICEConfiguration(consentInterval: .seconds(1), disconnectedTimeout: .seconds(3), consentTimeout: .seconds(8))
        var net = Network(ICEAgent(role: .controlling, configuration: config), ICEAgent(role: .controlled, configuration: config))
        net.start(bases: [[Self.a], [Self.b]])
        #expect(net.run(for: .seconds(5)) { $0.bothConnected })
        // Consent holds while both answer.
        net.run(for: .seconds(20))
        #expect(net.agents[0].state == .connected)
        net.filter = { $0.local != Self.b }  // B falls silent
        let silentAt = net.now
        #expect(net.run(for: .seconds(20)) { $0.agents[0].state == .disconnected })
        #expect(net.now - silentAt >= .seconds(3) - .seconds(2))
        #expect(net.run(for: .seconds(20)) { $0.agents[0].state == .failed })
        #expect(net.now - silentAt <= .seconds(8) + .seconds(2))
        #expect(!net.agents[0].canSend)
        #expect(net.events[0].suffix(2) == [.stateChanged(.disconnected), .stateChanged(.failed)])
    }

    @Test func disconnectedRecoversWhenThePeerAnswersAgain() throws {
        let config = ICEConfiguration(consentInterval: .seconds(1), disconnectedTimeout: .seconds(3), consentTimeout: .seconds(30))
        var net = Network(ICEAgent(role: .controlling, configuration: config), ICEAgent(role: .controlled, configuration: config))
        net.start(bases: [[Self.a], [Self.b]])
        #expect(net.run(for: .seconds(5)) { $0.bothConnected })
        net.filter = { $0.local != Self.b }
        #expect(net.run(for: .seconds(10)) { $0.agents[0].state == .disconnected })
        net.filter = { _ in true }
        #expect(net.run(for: .seconds(5)) { $0.agents[0].state == .connected })
    }

    @Test func iceRestartSelectsAgainWithNewCredentials() throws {
        var net = Network(ICEAgent(role: .controlling), ICEAgent(role: .controlled))
        net.start(bases: [[Self.a], [Self.b]])
        #expect(net.run(for: .seconds(5)) { $0.bothConnected })
        let old = net.agents[0].localCredentials
        net.agents[0].restart(at: net.now)
        net.agents[1].restart(at: net.now)
        #expect(net.agents[0].localCredentials != old)
        #expect(net.agents[0].canSend)  // the old pair carries data meanwhile
        net.events = [[], []]
        net.agents[0].setRemoteCredentials(net.agents[1].localCredentials, at: net.now)
        net.agents[1].setRemoteCredentials(net.agents[0].localCredentials, at: net.now)
        net.pump()
        #expect(net.run(for: .seconds(5)) { $0.agents[0].checkList.first?.nominated == true })
        #expect(net.bothConnected)
        #expect(net.agents[1].counters.unauthenticated == 0)
    }

    @Test func serverReflexiveCandidateBehindNAT() throws {
        let server = TransportAddress.v4("192.0.2.100", 3478)
        let mapped = TransportAddress.v4("198.51.100.7", 40001)
        let config = ICEConfiguration(stunServers: [server])
        var net = Network(ICEAgent(role: .controlling, configuration: config), ICEAgent(role: .controlled))
        net.stunServers[server] = BindingServer()
        net.nat[Self.a] = mapped
        net.start(bases: [[Self.a], [Self.b]])
        #expect(net.run(for: .seconds(5)) { $0.bothConnected && $0.agents[0].gatheringState == .complete })
        let srflx = try #require(net.agents[0].localCandidates.first { $0.type == .serverReflexive })
        #expect(srflx.address == mapped && srflx.base == Self.a && srflx.relatedAddress == Self.a)
        #expect(srflx.priority < net.agents[0].localCandidates[0].priority)
        // B saw A's checks from the mapped address: the pair it selected goes there.
        #expect(net.agents[1].selectedPair?.id.remote == mapped)
    }

    @Test func unreachableSTUNServerStillCompletesGathering() {
        let config = ICEConfiguration(stunServers: [.v4("192.0.2.100", 3478)])
        var net = Network(ICEAgent(role: .controlling, configuration: config), ICEAgent(role: .controlled))
        net.start(bases: [[Self.a], [Self.b]])
        #expect(net.agents[0].gatheringState == .gathering)
        #expect(net.run(for: .seconds(10)) { $0.agents[0].gatheringState == .complete })
        #expect(net.now - ContinuousClock.now < .seconds(10))
    }

    @Test func allPairsFailingAfterEndOfCandidatesFails() {
        var net = Network(ICEAgent(role: .controlling), ICEAgent(role: .controlled))
        net.filter = { _ in false }  // a black hole
        net.start(bases: [[Self.a], [Self.b]])
        net.agents[0].addRemoteEndOfCandidates(at: net.now)
        #expect(net.run(for: .seconds(40)) { $0.agents[0].state == .failed })
        #expect(net.agents[0].checkList.allSatisfy { $0.state == .failed })
    }
}

@Suite struct MessageHandlingTests {
    static let local = TransportAddress.v4("10.0.0.1", 5000)
    static let peer = TransportAddress.v4("10.0.0.2", 6000)

    func agent() -> ICEAgent {
        var agent = ICEAgent(role: .controlled, credentials: ICECredentials(ufrag: "loca", pwd: "localpasswordlocalpassword"))
        agent.gather(bases: [Self.local], at: .now)
        while agent.poll() != nil {}
        return agent
    }

    func responses(_ agent: inout ICEAgent) throws -> [Message] {
        var messages: [Message] = []
        while let output = agent.poll() {
            if case .transmit(let t) = output { messages.append(try Message(parsing: t.bytes)) }
        }
        return messages
    }

    @Test func malformedDatagramsAreCountedAndDropped() throws {
        var agent = agent()
        for bytes: [UInt8] in [[], [0, 1], Array(repeating: 0xFF, count: 40), [0x00, 0x01, 0x00, 0x04, 0x21, 0x12, 0xA4, 0x42] + Array(repeating: 0, count: 12)] {
            agent.handle(datagram: bytes, from: Self.peer, to: Self.local, at: .now)
        }
        #expect(agent.counters.dropped == 4)
        #expect(try responses(&agent).isEmpty)
    }

    @Test func requestWithoutIntegrityGets400() throws {
        var agent = agent()
        let request = Message(method: .binding, class: .request, attributes: [.username("loca:peer")])
        agent.handle(datagram: request.encode(fingerprint: true), from: Self.peer, to: Self.local, at: .now)
        let reply = try #require(try responses(&agent).first)
        #expect(reply.errorCode?.code == 400 && reply.transactionID == request.transactionID)
        #expect(agent.remoteCandidates.isEmpty)
    }

    @Test(arguments: [("loca:peer", "wrong-password"), ("other:peer", "localpasswordlocalpassword")])
    func wrongCredentialsGet401AndChangeNothing(username: String, password: String) throws {
        var agent = agent()
        let request = Message(method: .binding, class: .request, attributes: [.username(username), .priority(1), .useCandidate])
        agent.handle(datagram: request.encode(integrity: .sha1(key: Array(password.utf8)), fingerprint: true),
                     from: Self.peer, to: Self.local, at: .now)
        let reply = try #require(try responses(&agent).first)
        #expect(reply.errorCode?.code == 401)
        #expect(agent.counters.unauthenticated == 1)
        #expect(agent.remoteCandidates.isEmpty && agent.checkList.isEmpty && agent.selectedPair == nil)
    }

    @Test func authenticCheckIsAnsweredWithTheSourceAddress() throws {
        var agent = agent()
        let key = Array("localpasswordlocalpassword".utf8)
        let request = Message(method: .binding, class: .request,
                              attributes: [.username("loca:peer"), .priority(1_845_501_695), .iceControlling(tieBreaker: 1)])
        agent.handle(datagram: request.encode(integrity: .sha1(key: key), fingerprint: true), from: Self.peer, to: Self.local, at: .now)
        let reply = try #require(try responses(&agent).first)
        #expect(reply.messageClass == .successResponse && reply.xorMappedAddress == Self.peer)
        #expect(reply.verifyIntegrity(key: key))
        #expect(agent.remoteCandidates == [ICECandidate(type: .peerReflexive, address: Self.peer, priority: 1_845_501_695,
                                                        foundation: agent.remoteCandidates.first?.foundation ?? "")])
    }
}

@Suite struct CandidateTests {
    @Test func prioritiesFollowRFC8445() {
        // (126 << 24) | (65535 << 8) | (256 - 1): the value browsers give their best host candidate.
        #expect(ICECandidate.priority(type: .host, localPreference: 65535) == 2_130_706_431)
        #expect(ICECandidate.priority(type: .serverReflexive, localPreference: 65535) == 1_694_498_815)
        #expect(ICECandidate.priority(type: .relayed, localPreference: 0) == 255)
    }

    @Test func pairPriorityFormula() {
        // G = 10 (controlling), D = 20: 2^32·10 + 2·20 + 0.
        #expect(CandidatePair.priority(local: 10, remote: 20, role: .controlling) == (10 << 32) + 40)
        #expect(CandidatePair.priority(local: 20, remote: 10, role: .controlled) == (10 << 32) + 40)
        #expect(CandidatePair.priority(local: 20, remote: 10, role: .controlling) == (10 << 32) + 41)
    }

    @Test func sdpRoundTripAndUnusableCandidates() throws {
        let sdp = try SDP.Candidate(parsing: "candidate:842163049 1 udp 1677729535 198.51.100.7 40001 typ srflx raddr 10.0.0.1 rport 5000 generation 0")
        let candidate = try #require(ICECandidate(sdp: sdp))
        #expect(candidate.type == .serverReflexive && candidate.address == .v4("198.51.100.7", 40001))
        #expect(candidate.relatedAddress == .v4("10.0.0.1", 5000))
        #expect(ICECandidate(sdp: candidate.sdp) == candidate)
        for text in ["candidate:1 1 udp 2122260223 4a1c0e0b-8f6e-4b7e-9a3c-2d5f6e7a8b9c.local 54321 typ host",
                     "candidate:1 1 tcp 1518280447 10.0.0.1 9 typ host tcptype active",
                     "candidate:1 2 udp 2122260222 10.0.0.1 5001 typ host"] {
            #expect(ICECandidate(sdp: try SDP.Candidate(parsing: text)) == nil)
        }
    }

    @Test func randomCredentialsAreLongEnoughAndDistinct() {
        let a = ICECredentials.random(), b = ICECredentials.random()
        #expect(a.ufrag.count >= 4 && a.pwd.count >= 22 && a != b)
    }
}
