/// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1):
/// for a run of transport-wide sequence numbers, whether each packet arrived and when.
///
/// Statuses are kept per packet with the delta form the wire used; serializing chooses its own packet
/// status chunks, so the bytes may differ from what was parsed while the statuses stay equal.
public struct TransportFeedback: Hashable, Sendable {
    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    /// The transport-wide sequence number of the first status.
    public var baseSequenceNumber: UInt16
    /// Arrival time of the first received packet's reference, in multiples of 64 ms, 24-bit signed.
    public var referenceTime: Int32
    /// Counts feedback packets, so the sender can tell when one was lost.
    public var feedbackPacketCount: UInt8
    /// One status per sequence number from `baseSequenceNumber` on; at most 65535.
    public var statuses: [PacketStatus]

    /// What the receiver says about one packet. Deltas are in 250 µs steps from the previous received
    /// packet (or the reference time, for the first).
    public enum PacketStatus: Hashable, Sendable {
        case notReceived
        /// Received, the delta fitting one unsigned byte (0–63.75 ms).
        case smallDelta(UInt8)
        /// Received, the delta as two signed bytes (-8192 ms to 8191.75 ms).
        case largeDelta(Int16)

        /// The 2-bit status symbol (§3.1.1).
        var symbol: UInt8 {
            switch self {
            case .notReceived: 0
            case .smallDelta: 1
            case .largeDelta: 2
            }
        }
    }

    public init(senderSSRC: UInt32, mediaSSRC: UInt32, baseSequenceNumber: UInt16, referenceTime: Int32,
                feedbackPacketCount: UInt8, statuses: [PacketStatus]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.baseSequenceNumber = baseSequenceNumber
        self.referenceTime = referenceTime
        self.feedbackPacketCount = feedbackPacketCount
        self.statuses = statuses
    }

    /// The received packets with their arrival times relative to the sender-chosen time base
    /// (reference time plus the running sum of deltas).
    public var arrivals: [(sequenceNumber: UInt16, arrival: Duration)] {
        var time = Duration.milliseconds(64) * Int(referenceTime)
        var result: [(UInt16, Duration)] = []
        for (index, status) in statuses.enumerated() {
            let delta: Int
            switch status {
            case .notReceived: continue
            case .smallDelta(let d): delta = Int(d)
            case .largeDelta(let d): delta = Int(d)
            }
            time += .microseconds(250 * delta)
            result.append((baseSequenceNumber &+ UInt16(truncatingIfNeeded: index), time))
        }
        return result
    }

    /// What one packet status chunk can hold (§3.1.3, §3.1.4).
    private static let runLengthMaximum = 0x1FFF
    private static let oneBitSymbols = 14
    private static let twoBitSymbols = 7

    init(senderSSRC: UInt32, mediaSSRC: UInt32, fci: [UInt8]) throws(RTPError) {
        func fail(_ reason: String) -> RTPError { .badRTCP(type: RTCPPacket.PacketType.transportFeedback, reason: reason) }
        guard fci.count >= 8 else { throw fail("transport-wide CC FCI shorter than 8 bytes") }
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        baseSequenceNumber = fci.uint16(at: 0)
        let count = Int(fci.uint16(at: 2))
        referenceTime = Int32(bitPattern: fci.uint24(at: 4) << 8) >> 8
        feedbackPacketCount = fci[7]

        var symbols: [UInt8] = []
        symbols.reserveCapacity(count)
        var offset = 8
        while symbols.count < count {
            guard fci.count - offset >= 2 else { throw fail("packet status chunks end after \(symbols.count) of \(count) statuses") }
            let chunk = fci.uint16(at: offset)
            offset += 2
            let remaining = count - symbols.count
            if chunk & 0x8000 == 0 {
                let symbol = UInt8(chunk >> 13 & 0x3)
                let run = Int(chunk & 0x1FFF)
                guard run > 0 else { throw fail("run-length chunk of length 0") }
                symbols.append(contentsOf: repeatElement(symbol, count: min(run, remaining)))
            } else if chunk & 0x4000 == 0 {
                for i in 0..<min(Self.oneBitSymbols, remaining) { symbols.append(UInt8(chunk >> (13 - i) & 1)) }
            } else {
                for i in 0..<min(Self.twoBitSymbols, remaining) { symbols.append(UInt8(chunk >> (12 - 2 * i) & 3)) }
            }
        }

        statuses = []
        statuses.reserveCapacity(count)
        for symbol in symbols {
            switch symbol {
            case 0:
                statuses.append(.notReceived)
            case 1:
                guard offset < fci.count else { throw fail("receive deltas end early") }
                statuses.append(.smallDelta(fci[offset]))
                offset += 1
            case 2:
                guard fci.count - offset >= 2 else { throw fail("receive deltas end early") }
                statuses.append(.largeDelta(Int16(bitPattern: fci.uint16(at: offset))))
                offset += 2
            default:
                throw fail("reserved packet status symbol 3")
            }
        }
        // What follows the deltas is padding to the word boundary; it is not interpreted.
    }

    func serializeFCI(into out: inout [UInt8]) {
        precondition(statuses.count <= 0xFFFF, "a transport-wide CC packet carries at most 65535 statuses")
        out.append16(baseSequenceNumber)
        out.append16(UInt16(statuses.count))
        out.append24(UInt32(bitPattern: referenceTime))
        out.append(feedbackPacketCount)

        // Greedy chunking: a long run of one symbol becomes a run-length chunk; otherwise a one-bit
        // vector when the next 14 statuses need no large delta, else a two-bit vector of 7.
        let symbols = statuses.map(\.symbol)
        var index = 0
        while index < symbols.count {
            var run = 1
            while index + run < symbols.count, run < Self.runLengthMaximum, symbols[index + run] == symbols[index] { run += 1 }
            let window = symbols[index..<min(index + Self.oneBitSymbols, symbols.count)]
            let fitsOneBit = !window.contains(2)
            if run >= Self.oneBitSymbols || (!fitsOneBit && run >= Self.twoBitSymbols) {
                out.append16(UInt16(symbols[index]) << 13 | UInt16(run))
                index += run
            } else if fitsOneBit {
                var chunk: UInt16 = 0x8000
                for (i, symbol) in window.enumerated() { chunk |= UInt16(symbol) << (13 - i) }
                out.append16(chunk)
                index += window.count
            } else {
                var chunk: UInt16 = 0xC000
                for (i, symbol) in symbols[index..<min(index + Self.twoBitSymbols, symbols.count)].enumerated() {
                    chunk |= UInt16(symbol) << (12 - 2 * i)
                }
                out.append16(chunk)
                index += min(Self.twoBitSymbols, symbols.count - index)
            }
        }

        for status in statuses {
            switch status {
            case .notReceived: break
            case .smallDelta(let delta): out.append(delta)
            case .largeDelta(let delta): out.append16(UInt16(bitPattern: delta))
            }
        }
    }
}
