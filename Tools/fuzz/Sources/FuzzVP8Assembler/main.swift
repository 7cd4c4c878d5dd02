import FuzzDriver
import Glibc
import RTP
import VP8

// Drives a VP8FrameAssembler with a packet stream read from the input: per packet, a 2-byte sequence
// step, a timestamp byte, a flags byte (marker, payload length) and the payload. Whatever the order,
// nothing traps, what is held stays within the window, and every frame is consistent with its packets.
let window = 48

exit(fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var assembler = VP8FrameAssembler(window: window)
    var sequenceNumber: UInt16 = 65500
    var offset = 0
    while bytes.count - offset >= 4 {
        // Steps mostly small and forward, sometimes back or far, to reach wrap, reordering and stale cases.
        let step = Int16(bitPattern: UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]))
        sequenceNumber &+= UInt16(bitPattern: step % 64 == 0 ? step : step % 8)
        let timestamp = UInt32(bytes[offset + 2]) * 3000
        let flags = bytes[offset + 3]
        let length = min(Int(flags & 0x3F), bytes.count - offset - 4)
        let payload = Array(bytes[(offset + 4)..<(offset + 4 + length)])
        offset += 4 + length
        let packet = RTPPacket(marker: flags & 0x80 != 0, payloadType: 96, sequenceNumber: sequenceNumber,
                               timestamp: timestamp, ssrc: 1, payload: payload)
        let frame: VP8Frame?
        do { frame = try assembler.insert(packet) } catch { continue }
        if let frame {
            precondition(frame.timestamp == timestamp, "a frame completed by a packet of another timestamp")
            precondition(frame.sequenceNumbers.count <= window, "a frame longer than the window")
            precondition(!frame.data.isEmpty, "an empty frame")
        }
        precondition(assembler.missingSequenceNumbers.count <= window, "more missing than the window holds")
    }
    return 0
})
