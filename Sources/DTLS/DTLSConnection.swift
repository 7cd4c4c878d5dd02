import Logging
import SDP
import SRTP

/// What a ``DTLSConnection`` reports.
public enum DTLSEvent: Sendable, Equatable {
    /// The handshake completed, the peer's certificate matched its fingerprint, and SRTP keys were exported.
    case connected(SRTPKeyingMaterial)
    /// The connection is over because of an error; no keys were exported if it happened during the handshake.
    case failed(DTLSError)
    /// close_notify was sent or received (either side closing ends the association).
    case closed
}

/// What ``DTLSConnection/poll()`` hands the caller.
public enum DTLSOutput: Sendable, Equatable {
    /// A datagram to send to the peer.
    case transmit([UInt8])
    case event(DTLSEvent)
}

/// A DTLS 1.2 client or server for DTLS-SRTP (RFC 5764), sans-IO.
///
/// Feed received datagrams to ``handle(datagram:at:)``, call ``handleTimeout(at:)`` once
/// ``nextDeadline`` has passed, and after each call drain ``poll()``: datagrams to send and events.
/// A client produces its ClientHello as soon as it is created.
///
/// Timers: the deadline is computed from the `now` passed in, but OpenSSL measures its retransmission
/// timer with the real clock (see ``OpenSSLDTLS``). A ``handleTimeout(at:)`` that arrives before
/// OpenSSL's real timer has run out retransmits nothing and moves ``nextDeadline`` to `now` plus the
/// real time still left. So an injected clock decides when the caller wakes up, but a retransmission
/// never happens earlier in real time than the configured timeout; with the real clock injected (as in
/// production) the two agree.
public final class DTLSConnection {
    public enum State: Sendable, Equatable {
        /// Flights are being exchanged; no keys yet.
        case handshaking
        /// Keys were exported; only retransmissions and close_notify still flow.
        case connected
        /// close_notify was sent or received.
        case closed
        /// The handshake or the connection failed; see the `.failed` event.
        case failed
    }

    /// This endpoint's side of the handshake.
    public let role: DTLSRole
    public private(set) var state: State = .handshaking
    /// When ``handleTimeout(at:)`` wants to run; `nil` while no retransmission timer runs.
    public private(set) var nextDeadline: ContinuousClock.Instant?

    private let engine: OpenSSLDTLS
    private let mtu: Int
    private var outputs: [DTLSOutput] = []
    private var logger = Logger(label: "glimpse.dtls")

    /// Sets up the connection; a client queues its first flight at once.
    /// - Parameters:
    ///   - remoteFingerprint: the fingerprint from the peer's SDP (any RFC 8122 SHA hash); its certificate must match it.
    ///   - now: the current time of the caller's clock.
    public init(role: DTLSRole, certificate: DTLSCertificate, remoteFingerprint: Fingerprint,
                configuration: DTLSConfiguration = DTLSConfiguration(), now: ContinuousClock.Instant) throws(DTLSError) {
        self.role = role
        mtu = configuration.mtu
        engine = try OpenSSLDTLS(role: role, certificate: certificate, expectedFingerprint: remoteFingerprint,
                                 configuration: configuration)
        logger[metadataKey: "role"] = "\(role)"
        if role == .client { advance(at: now) }
    }

    /// Processes one datagram from the peer (a DTLS record sequence, first byte 20–63).
    public func handle(datagram: some Collection<UInt8>, at now: ContinuousClock.Instant) {
        guard state == .handshaking || state == .connected else { return }
        engine.feed(Array(datagram))
        advance(at: now)
    }

    /// Retransmits the current handshake flight once its timer has run out.
    public func handleTimeout(at now: ContinuousClock.Instant) {
        guard state == .handshaking || state == .connected, let deadline = nextDeadline, now >= deadline else { return }
        guard engine.handleTimeout() else {
            flush()
            fail(.handshakeFailed(OpenSSLErrors.drain(or: "retransmission failed")))
            return
        }
        flush()
        updateDeadline(now)
    }

    /// Sends close_notify (when connected) and ends the connection.
    public func close() {
        switch state {
        case .connected:
            engine.shutdown()
            flush()
            finish(.closed, event: .closed)
        case .handshaking:
            // OpenSSL cannot send close_notify mid-handshake; the peer's handshake times out.
            finish(.closed, event: .closed)
        case .closed, .failed:
            return
        }
    }

    /// The next datagram to send or event to handle, in order; `nil` when there is nothing.
    public func poll() -> DTLSOutput? {
        outputs.isEmpty ? nil : outputs.removeFirst()
    }

    private func advance(at now: ContinuousClock.Instant) {
        if state == .handshaking {
            switch engine.handshake() {
            case .inProgress: break
            case .complete: completeHandshake()
            case .failed(let reason):
                flush()  // the fatal alert OpenSSL queued
                fail(engine.fingerprintMismatch ?? .handshakeFailed(reason))
                return
            }
        }
        if state == .connected {
            switch engine.readRecords() {
            case .drained: break
            case .closedByPeer:
                engine.shutdown()  // answer with our close_notify
                flush()
                finish(.closed, event: .closed)
                return
            case .failed(let reason):
                flush()
                fail(.connectionFailed(reason))
                return
            }
        }
        flush()
        updateDeadline(now)
    }

    private func completeHandshake() {
        // The verify callback already compared fingerprints; this re-check guards paths that skip it.
        guard let received = engine.peerFingerprint() else { return abort(.missingPeerCertificate) }
        guard received == engine.expectedFingerprint else {
            return abort(.fingerprintMismatch(expected: engine.expectedFingerprint, received: received))
        }
        guard let profile = engine.selectedSRTPProfile() else { return abort(.noSRTPProfileNegotiated) }
        let length = SRTPKeyingMaterial.exportLength(for: profile)
        guard let exported = engine.exportKeyingMaterial(label: SRTPKeyingMaterial.exporterLabel, length: length) else {
            return abort(.keyExportFailed(OpenSSLErrors.drain(or: "SSL_export_keying_material failed")))
        }
        let keys: SRTPKeyingMaterial
        do {
            keys = try SRTPKeyingMaterial(profile: profile, exported: exported, localRole: role)
        } catch {
            return abort(.keyExportFailed("\(error)"))
        }
        state = .connected
        logger.debug("DTLS connected", metadata: ["srtp-profile": "\(profile)"])
        outputs.append(.event(.connected(keys)))
    }

    /// Ends a handshake that OpenSSL finished but we refuse: close_notify out, no keys.
    private func abort(_ error: DTLSError) {
        engine.shutdown()
        flush()
        fail(error)
    }

    private func fail(_ error: DTLSError) {
        logger.debug("DTLS failed", metadata: ["error": "\(error)"])
        finish(.failed, event: .failed(error))
    }

    private func finish(_ final: State, event: DTLSEvent) {
        state = final
        nextDeadline = nil
        outputs.append(.event(event))
    }

    private func flush() {
        for datagram in DatagramPacker.datagrams(from: engine.takeOutgoing(), mtu: mtu) {
            outputs.append(.transmit(datagram))
        }
    }

    private func updateDeadline(_ now: ContinuousClock.Instant) {
        guard state == .handshaking || state == .connected else { return }
        nextDeadline = engine.remainingTimeout().map { now + $0 }
    }
}
