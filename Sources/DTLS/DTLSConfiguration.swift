import SRTP

/// Tunables of a ``DTLSConnection``.
public struct DTLSConfiguration: Sendable {
    /// Largest UDP payload a datagram may have; handshake messages are fragmented to fit.
    /// 1200 keeps DTLS inside the smallest path MTU WebRTC assumes (IPv6 minimum minus headers).
    public var mtu: Int = 1200
    /// First retransmission timeout of a handshake flight (RFC 6347 §4.2.4.1 recommends 1 s);
    /// at least 50 ms is used, because OpenSSL treats a timer with under 15 ms left as expired.
    public var initialRetransmissionTimeout: Duration = .seconds(1)
    /// Ceiling of the doubling retransmission timeout (RFC 6347 §4.2.4.1: 60 s).
    public var maximumRetransmissionTimeout: Duration = .seconds(60)
    /// SRTP profiles offered (client) or accepted (server), most preferred first.
    public var srtpProfiles: [SRTPProfile] = [.aeadAes128Gcm, .aes128CmHmacSha1_80]

    public init() {}
}
