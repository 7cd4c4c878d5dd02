/// A STUN client transaction over UDP (RFC 8489 §6.2.1), sans-IO.
///
/// The caller sends ``request`` when it creates the transaction, calls ``handleTimeout(at:)``
/// at ``deadline`` and sends what it returns, and hands matching responses to ``handleResponse(_:at:)``.
/// Retransmissions go out at 0, RTO, 3·RTO, 7·RTO … up to Rc transmissions; after the last,
/// the transaction waits Rm·RTO before it fails.
public struct ClientTransaction: Sendable {
    public enum State: Equatable, Sendable {
        case inProgress
        case succeeded
        case timedOut
    }

    /// What ``handleTimeout(at:)`` asks of the caller.
    public enum Action: Equatable, Sendable {
        case retransmit([UInt8])
        case timedOut
    }

    public let transactionID: TransactionID
    /// The encoded request, sent again unchanged on every retransmission.
    public let request: [UInt8]
    public private(set) var state: State = .inProgress
    /// When ``handleTimeout(at:)`` wants to run next; `nil` once the transaction is over.
    public private(set) var deadline: ContinuousClock.Instant?
    /// How many times the request has been sent.
    public private(set) var transmissions = 1
    /// Round-trip time, measured only when the response answered the first transmission (Karn's rule).
    public private(set) var rtt: Duration?

    private let started: ContinuousClock.Instant
    private var interval: Duration
    private let rto: Duration
    private let maxTransmissions: Int
    private let lastWaitMultiplier: Int

    /// Starts a transaction whose first transmission the caller sends at `now`.
    /// - Parameters:
    ///   - rto: initial retransmission timeout; RFC 8489 recommends 500 ms, ICE checks use their own (RFC 8445 §14.3).
    ///   - maxTransmissions: Rc, default 7.
    ///   - lastWaitMultiplier: Rm, default 16.
    public init(request: [UInt8], transactionID: TransactionID, now: ContinuousClock.Instant,
                rto: Duration = .milliseconds(500), maxTransmissions: Int = 7, lastWaitMultiplier: Int = 16) {
        self.request = request
        self.transactionID = transactionID
        self.started = now
        self.rto = rto
        self.interval = rto
        self.maxTransmissions = max(1, maxTransmissions)
        self.lastWaitMultiplier = lastWaitMultiplier
        self.deadline = now + (self.maxTransmissions == 1 ? rto * lastWaitMultiplier : rto)
    }

    /// Advances the timer. Returns the datagram to send again, `.timedOut` once, or `nil` when not due.
    public mutating func handleTimeout(at now: ContinuousClock.Instant) -> Action? {
        guard state == .inProgress, let deadline, now >= deadline else { return nil }
        if transmissions >= maxTransmissions {
            state = .timedOut
            self.deadline = nil
            return .timedOut
        }
        transmissions += 1
        interval *= 2
        self.deadline = now + (transmissions == maxTransmissions ? rto * lastWaitMultiplier : interval)
        return .retransmit(request)
    }

    /// Accepts a response if it belongs to this transaction; returns whether it did.
    public mutating func handleResponse(_ response: Message, at now: ContinuousClock.Instant) -> Bool {
        guard state == .inProgress, response.transactionID == transactionID,
              response.messageClass == .successResponse || response.messageClass == .errorResponse else { return false }
        state = .succeeded
        deadline = nil
        if transmissions == 1 { rtt = now - started }
        return true
    }
}
