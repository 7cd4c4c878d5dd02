// Throughput of Glimpse's SRTP path (SRTPSession) against calling libsrtp directly, on 1200-byte
// RTP packets: each iteration protects one packet and unprotects it on the receiving session.
// Prints `name value unit` lines. Run: swift build -c release --product BenchSRTP && .build/release/BenchSRTP
import CSRTP
import SRTP

let packetLength = 1200
let iterations = 100_000
let rounds = 2

/// A plausible RTP header (V=2, PT 96) with the given sequence number, followed by payload bytes.
func writeRTPPacket(into bytes: UnsafeMutableRawBufferPointer, sequence: UInt16) {
    bytes[0] = 0x80
    bytes[1] = 96
    bytes[2] = UInt8(sequence >> 8)
    bytes[3] = UInt8(sequence & 0xFF)
    for index in 4..<8 { bytes[index] = 0 }
    for (index, byte) in [UInt8]([0x12, 0x34, 0x56, 0x78]).enumerated() { bytes[8 + index] = byte }
}

func randomKey(_ profile: SRTPProfile) -> SRTPMasterKey {
    var generator = SystemRandomNumberGenerator()
    let key = (0..<profile.masterKeyLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    let salt = (0..<profile.masterSaltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    // Lengths come from the profile itself, so this cannot fail.
    return try! SRTPMasterKey(key: key, salt: salt, profile: profile)
}

/// Runs `body` `iterations` times and returns packets per second (best of `rounds`).
func measure(_ body: (Int) -> Void) -> Double {
    var best = 0.0
    for round in 0..<rounds {
        let start = ContinuousClock.now
        for index in 0..<iterations { body(round * iterations + index) }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        best = max(best, Double(iterations) / seconds)
    }
    return best
}

/// Our path in the steady state: one reused packet buffer. The number of times its storage moved
/// (a reallocation, i.e. a heap allocation in our layer) is returned with the rate.
func glimpsePath(_ profile: SRTPProfile) throws -> (packetsPerSecond: Double, reallocations: Int) {
    let a = randomKey(profile), b = randomKey(profile)
    let sender = try SRTPSession(profile: profile, local: a, remote: b)
    let receiver = try SRTPSession(profile: profile, local: b, remote: a)
    var packet = [UInt8](repeating: 0xAB, count: packetLength)
    packet.reserveCapacity(packetLength + SRTPSession.maximumTrailerLength)
    var failures = 0
    let storage = { packet.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) } }
    let initialStorage = storage()
    var reallocations = 0
    let rate = measure { index in
        if packet.count != packetLength { packet.append(contentsOf: repeatElement(0xAB, count: packetLength - packet.count)) }
        packet.withUnsafeMutableBytes { writeRTPPacket(into: $0, sequence: UInt16(truncatingIfNeeded: index)) }
        do {
            try sender.protectRTP(&packet)
            try receiver.unprotectRTP(&packet)
        } catch {
            failures += 1
        }
        if storage() != initialStorage { reallocations += 1 }
    }
    precondition(failures == 0 && receiver.rejections.total == 0, "SRTP round trip failed")
    return (rate, reallocations)
}

func libsrtpPath(_ profile: SRTPProfile) -> Double {
    let key = randomKey(profile)
    func session(_ type: srtp_ssrc_type_t) -> srtp_t? {
        var policy = srtp_policy_t()
        let libsrtpProfile = profile == .aeadAes128Gcm ? srtp_profile_aead_aes_128_gcm : srtp_profile_aes128_cm_sha1_80
        _ = srtp_crypto_policy_set_from_profile_for_rtp(&policy.rtp, libsrtpProfile)
        _ = srtp_crypto_policy_set_from_profile_for_rtcp(&policy.rtcp, libsrtpProfile)
        policy.ssrc = srtp_ssrc_t(type: type, value: 0)
        policy.window_size = 1024
        policy.allow_repeat_tx = 1
        var material = key.key + key.salt
        var created: srtp_t?
        let status = material.withUnsafeMutableBufferPointer { buffer in
            policy.key = buffer.baseAddress
            return srtp_create(&created, &policy)
        }
        return status == srtp_err_status_ok ? created : nil
    }
    // srtp_init already ran once inside the SRTP module (glimpsePath runs first).
    guard let sender = session(ssrc_any_outbound), let receiver = session(ssrc_any_inbound) else {
        fatalError("srtp_create failed")
    }
    defer {
        srtp_dealloc(sender)
        srtp_dealloc(receiver)
    }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: packetLength + SRTPSession.maximumTrailerLength, alignment: 8)
    defer { buffer.deallocate() }
    buffer.initializeMemory(as: UInt8.self, repeating: 0xAB)
    var failures = 0
    let rate = measure { index in
        writeRTPPacket(into: buffer, sequence: UInt16(truncatingIfNeeded: index))
        var length = Int32(packetLength)
        if srtp_protect(sender, buffer.baseAddress, &length) != srtp_err_status_ok
            || srtp_unprotect(receiver, buffer.baseAddress, &length) != srtp_err_status_ok {
            failures += 1
        }
    }
    precondition(failures == 0, "libsrtp round trip failed")
    return rate
}

for profile in SRTPProfile.allCases {
    let name = profile == .aeadAes128Gcm ? "aead_aes_128_gcm" : "aes128_cm_sha1_80"
    // Alternate the two paths so neither always runs on a colder or hotter CPU; keep each one's best.
    var glimpse = try glimpsePath(profile)
    var direct = libsrtpPath(profile)
    for _ in 0..<2 {
        direct = max(direct, libsrtpPath(profile))
        let again = try glimpsePath(profile)
        glimpse = (max(glimpse.packetsPerSecond, again.packetsPerSecond), glimpse.reallocations + again.reallocations)
    }
    let mbits = { (rate: Double) in rate * Double(packetLength * 8) / 1e6 }
    print("srtp_glimpse_\(name)_packets \(Int(glimpse.packetsPerSecond)) packets/s")
    print("srtp_glimpse_\(name)_throughput \(Int(mbits(glimpse.packetsPerSecond))) Mbit/s")
    print("srtp_libsrtp_\(name)_packets \(Int(direct)) packets/s")
    print("srtp_libsrtp_\(name)_throughput \(Int(mbits(direct))) Mbit/s")
    print("srtp_ratio_\(name) \(Double(Int(glimpse.packetsPerSecond / direct * 1000)) / 1000) ratio")
    print("srtp_glimpse_\(name)_buffer_reallocations \(glimpse.reallocations) count")
}
