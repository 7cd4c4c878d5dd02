/// Wrap-aware arithmetic on RTP's 16-bit sequence numbers (RFC 3550 A.1): of two numbers, the one
/// less than half the number space ahead is the newer.
public enum SequenceNumber {
    /// Whether `a` comes after `b`. Exactly half the space apart, the numerically larger counts as
    /// newer, so that of two distinct numbers exactly one is newer than the other.
    public static func isNewer(_ a: UInt16, than b: UInt16) -> Bool {
        let forward = a &- b
        return forward == 0x8000 ? a > b : forward != 0 && forward < 0x8000
    }

    /// The signed step from `b` to `a`: within ±32767, or ±32768 exactly half the space apart, the sign
    /// then following ``isNewer(_:than:)``.
    public static func distance(from b: UInt16, to a: UInt16) -> Int {
        let forward = Int(a &- b)
        return isNewer(a, than: b) ? forward : (forward == 0 ? 0 : forward - 0x10000)
    }

    /// `numbers` without duplicates, in sending order: sorted numerically and then rotated to start after
    /// the widest gap, so a run crossing 65535 → 0 stays in one piece whatever order it came in.
    public static func sorted(_ numbers: some Sequence<UInt16>) -> [UInt16] {
        let unique = Array(Set(numbers)).sorted()
        guard unique.count > 1 else { return unique }
        var widest = (gap: Int(unique[0]) + 0x10000 - Int(unique[unique.count - 1]), start: 0)
        for i in 1..<unique.count where Int(unique[i] - unique[i - 1]) > widest.gap {
            widest = (Int(unique[i] - unique[i - 1]), i)
        }
        return Array(unique[widest.start...] + unique[..<widest.start])
    }
}

/// Extends a wrapping counter (16-bit sequence numbers, 32-bit timestamps) to 64 bits by tracking how
/// often it wrapped: each value is taken as the nearest one to the previous value.
///
/// The first value maps to itself; values before it may map below zero.
public struct Unwrapper<Value: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable {
    private var last: Int64?

    /// - Precondition: `Value` has at most 32 bits, so that 64 bits leave room to count wraps.
    public init() {
        precondition(Value.bitWidth <= 32, "Unwrapper extends counters of at most 32 bits")
    }

    /// The 64-bit value of `value`, given the previous call's.
    public mutating func unwrap(_ value: Value) -> Int64 {
        let unwrapped = peek(value)
        last = unwrapped
        return unwrapped
    }

    /// What ``unwrap(_:)`` would return, without remembering `value`.
    public func peek(_ value: Value) -> Int64 {
        guard let last else { return Int64(value) }
        let span = Int64(1) << Value.bitWidth
        let half = span / 2
        var step = (Int64(value) - last) % span
        if step < 0 { step += span }
        // Same tie rule as SequenceNumber.isNewer: half the space ahead is ahead only for the larger value.
        if step > half || (step == half && Int64(value) < last & (span - 1)) { step -= span }
        return last + step
    }
}

/// Extends 16-bit RTP sequence numbers to 64 bits.
public typealias SequenceUnwrapper = Unwrapper<UInt16>
/// Extends 32-bit RTP timestamps to 64 bits.
public typealias TimestampUnwrapper = Unwrapper<UInt32>
