import STUN

/// Which side of the ICE session this agent is (RFC 8445 §6.1.1); the offerer starts controlling.
public enum ICERole: String, Sendable, Hashable {
    case controlling, controlled
}

/// The agent's connection state as an application sees it (the RTCIceConnectionState vocabulary).
public enum ICEConnectionState: String, Sendable, Hashable {
    /// Waiting for remote credentials and candidates.
    case new
    /// Checks are running; no pair has been selected yet.
    case checking
    /// A pair is selected and consent is fresh.
    case connected
    /// The selected pair has gone quiet for ``ICEConfiguration/disconnectedTimeout``; it may come back.
    case disconnected
    /// No pair worked, or consent expired (RFC 7675 §5.1): the application must stop sending.
    case failed
    /// Closed by the application.
    case closed
}

/// Whether the agent is still gathering local candidates.
public enum GatheringState: String, Sendable, Hashable {
    case new, gathering, complete
}

/// Tunables of an ``ICEAgent``; the defaults follow RFC 8445, RFC 7675 and what browsers do.
public struct ICEConfiguration: Sendable {
    /// STUN servers asked for server-reflexive candidates, one request per local base of the same family.
    public var stunServers: [TransportAddress]
    /// Ta, the pacing of new checks (RFC 8445 §14.2).
    public var pacing: Duration
    /// RTO of a connectivity check's first retransmission (RFC 8445 §14.3 says at least 500 ms).
    public var checkRTO: Duration
    /// Rc for connectivity checks: how often a check is sent before the pair fails.
    public var checkTransmissions: Int
    /// How long the controlling agent waits after the first valid pair for better pairs to succeed
    /// before it nominates the best valid one (regular nomination, RFC 8445 §8.1.1).
    public var nominationDelay: Duration
    /// Interval between consent checks on the selected pair, randomised ±20 % (RFC 7675 §5.1).
    public var consentInterval: Duration
    /// Without a consent response for this long the state becomes ``ICEConnectionState/disconnected``.
    public var disconnectedTimeout: Duration
    /// Without a consent response for this long consent has expired: ``ICEConnectionState/failed`` (RFC 7675: 30 s).
    public var consentTimeout: Duration
    /// Fails the agent when checks started this long ago and still no pair is valid.
    public var checkingTimeout: Duration
    /// SOFTWARE attribute on responses; nil leaves it out.
    public var software: String?

    public init(stunServers: [TransportAddress] = [], pacing: Duration = .milliseconds(50),
                checkRTO: Duration = .milliseconds(500), checkTransmissions: Int = 6,
                nominationDelay: Duration = .milliseconds(200), consentInterval: Duration = .seconds(5),
                disconnectedTimeout: Duration = .seconds(10), consentTimeout: Duration = .seconds(30),
                checkingTimeout: Duration = .seconds(30), software: String? = "glimpse") {
        self.stunServers = stunServers
        self.pacing = pacing
        self.checkRTO = checkRTO
        self.checkTransmissions = checkTransmissions
        self.nominationDelay = nominationDelay
        self.consentInterval = consentInterval
        self.disconnectedTimeout = disconnectedTimeout
        self.consentTimeout = consentTimeout
        self.checkingTimeout = checkingTimeout
        self.software = software
    }
}

/// What the agent tells its driver.
public enum ICEEvent: Hashable, Sendable {
    /// A new local candidate to signal to the peer (trickle ICE).
    case localCandidate(ICECandidate)
    /// No more local candidates will come (send end-of-candidates).
    case gatheringComplete
    case stateChanged(ICEConnectionState)
    /// Data now goes over this pair.
    case selectedPairChanged(CandidatePair)
    /// A role conflict (RFC 8445 §7.3.1.1) made this agent switch roles.
    case roleChanged(ICERole)
}

/// One datagram for the driver to send from a local socket.
public struct ICETransmit: Hashable, Sendable {
    public var bytes: [UInt8]
    /// The local base: the bound socket to send from.
    public var local: TransportAddress
    public var remote: TransportAddress

    public init(bytes: [UInt8], local: TransportAddress, remote: TransportAddress) {
        self.bytes = bytes
        self.local = local
        self.remote = remote
    }
}

/// Output of ``ICEAgent/poll()``.
public enum ICEOutput: Hashable, Sendable {
    case transmit(ICETransmit)
    case event(ICEEvent)
}
