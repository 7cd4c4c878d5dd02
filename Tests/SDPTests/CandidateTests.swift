import Testing
import SDP

@Suite struct CandidateTests {
    @Test func chromiumTrickledServerReflexiveCandidate() throws {
        let text = "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 192.0.2.10 rport 46154 "
            + "generation 0 ufrag sv4l network-id 1 network-cost 10"
        let candidate = try Candidate(parsing: text)
        #expect(candidate.foundation == "842163049")
        #expect(candidate.component == 1 && candidate.transport == "udp" && candidate.priority == 1_677_729_535)
        #expect(candidate.address == "203.0.113.7" && candidate.port == 46154)
        #expect(candidate.kind == .serverReflexive)
        #expect(candidate.relatedAddress == "192.0.2.10" && candidate.relatedPort == 46154)
        #expect(candidate.generation == 0 && candidate.ufrag == "sv4l")
        #expect(candidate.networkID == 1 && candidate.networkCost == 10)
        #expect(candidate.description == text)
    }

    @Test func relayAndTCPAndUnknownExtensions() throws {
        let relay = try Candidate(parsing: "a=candidate:3 1 UDP 41885439 198.51.100.4 50000 typ relay raddr 203.0.113.7 rport 40000 x-vendor yes")
        #expect(relay.kind == .relayed && relay.transport == "UDP")
        #expect(relay.extensions == [FormatParameter(key: "x-vendor", value: "yes")])
        #expect(relay.value == "3 1 UDP 41885439 198.51.100.4 50000 typ relay raddr 203.0.113.7 rport 40000 x-vendor yes")
        let tcp = try Candidate(parsing: "1 1 TCP 2105524479 192.0.2.10 9 typ host tcptype active")
        #expect(tcp.tcpType == "active")
        let prflx = try Candidate(parsing: "candidate:9 1 udp 1845501695 192.0.2.99 3478 typ prflx")
        #expect(prflx.kind == .peerReflexive)
    }

    @Test func malformedCandidatesThrow() {
        for text in ["", "candidate:", "candidate:1 1 udp 1 192.0.2.1 9 type host", "candidate:1 0 udp 1 192.0.2.1 9 typ host",
                     "candidate:1 1 udp -1 192.0.2.1 9 typ host", "candidate:1 1 udp 1 192.0.2.1 9 typ host generation",
                     "candidate:1 1 udp 1 192.0.2.1 9 typ host rport x"] {
            #expect(throws: SDPError.self, "\(text)") { try Candidate(parsing: text) }
        }
    }
}
