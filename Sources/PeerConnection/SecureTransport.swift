import DTLS
import SDP
import SRTP

/// DTLS-SRTP on the path ICE selected (RFC 5764), sans-IO: the DTLS handshake, then SRTP and SRTCP
/// protection with the exported keys. One per peer connection (BUNDLE and rtcp-mux put everything on
/// one path).
///
/// The owner demultiplexes its socket (RFC 7983) and hands DTLS, SRTP and SRTCP datagrams to
/// ``handle(datagram:at:)``; STUN stays with ICE. After each call drain ``poll()``.
///
/// The peer may start its handshake before signalling has told us its fingerprint and our DTLS role
/// (its answer can be slower than its first ClientHello), so DTLS datagrams that arrive before
/// ``start(role:remoteFingerprint:at:)`` are kept, up to ``earlyDatagramLimit``, and replayed then.
public final class SecureTransport {
    public enum State: Sendable, Equatable {
        /// Waiting for signalling to give the DTLS role and the peer's fingerprint.
        case waiting
        case handshaking
        /// SRTP keys are in place; media flows.
        case connected
        case closed
        case failed
    }

    public enum Event: Sendable, Equatable {
        /// The handshake completed with a verified peer and SRTP is keyed with `profile`.
        case connected(SRTPProfile)
        case failed(DTLSError)
        /// Either side sent close_notify.
        case closed
    }

    public enum Output: Sendable, Equatable {
        /// A datagram to send to the peer on the selected path.
        case transmit([UInt8])
        /// A received RTP packet, authenticated and decrypted.
        case rtp([UInt8])
        /// A received RTCP compound packet, authenticated and decrypted.
        case rtcp([UInt8])
        case event(Event)
    }

    /// Datagrams dropped before they reached the application, by reason.
    public struct Drops: Sendable, Equatable {
        /// SRTP/SRTCP that arrived before the keys existed.
        public internal(set) var beforeKeys = 0
        /// DTLS datagrams beyond ``SecureTransport/earlyDatagramLimit`` before ``SecureTransport/start(role:remoteFingerprint:at:)``.
        public internal(set) var earlyHandshake = 0
        /// Datagrams that are neither DTLS nor RTP/RTCP (RFC 7983), or that came after the end.
        public internal(set) var notOurs = 0
        /// SRTP/SRTCP that libsrtp rejected (tampered, replayed, malformed), by reason.
        public internal(set) var rejected = SRTPRejectionCounters()

        public var total: Int { beforeKeys + earlyHandshake + notOurs + rejected.total }
    }

    public enum SendError: Error, Sendable, Equatable {
        /// Media cannot be sent before the handshake completed or after the transport ended.
        case notConnected
        case protectFailed(SRTPError)
    }

    /// DTLS datagrams kept before ``start(role:remoteFingerprint:at:)``: a ClientHello flight with a
    /// large certificate spans a few datagrams, and retransmissions repeat it.
    public static let earlyDatagramLimit = 16

    public private(set) var state: State = .waiting
    public private(set) var drops = Drops()

    private let certificate: DTLSCertificate
    private let configuration: DTLSConfiguration
    private var dtls: DTLSConnection?
    private var srtp: SRTPSession?
    private var earlyDatagrams: [[UInt8]] = []
    private var outputs: [Output] = []

    /// - Parameter certificate: what we present; its fingerprint is in our SDP.
    public init(certificate: DTLSCertificate, configuration: DTLSConfiguration = DTLSConfiguration()) {
        self.certificate = certificate
        self.configuration = configuration
    }

    /// When ``handleTimeout(at:)`` wants to run (DTLS retransmission); nil when no timer runs.
    public var nextDeadline: ContinuousClock.Instant? { dtls?.nextDeadline }

    /// Starts the handshake once offer and answer are known; a client sends its first flight at once.
    /// - Parameters:
    ///   - role: from the offer's and answer's `a=setup` (``DTLSRole/init(offer:answer:localIsOfferer:)``).
    ///   - remoteFingerprint: from the peer's `a=fingerprint`; its certificate must match.
    public func start(role: DTLSRole, remoteFingerprint: Fingerprint, at now: ContinuousClock.Instant) throws(DTLSError) {
        guard state == .waiting else { return }
        dtls = try DTLSConnection(role: role, certificate: certificate, remoteFingerprint: remoteFingerprint,
                                  configuration: configuration, now: now)
        state = .handshaking
        let early = earlyDatagrams
        earlyDatagrams = []
        for datagram in early { dtls?.handle(datagram: datagram, at: now) }
        drainDTLS()
    }

    /// Takes one datagram from the peer: DTLS records go to the handshake, SRTP/SRTCP are unprotected
    /// and come out of ``poll()`` as ``Output/rtp(_:)`` / ``Output/rtcp(_:)``.
    public func handle(datagram: [UInt8], at now: ContinuousClock.Instant) {
        switch PacketClass.classify(datagram) {
        case .dtls:
            handleDTLS(datagram, at: now)
        case .rtp:
            unprotect(datagram, isRTCP: false)
        case .rtcp:
            unprotect(datagram, isRTCP: true)
        case .stun, .unknown:
            drops.notOurs += 1
        }
    }

    /// Runs the DTLS retransmission timer.
    public func handleTimeout(at now: ContinuousClock.Instant) {
        dtls?.handleTimeout(at: now)
        drainDTLS()
    }

    /// Protects an RTP packet in place for sending. Reserve `count + SRTPSession.maximumTrailerLength`
    /// capacity to avoid a reallocation.
    public func protectRTP(_ packet: inout [UInt8]) throws(SendError) {
        guard let srtp, state == .connected else { throw .notConnected }
        do { try srtp.protectRTP(&packet) } catch { throw .protectFailed(error) }
    }

    /// Protects an RTCP compound packet in place for sending.
    public func protectRTCP(_ packet: inout [UInt8]) throws(SendError) {
        guard let srtp, state == .connected else { throw .notConnected }
        do { try srtp.protectRTCP(&packet) } catch { throw .protectFailed(error) }
    }

    /// Sends close_notify when connected and ends the transport.
    public func close() {
        guard state != .closed, state != .failed else { return }
        if let dtls {
            dtls.close()
            drainDTLS()
        } else {
            finish(.closed, event: .closed)
        }
    }

    /// The next datagram to send, received packet or event, in order; nil when there is nothing.
    public func poll() -> Output? {
        outputs.isEmpty ? nil : outputs.removeFirst()
    }

    private func handleDTLS(_ datagram: [UInt8], at now: ContinuousClock.Instant) {
        switch state {
        case .waiting:
            guard earlyDatagrams.count < Self.earlyDatagramLimit else { return drops.earlyHandshake += 1 }
            earlyDatagrams.append(datagram)
        case .handshaking, .connected:
            dtls?.handle(datagram: datagram, at: now)
            drainDTLS()
        case .closed, .failed:
            drops.notOurs += 1
        }
    }

    private func unprotect(_ datagram: [UInt8], isRTCP: Bool) {
        guard let srtp, state == .connected else { return drops.beforeKeys += 1 }
        var packet = datagram
        do {
            if isRTCP { try srtp.unprotectRTCP(&packet) } else { try srtp.unprotectRTP(&packet) }
            outputs.append(isRTCP ? .rtcp(packet) : .rtp(packet))
        } catch {
            drops.rejected = srtp.rejections
        }
    }

    private func drainDTLS() {
        guard let dtls else { return }
        while let output = dtls.poll() {
            switch output {
            case .transmit(let datagram):
                outputs.append(.transmit(datagram))
            case .event(.connected(let keys)):
                do {
                    srtp = try SRTPSession(keys)
                    state = .connected
                    outputs.append(.event(.connected(keys.profile)))
                } catch {
                    dtls.close()
                    finish(.failed, event: .failed(.keyExportFailed("\(error)")))
                }
            case .event(.failed(let error)):
                finish(.failed, event: .failed(error))
            case .event(.closed):
                finish(.closed, event: .closed)
            }
        }
    }

    private func finish(_ final: State, event: Event) {
        guard state != .closed, state != .failed else { return }
        state = final
        srtp = nil
        earlyDatagrams = []
        outputs.append(.event(event))
    }
}
