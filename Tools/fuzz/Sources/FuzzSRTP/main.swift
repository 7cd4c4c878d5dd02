import FuzzDriver
import Glibc
import SRTP

// Byte 0 picks the check; the rest is the packet. 0/1: unprotect arbitrary SRTP/SRTCP (a rejection
// must leave the packet empty and be counted); 2/3: protect arbitrary RTP/RTCP and, when that works,
// unprotecting it with the peer's session must give the same bytes back. PacketClass sees every input.
// The key is libsrtp's srtp_driver test key, so the Fixtures/SRTP vectors make valid seeds.
let profile = SRTPProfile.aes128CmHmacSha1_80
let key = try! SRTPMasterKey(
    key: [0xE1, 0xF9, 0x7A, 0x0D, 0x3E, 0x01, 0x8B, 0xE0, 0xD6, 0x4F, 0xA3, 0x2C, 0x06, 0xDE, 0x41, 0x39],
    salt: [0x0E, 0xC6, 0x75, 0xAD, 0x49, 0x8A, 0xFE, 0xEB, 0xB6, 0x96, 0x0B, 0x3A, 0xAB, 0xE6], profile: profile)

exit(fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = PacketClass.classify(bytes)
    guard let mode = bytes.first, let session = try? SRTPSession(profile: profile, local: key, remote: key) else { return 0 }
    var packet = Array(bytes.dropFirst())
    switch mode % 4 {
    case 0, 1:
        do {
            if mode % 4 == 0 { try session.unprotectRTP(&packet) } else { try session.unprotectRTCP(&packet) }
        } catch {
            precondition(packet.isEmpty, "a rejected packet kept its bytes")
            precondition(session.rejections.total == 1, "a rejection was not counted")
        }
    default:
        let original = packet
        let rtcp = mode % 4 == 3
        do {
            if rtcp { try session.protectRTCP(&packet) } else { try session.protectRTP(&packet) }
        } catch {
            return 0
        }
        do {
            if rtcp { try session.unprotectRTCP(&packet) } else { try session.unprotectRTP(&packet) }
        } catch {
            preconditionFailure("our own protected packet was rejected: \(error)")
        }
        precondition(packet == original, "protect then unprotect changed the packet")
    }
    return 0
})
