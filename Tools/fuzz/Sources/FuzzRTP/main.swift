import FuzzDriver
import Glibc
import RTP

// Parses arbitrary bytes as RTP; a packet that parses must serialize to bytes that parse to the same
// packet, and its extension values must read as abs-send-time / transport-wide sequence or throw.
exit(fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let packet = try? RTPPacket(parsing: bytes) else { return 0 }
    let again = try? RTPPacket(parsing: packet.bytes)
    precondition(again == packet, "serialized packet did not parse to the same packet")
    for element in packet.headerExtensions {
        if let time = try? AbsoluteSendTime(parsing: element.value) {
            precondition(time.bytes == element.value, "abs-send-time did not round-trip")
        }
        if let number = try? TransportSequenceNumber(parsing: element.value) {
            precondition(number.bytes == element.value, "transport-wide sequence number did not round-trip")
        }
    }
    return 0
})
