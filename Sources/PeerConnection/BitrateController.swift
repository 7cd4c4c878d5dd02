/// The sender's target bitrate, sans-IO, in the spirit of Google Congestion Control
/// (draft-ietf-rmcat-gcc-02): a loss-based controller (§6), a delay signal, and the receiver's
/// estimate (REMB) as a cap when it sends one.
///
/// Each reception report's loss fraction p moves the estimate: above 10 % it falls to A·(1 − 0.5·p),
/// below 2 % it grows by 8 % (GCC's multiplicative increase), in between it holds. Loss alone lets the sender sit a few per cent above a
/// bottleneck (GCC tolerates up to 10 % loss), so queueing delay counts too: a round-trip time more than
/// ``queueingThreshold`` above the smallest seen means a queue is building at the bottleneck, and the
/// estimate falls by 15 % (GCC's over-use response) instead of growing. The sender then settles under
/// what the path carries and climbs again when it clears.
public struct BitrateController: Sendable, Equatable {
    public let minimum: Int
    public let maximum: Int
    /// The loss-based estimate, bits per second.
    public private(set) var lossBased: Int
    /// The receiver's latest REMB, if any.
    public private(set) var receiverEstimate: Int?
    /// The smallest round-trip time seen: the path without queueing.
    public private(set) var baseRoundTripTime: Duration?

    /// Round-trip time above the base that counts as a building queue.
    public static let queueingThreshold: Duration = .milliseconds(30)

    /// What the encoder should aim for now.
    public var target: Int { min(lossBased, receiverEstimate ?? .max) }

    public init(initial: Int, minimum: Int = 100_000, maximum: Int) {
        self.minimum = min(minimum, maximum)
        self.maximum = maximum
        self.lossBased = max(self.minimum, min(initial, maximum))
    }

    /// A reception report arrived with this loss fraction (0…1) and, when it echoed a sender report,
    /// the round-trip time it implies.
    public mutating func reportReceived(fractionLost p: Double, roundTripTime: Duration? = nil) {
        var queueing = false
        if let rtt = roundTripTime {
            baseRoundTripTime = min(baseRoundTripTime ?? rtt, rtt)
            queueing = rtt - baseRoundTripTime! > Self.queueingThreshold
        }
        if p > 0.10 {
            lossBased = Int(Double(lossBased) * (1 - 0.5 * p))
        } else if queueing {
            lossBased = Int(Double(lossBased) * 0.85)
        } else if p < 0.02 {
            lossBased = Int(Double(lossBased) * 1.08)
        }
        lossBased = max(minimum, min(lossBased, maximum))
    }

    /// A REMB arrived: never aim above what the receiver says it can take.
    public mutating func receiverEstimated(_ bitsPerSecond: Int) {
        receiverEstimate = max(minimum, bitsPerSecond)
    }
}
