/// The sender's target bitrate, sans-IO: the loss-based controller of Google Congestion Control
/// (draft-ietf-rmcat-gcc-02 §6) capped by the receiver's estimate (REMB) when it sends one.
///
/// Each reception report's loss fraction p moves the loss-based estimate: above 10 % it falls to
/// A·(1 − 0.5·p), below 2 % it grows by 5 %, in between it holds. A path that overflows its queue loses
/// packets, so the estimate settles just under what the path carries and climbs again when it clears.
public struct BitrateController: Sendable, Equatable {
    public let minimum: Int
    public let maximum: Int
    /// The loss-based estimate, bits per second.
    public private(set) var lossBased: Int
    /// The receiver's latest REMB, if any.
    public private(set) var receiverEstimate: Int?

    /// What the encoder should aim for now.
    public var target: Int { min(lossBased, receiverEstimate ?? .max) }

    public init(initial: Int, minimum: Int = 100_000, maximum: Int) {
        self.minimum = min(minimum, maximum)
        self.maximum = maximum
        self.lossBased = max(self.minimum, min(initial, maximum))
    }

    /// A reception report arrived with this loss fraction (0…1).
    public mutating func reportReceived(fractionLost p: Double) {
        if p > 0.10 {
            lossBased = Int(Double(lossBased) * (1 - 0.5 * p))
        } else if p < 0.02 {
            lossBased = Int(Double(lossBased) * 1.05)
        }
        lossBased = max(minimum, min(lossBased, maximum))
    }

    /// A REMB arrived: never aim above what the receiver says it can take.
    public mutating func receiverEstimated(_ bitsPerSecond: Int) {
        receiverEstimate = max(minimum, bitsPerSecond)
    }
}
