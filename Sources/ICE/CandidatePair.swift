import STUN

/// The state of a candidate pair in the check list (RFC 8445 §6.1.2.6).
public enum PairState: String, Sendable, Hashable {
    case frozen, waiting, inProgress = "in-progress", succeeded, failed
}

/// A local and a remote candidate that connectivity checks try to connect (RFC 8445 §6.1.2).
public struct CandidatePair: Hashable, Sendable, CustomStringConvertible {
    /// Identifies a pair by where its checks go: the local socket (base) and the remote address.
    public struct ID: Hashable, Sendable {
        public var local: TransportAddress
        public var remote: TransportAddress

        public init(local: TransportAddress, remote: TransportAddress) {
            self.local = local
            self.remote = remote
        }
    }

    public var local: ICECandidate
    public var remote: ICECandidate
    public internal(set) var state: PairState
    /// Set on the controlling side when a check with USE-CANDIDATE succeeded, on the controlled side
    /// when such a check arrived for it (RFC 8445 §7.2.5.3.4, §7.3.1.5).
    public internal(set) var nominated = false
    public internal(set) var priority: UInt64

    public var id: ID { ID(local: local.base, remote: remote.address) }
    /// Pairs with the same foundation are likely to succeed or fail together (RFC 8445 §6.1.2.6).
    var foundation: String { local.foundation + ":" + remote.foundation }

    init(local: ICECandidate, remote: ICECandidate, role: ICERole, state: PairState) {
        self.local = local
        self.remote = remote
        self.state = state
        self.priority = Self.priority(local: local.priority, remote: remote.priority, role: role)
    }

    /// RFC 8445 §6.1.2.3: 2^32·min(G, D) + 2·max(G, D) + (G > D ? 1 : 0), G the controlling side's priority.
    static func priority(local: UInt32, remote: UInt32, role: ICERole) -> UInt64 {
        let (g, d) = role == .controlling ? (UInt64(local), UInt64(remote)) : (UInt64(remote), UInt64(local))
        return (min(g, d) << 32) + 2 * max(g, d) + (g > d ? 1 : 0)
    }

    mutating func updatePriority(role: ICERole) {
        priority = Self.priority(local: local.priority, remote: remote.priority, role: role)
    }

    public var description: String { "\(local) ↔ \(remote) [\(state.rawValue)\(nominated ? ", nominated" : "")]" }
}
