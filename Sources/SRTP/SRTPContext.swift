import CSRTP

/// One libsrtp session (`srtp_t`) for one direction, keyed with one master key.
///
/// The policy is a template (`ssrc_any_outbound` / `ssrc_any_inbound`), so libsrtp adds a stream
/// for each SSRC the first time it protects, or successfully authenticates, a packet of it.
final class SRTPContext {
    enum Direction {
        case outbound
        case inbound
    }

    private let session: srtp_t

    init(profile: SRTPProfile, masterKey: SRTPMasterKey, direction: Direction, replayWindow: Int) throws(SRTPError) {
        let initStatus = LibSRTP.ensureInitialized()
        guard initStatus == srtp_err_status_ok else {
            throw .sessionCreationFailed(status: Int32(initStatus.rawValue))
        }
        var policy = srtp_policy_t()
        for status in [
            srtp_crypto_policy_set_from_profile_for_rtp(&policy.rtp, profile.libsrtpProfile),
            srtp_crypto_policy_set_from_profile_for_rtcp(&policy.rtcp, profile.libsrtpProfile),
        ] where status != srtp_err_status_ok {
            throw .sessionCreationFailed(status: Int32(status.rawValue))
        }
        policy.ssrc = srtp_ssrc_t(type: direction == .outbound ? ssrc_any_outbound : ssrc_any_inbound, value: 0)
        policy.window_size = UInt(replayWindow)
        // A NACK-driven retransmission re-protects the same RTP packet; the receiver's replay
        // window still drops duplicates it has already accepted.
        policy.allow_repeat_tx = 1
        // libsrtp wants key || salt in one buffer and copies it during srtp_create.
        var keyAndSalt = masterKey.key + masterKey.salt
        var created: srtp_t?
        let status = keyAndSalt.withUnsafeMutableBufferPointer { buffer in
            policy.key = buffer.baseAddress
            return srtp_create(&created, &policy)
        }
        keyAndSalt.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices { buffer[index] = 0 }
        }
        guard status == srtp_err_status_ok, let created else {
            throw .sessionCreationFailed(status: Int32(status.rawValue))
        }
        session = created
    }

    deinit {
        srtp_dealloc(session)
    }

    /// Runs one libsrtp transform in place on `length` bytes at `bytes`; returns the status and new length.
    func transform(_ operation: SRTPOperation, _ bytes: UnsafeMutableRawPointer, length: Int) -> (srtp_err_status_t, Int) {
        var octets = Int32(length)
        let status =
            switch operation {
            case .protectRTP: srtp_protect(session, bytes, &octets)
            case .protectRTCP: srtp_protect_rtcp(session, bytes, &octets)
            case .unprotectRTP: srtp_unprotect(session, bytes, &octets)
            case .unprotectRTCP: srtp_unprotect_rtcp(session, bytes, &octets)
            }
        return (status, Int(octets))
    }
}

/// The four in-place transforms of libsrtp.
enum SRTPOperation {
    case protectRTP
    case protectRTCP
    case unprotectRTP
    case unprotectRTCP

    var isProtect: Bool { self == .protectRTP || self == .protectRTCP }
}
