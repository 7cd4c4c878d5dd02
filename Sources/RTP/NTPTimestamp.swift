/// A 64-bit NTP timestamp (RFC 5905 §6): seconds since 1900-01-01 and a 32-bit binary fraction,
/// as RTCP sender reports carry it (RFC 3550 §4).
public struct NTPTimestamp: Hashable, Comparable, Sendable {
    public var seconds: UInt32
    public var fraction: UInt32

    public init(seconds: UInt32, fraction: UInt32) {
        self.seconds = seconds
        self.fraction = fraction
    }

    /// The 64-bit wire value: seconds in the high word.
    public init(rawValue: UInt64) {
        seconds = UInt32(truncatingIfNeeded: rawValue >> 32)
        fraction = UInt32(truncatingIfNeeded: rawValue)
    }

    public var rawValue: UInt64 { UInt64(seconds) << 32 | UInt64(fraction) }

    /// Seconds from the NTP epoch (1900) to the Unix epoch (1970): 70 years with 17 leap days.
    static let unixEpochOffset: UInt64 = 2_208_988_800

    /// The NTP time of `unixTime` after 1970-01-01 UTC (era 0, which lasts until 2036: later times wrap, as on the wire).
    public init(unixTime: Duration) {
        let (wholeSeconds, attoseconds) = unixTime.components
        // Negative durations have negative attoseconds; borrow a second so the fraction is positive.
        let (seconds, atto) = attoseconds < 0 ? (wholeSeconds - 1, attoseconds + Self.attosecondsPerSecond) : (wholeSeconds, attoseconds)
        let fraction = Self.attosecondsPerSecond.magnitude.dividingFullWidth(UInt64(atto).multipliedFullWidth(by: 1 << 32)).quotient
        self.init(seconds: UInt32(truncatingIfNeeded: UInt64(bitPattern: seconds) &+ Self.unixEpochOffset),
                  fraction: UInt32(truncatingIfNeeded: fraction))
    }

    /// The time since 1970-01-01 UTC, assuming NTP era 0.
    public var unixTime: Duration {
        .seconds(Int64(seconds) - Int64(Self.unixEpochOffset)) + Self.duration(fraction: UInt64(fraction), bits: 32)
    }

    /// The middle 32 bits (16.16 fixed-point seconds): the form of RTCP's LSR and of the arrival time
    /// a round-trip computation needs (RFC 3550 §6.4.1).
    public var compact: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 16) }

    /// `value / 2^bits` seconds (1 ≤ bits ≤ 63), exact to the attosecond.
    static func duration(fraction value: UInt64, bits: Int) -> Duration {
        let whole = value >> bits
        let rest = value & (1 << bits - 1)
        let product = rest.multipliedFullWidth(by: Self.attosecondsPerSecond.magnitude)
        let attoseconds = product.high << (64 - bits) | product.low >> bits
        return Duration(secondsComponent: Int64(whole), attosecondsComponent: Int64(attoseconds))
    }

    static let attosecondsPerSecond: Int64 = 1_000_000_000_000_000_000

    public static func < (a: NTPTimestamp, b: NTPTimestamp) -> Bool { a.rawValue < b.rawValue }
}

/// Round-trip time from a reception report (RFC 3550 §6.4.1, Figure 2): the report's arrival time minus
/// the LSR it echoes minus the DLSR the receiver held it for, all in 16.16 compact NTP.
///
/// - Returns: `nil` when the receiver had no sender report yet (LSR is 0) or clocks make the result negative.
public func roundTripTime(arrival: NTPTimestamp, lastSenderReport: UInt32, delaySinceLastSenderReport: UInt32) -> Duration? {
    guard lastSenderReport != 0 else { return nil }
    let rtt = Int32(bitPattern: arrival.compact &- lastSenderReport &- delaySinceLastSenderReport)
    guard rtt >= 0 else { return nil }
    return NTPTimestamp.duration(fraction: UInt64(rtt), bits: 16)
}

/// `duration` in 1/65536 s, as DLSR carries it; negative durations are 0 and the value saturates.
public func compactNTPDuration(_ duration: Duration) -> UInt32 {
    guard duration > .zero else { return 0 }
    let (seconds, attoseconds) = duration.components
    guard seconds < 65536 else { return .max }
    return UInt32(seconds) << 16 | UInt32(attoseconds / 15_258_789_062_500)  // 10^18 / 2^16, exact
}
