import FuzzDriver
import Glibc
import SDP

private let local = LocalParameters(
    iceUfrag: "fuzz", icePwd: "fuzzfuzzfuzzfuzzfuzzfu", fingerprint: Fingerprint(hashFunction: "sha-256", bytes: Array(repeating: 1, count: 32)),
    sessionID: 1, source: MediaSource(ssrc: 1, retransmissionSSRC: 2, cname: "c", streamID: "s", trackID: "t"))

// Parses arbitrary bytes as SDP; a description that parses must serialize to one that parses the
// same, and answering it must either work or throw.
exit(fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let description = try? SessionDescription(parsing: text) else { return 0 }
    let again = try? SessionDescription(parsing: description.serialized)
    precondition(again == description, "serialized description did not parse to the same model")
    if let answer = try? SessionDescription.answer(to: description, local: local, wanting: .sendonly) {
        precondition((try? SessionDescription(parsing: answer.serialized)) == answer, "answer did not round-trip")
    }
    return 0
})
