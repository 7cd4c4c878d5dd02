/// The most recent packets a sender sent, by sequence number, so NACKed ones can be sent again
/// (RFC 4585 §6.2.1). A ring: storing never allocates once it is full, and old packets fall out.
public struct RetransmissionStore: Sendable {
    private var slots: [(sequenceNumber: UInt16, packet: [UInt8])?]

    /// - Parameter capacity: packets kept; about one second of a 2 Mbit/s stream at 1200-byte packets by default.
    public init(capacity: Int = 256) {
        slots = Array(repeating: nil, count: max(1, capacity))
    }

    public mutating func store(_ packet: [UInt8], sequenceNumber: UInt16) {
        slots[Int(sequenceNumber) % slots.count] = (sequenceNumber, packet)
    }

    /// The packet sent with `sequenceNumber`, unless it has been overwritten since.
    public func packet(_ sequenceNumber: UInt16) -> [UInt8]? {
        guard let slot = slots[Int(sequenceNumber) % slots.count], slot.sequenceNumber == sequenceNumber else { return nil }
        return slot.packet
    }
}
