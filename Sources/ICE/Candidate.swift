import SDP
import STUN

/// The kind of an ICE candidate (RFC 8445 §5.1.1), which sets its type preference.
public enum CandidateType: String, Sendable, Hashable, CaseIterable {
    case host
    case serverReflexive = "srflx"
    case peerReflexive = "prflx"
    case relayed = "relay"

    /// RFC 8445 §5.1.2.2 recommended type preferences.
    public var typePreference: UInt32 {
        switch self {
        case .host: 126
        case .peerReflexive: 110
        case .serverReflexive: 100
        case .relayed: 0
        }
    }
}

/// One UDP ICE candidate: a transport address a peer may be reachable at.
///
/// Glimpse uses one component (RTP and RTCP multiplexed, RFC 5761), so every candidate is component 1.
public struct ICECandidate: Hashable, Sendable, CustomStringConvertible {
    public var type: CandidateType
    /// The address checks are sent to (remote) or that the peer will see (local).
    public var address: TransportAddress
    /// The local socket address a candidate sends from; equal to ``address`` for host candidates.
    public var base: TransportAddress
    public var priority: UInt32
    /// Candidates with the same foundation share type, base IP and STUN server (RFC 8445 §5.1.1.3).
    public var foundation: String
    /// The base of a reflexive candidate, as advertised in `raddr`/`rport`.
    public var relatedAddress: TransportAddress?

    public static let component = 1

    public init(type: CandidateType, address: TransportAddress, base: TransportAddress? = nil, priority: UInt32,
                foundation: String, relatedAddress: TransportAddress? = nil) {
        self.type = type
        self.address = address
        self.base = base ?? address
        self.priority = priority
        self.foundation = foundation
        self.relatedAddress = relatedAddress
    }

    /// RFC 8445 §5.1.2.1: type preference, then local preference, then component.
    public static func priority(type: CandidateType, localPreference: UInt16) -> UInt32 {
        type.typePreference << 24 | UInt32(localPreference) << 8 | UInt32(256 - component)
    }

    /// The candidate as written in SDP and trickled by browsers.
    public var sdp: SDP.Candidate {
        SDP.Candidate(foundation: foundation, component: Self.component, transport: "udp", priority: priority,
                      address: address.ip.description, port: address.port, kind: .init(rawValue: type.rawValue),
                      relatedAddress: relatedAddress?.ip.description, relatedPort: relatedAddress?.port)
    }

    /// A remote candidate from its SDP form; `nil` for what this agent cannot use: other components,
    /// TCP, and mDNS host names (`*.local`) that browsers put in place of their private addresses.
    /// Hidden hosts are still reached: their checks arrive and become peer-reflexive candidates.
    public init?(sdp candidate: SDP.Candidate) {
        guard candidate.component == Self.component, candidate.transport.lowercased() == "udp",
              let address = TransportAddress(candidate.address, port: candidate.port),
              let type = CandidateType(rawValue: candidate.kind.rawValue) else { return nil }
        let related = candidate.relatedAddress.flatMap { host in candidate.relatedPort.flatMap { TransportAddress(host, port: $0) } }
        self.init(type: type, address: address, priority: candidate.priority, foundation: candidate.foundation,
                  relatedAddress: related)
    }

    public var description: String { "\(type.rawValue) \(address)" }
}

/// A 32-bit FNV-1a digest as a short decimal string: foundations only need to be equal for equal inputs.
func foundation(_ parts: String...) -> String {
    var hash: UInt32 = 2_166_136_261
    for byte in parts.joined(separator: "|").utf8 {
        hash = (hash ^ UInt32(byte)) &* 16_777_619
    }
    return String(hash)
}
