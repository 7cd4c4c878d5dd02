import CSRTP

/// SRTP and SRTCP for one transport: an outbound libsrtp session keyed with our master key and an
/// inbound one keyed with the peer's (RFC 5764 §4.2 gives one key per DTLS role).
///
/// All transforms work in place, so a caller that reuses its buffers allocates nothing per packet.
/// Rejected incoming packets (failed authentication, replays, garbage) are counted in
/// ``rejections`` and surface as ``SRTPError/rejected(_:)``; their bytes are never handed back.
/// Not thread-safe: use one session from one thread (the connection's event loop).
public final class SRTPSession {
    /// Bytes a caller must leave free after a packet it protects: libsrtp may write a tag and MKI
    /// (`SRTP_MAX_TRAILER_LEN`) plus, for SRTCP, the 4-byte E-flag/index word (RFC 3711 §3.4).
    public static let maximumTrailerLength = Int(SRTP_MAX_TRAILER_LEN) + 4

    /// The protection profile both directions use.
    public let profile: SRTPProfile
    /// Incoming packets dropped so far, by reason.
    public private(set) var rejections = SRTPRejectionCounters()

    /// Appended before protecting: a contiguous array copies with memcpy, unlike a lazy sequence of zeros.
    private static let trailerRoom = [UInt8](repeating: 0, count: maximumTrailerLength)

    private let outbound: SRTPContext
    private let inbound: SRTPContext

    /// Creates both directions.
    /// - Parameters:
    ///   - local: the master key and salt this side protects with.
    ///   - remote: the master key and salt the peer protects with.
    ///   - replayWindow: packets the inbound replay window spans (libsrtp accepts 64 … 32767).
    public init(profile: SRTPProfile, local: SRTPMasterKey, remote: SRTPMasterKey, replayWindow: Int = 1024) throws(SRTPError) {
        self.profile = profile
        outbound = try SRTPContext(profile: profile, masterKey: local, direction: .outbound, replayWindow: replayWindow)
        inbound = try SRTPContext(profile: profile, masterKey: remote, direction: .inbound, replayWindow: replayWindow)
    }

    /// Encrypts and authenticates an RTP packet in place, growing it by the tag.
    /// Reserve `count + maximumTrailerLength` capacity to avoid a reallocation.
    public func protectRTP(_ packet: inout [UInt8]) throws(SRTPError) {
        try transform(.protectRTP, &packet)
    }

    /// Encrypts and authenticates an RTCP compound packet in place (SRTCP index and tag appended).
    public func protectRTCP(_ packet: inout [UInt8]) throws(SRTPError) {
        try transform(.protectRTCP, &packet)
    }

    /// Authenticates and decrypts an SRTP packet in place. On rejection `packet` is emptied.
    public func unprotectRTP(_ packet: inout [UInt8]) throws(SRTPError) {
        try transform(.unprotectRTP, &packet)
    }

    /// Authenticates and decrypts an SRTCP packet in place. On rejection `packet` is emptied.
    public func unprotectRTCP(_ packet: inout [UInt8]) throws(SRTPError) {
        try transform(.unprotectRTCP, &packet)
    }

    /// Protects the RTP packet in the first `length` bytes of `buffer` in place and returns its new
    /// length; `buffer` must have ``maximumTrailerLength`` bytes of room after the packet.
    public func protectRTP(in buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try transform(.protectRTP, buffer, length: length)
    }

    /// Protects the RTCP packet in the first `length` bytes of `buffer` in place; see ``protectRTP(in:length:)``.
    public func protectRTCP(in buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try transform(.protectRTCP, buffer, length: length)
    }

    /// Unprotects the SRTP packet in the first `length` bytes of `buffer` in place; returns the RTP length.
    public func unprotectRTP(in buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try transform(.unprotectRTP, buffer, length: length)
    }

    /// Unprotects the SRTCP packet in the first `length` bytes of `buffer` in place; returns the RTCP length.
    public func unprotectRTCP(in buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try transform(.unprotectRTCP, buffer, length: length)
    }

    private func transform(_ operation: SRTPOperation, _ packet: inout [UInt8]) throws(SRTPError) {
        let length = packet.count
        if operation.isProtect {
            packet.append(contentsOf: Self.trailerRoom)
        }
        let context = operation.isProtect ? outbound : inbound
        let (status, newLength) = packet.withUnsafeMutableBytes { buffer in
            guard let bytes = buffer.baseAddress else { return (srtp_err_status_bad_param, 0) }
            return context.transform(operation, bytes, length: length)
        }
        guard status == srtp_err_status_ok else {
            packet.removeAll(keepingCapacity: true)
            throw reject(operation, status: status)
        }
        packet.removeLast(packet.count - newLength)
    }

    private func transform(_ operation: SRTPOperation, _ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard length >= 0, length <= buffer.count, let bytes = buffer.baseAddress else {
            throw reject(operation, status: srtp_err_status_bad_param)
        }
        if operation.isProtect, buffer.count - length < Self.maximumTrailerLength {
            throw .insufficientTailroom
        }
        let (status, newLength) = (operation.isProtect ? outbound : inbound).transform(operation, bytes, length: length)
        guard status == srtp_err_status_ok else { throw reject(operation, status: status) }
        return newLength
    }

    private func reject(_ operation: SRTPOperation, status: srtp_err_status_t) -> SRTPError {
        guard !operation.isProtect else { return .protectFailed(status: Int32(status.rawValue)) }
        let reason: SRTPRejection =
            switch status {
            case srtp_err_status_auth_fail: .authenticationFailed
            case srtp_err_status_replay_fail, srtp_err_status_replay_old, srtp_err_status_pkt_idx_old: .replayed
            case srtp_err_status_bad_param, srtp_err_status_parse_err: .malformed
            default: .other
            }
        rejections.count(reason)
        return .rejected(reason)
    }
}
