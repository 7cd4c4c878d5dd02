import DTLS
import FuzzDriver
import Glibc

// Feeds arbitrary datagrams to a fresh DTLS server or client (OpenSSL behind our memory-BIO driver;
// the fingerprint parser is SDP's, which FuzzSDP covers). Input: byte 0 bit 0 picks the role (0 server,
// 1 client); the rest is datagrams, each a 2-byte big-endian length and that many bytes.
// Nothing may crash and the connection must never report keys (no peer knows our fingerprint).
let certificate = try! DTLSCertificate.generateSelfSigned()
let peerFingerprint = try! DTLSCertificate.generateSelfSigned().fingerprint

exit(fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    let now = ContinuousClock.now
    guard let connection = try? DTLSConnection(role: first & 1 == 0 ? .server : .client, certificate: certificate,
                                               remoteFingerprint: peerFingerprint, now: now) else { return 0 }
    var offset = 1
    while offset + 2 <= bytes.count {
        let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
        let end = min(bytes.count, offset + 2 + length)
        connection.handle(datagram: bytes[(offset + 2)..<end], at: now)
        offset = end
        while let output = connection.poll() {
            if case .event(.connected) = output { preconditionFailure("keys exported to an unauthenticated peer") }
        }
    }
    connection.handleTimeout(at: now + .seconds(120))
    connection.close()
    return 0
})
