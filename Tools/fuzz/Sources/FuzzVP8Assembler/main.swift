import FuzzDriver
import Glibc
import RTP
import VP8

// Drives a VP8FrameAssembler with a packet stream read from the input: per packet, a 2-byte sequence
// step, a timestamp byte, a flags byte (marker, payload length) and the payload. Whatever the order,
// nothing traps, what is held stays within the window, and every frame is exactly the packets it names:
// consecutive, one timestamp, a frame start first, the marker last, their data in order.
let window = 48

exit(fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var assembler = VP8FrameAssembler(window: window)
    var unwrapper = SequenceUnwrapper()
    // The first packet the assembler accepted for each extended sequence number; it ignores later copies.
    var sent: [Int64: (packet: RTPPacket, descriptor: PayloadDescriptor, data: ArraySlice<UInt8>)] = [:]
    var sequenceNumber: UInt16 = 65500
    var offset = 0
    while bytes.count - offset >= 4 {
        // Steps mostly small and forward, sometimes back or far, to reach wrap, reordering and stale cases.
        let step = Int16(bitPattern: UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]))
        sequenceNumber &+= UInt16(bitPattern: step % 64 == 0 ? step : step % 8)
        let flags = bytes[offset + 3]
        let length = min(Int(flags & 0x3F), bytes.count - offset - 4)
        let packet = RTPPacket(marker: flags & 0x80 != 0, payloadType: 96, sequenceNumber: sequenceNumber,
                               timestamp: UInt32(bytes[offset + 2]) * 3000, ssrc: 1,
                               payload: Array(bytes[(offset + 4)..<(offset + 4 + length)]))
        offset += 4 + length
        let frame: VP8Frame?
        do { frame = try assembler.insert(packet) } catch { continue }
        // Unwrapping depends on the path, so follow the assembler's: it unwraps what it does not refuse.
        let number = unwrapper.unwrap(sequenceNumber)
        if sent[number] == nil, let (descriptor, data) = try? PayloadDescriptor.split(packet.payload) {
            sent[number] = (packet, descriptor, data)
        }
        precondition(assembler.missingSequenceNumbers.count <= window, "more missing than the window holds")
        guard let frame else { continue }

        let parts = frame.sequenceNumbers.map { sent[$0] }
        precondition(parts.allSatisfy { $0 != nil }, "a frame names a packet that was never accepted")
        let packets = parts.map { $0! }
        precondition(packets.allSatisfy { $0.packet.timestamp == frame.timestamp }, "a frame mixes timestamps")
        precondition(packets.first!.descriptor.isStartOfPartition && packets.first!.descriptor.partitionIndex == 0,
                     "a frame that does not begin at a frame start")
        precondition(packets.last!.packet.marker && packets.dropLast().allSatisfy { !$0.packet.marker },
                     "a frame whose marker is not on its last packet only")
        precondition(frame.data == Array(packets.map(\.data).joined()), "a frame's data is not its packets' data")
        precondition(frame.isKeyFrame == (frame.data.first! & 1 == 0), "key frame flag disagrees with the P bit")
        precondition(frame.sequenceNumbers.count <= window, "a frame longer than the window")
    }
    return 0
})
