import FuzzDriver
import Glibc
import Signalling

// Parses arbitrary bytes as a signalling message (any text a WebSocket peer may send); a message that
// parses must encode to text that parses back to the same message.
exit(fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let message = try? Message(parsing: text) else { return 0 }
    let again = try? Message(parsing: message.encoded)
    precondition(again == message, "re-encoded message did not parse to the same message")
    return 0
})
