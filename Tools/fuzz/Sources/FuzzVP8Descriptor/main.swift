import FuzzDriver
import Glibc
import VP8

// Parses arbitrary bytes as a VP8 RTP payload; a descriptor that parses must serialize to one that
// parses the same, and the VP8 data must start right after it.
exit(fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let (descriptor, payload) = try? PayloadDescriptor.split(bytes) else { return 0 }
    precondition((try? PayloadDescriptor(parsing: bytes)) == descriptor, "init(parsing:) and split disagree")
    let encoded = descriptor.bytes
    precondition(encoded.count == descriptor.length, "length disagrees with the bytes")
    let again = try? PayloadDescriptor.split(encoded + payload)
    precondition(again?.descriptor == descriptor && again?.data == payload, "descriptor did not round-trip")
    return 0
})
