import FuzzDriver
import Glibc
import STUN

// Parses arbitrary bytes as STUN; a message that parses must re-encode to one that parses the same.
exit(fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let message = try? Message(parsing: bytes) else { return 0 }
    _ = message.verifyIntegrity(key: [1, 2, 3])
    let again = try? Message(parsing: message.encode(integrity: .sha1(key: [1]), fingerprint: true))
    precondition(again?.attributes == message.attributes, "re-encoded message did not parse to the same attributes")
    return 0
})
