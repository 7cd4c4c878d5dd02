import TestSupport
import DTLS
import NIOCore
import NIOPosix
import SDP
import SRTP
import STUN
import UDP

/// One Glimpse DTLS-SRTP endpoint on a real loopback UDP socket, driven the way PeerConnection will
/// drive it: every datagram and timer is handled on the socket's event loop, with the real clock.
final class LoopbackPeer: Sendable {
    /// What a test inspects.
    struct Snapshot: Sendable {
        var events: [DTLSEvent] = []
        var receivedRTP: [[UInt8]] = []
        var receivedRTCP: [[UInt8]] = []
        var rejections = SRTPRejectionCounters()
        var handshakeDatagramsSent = 0
        var handshakeDatagramsDropped = 0

        var keys: SRTPKeyingMaterial? {
            for case .connected(let keys) in events { return keys }
            return nil
        }
        var failure: DTLSError? {
            for case .failed(let error) in events { return error }
            return nil
        }
    }

    let endpoint: UDPEndpoint
    private let box: NIOLoopBoundBox<PeerState?>

    init() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let box = NIOLoopBoundBox.makeEmptyBox(valueType: PeerState.self, eventLoop: loop)
        endpoint = try await UDPEndpoint.bind(to: TransportAddress("127.0.0.1", port: 0).orThrow(), group: loop) { bytes, _ in
            box.value?.receive(bytes)
        }
        self.box = box
    }

    /// Starts DTLS towards `remote`. Handshake datagrams this side sends are dropped with
    /// probability `lossRate`, decided by a generator seeded with `seed`.
    func start(role: DTLSRole, certificate: DTLSCertificate, remote: TransportAddress, remoteFingerprint: Fingerprint,
               configuration: DTLSConfiguration = .init(), lossRate: Double = 0, seed: UInt64 = 1) async throws {
        let box = box, endpoint = endpoint
        try await endpoint.eventLoop.submit {
            let connection = try DTLSConnection(role: role, certificate: certificate, remoteFingerprint: remoteFingerprint,
                                                configuration: configuration, now: .now)
            let state = PeerState(connection: connection, endpoint: endpoint, remote: remote, box: box,
                                  loss: lossRate, generator: SeededGenerator(seed: seed))
            box.value = state
            state.pump()
        }.get()
    }

    /// Protects and sends one RTP packet.
    func sendRTP(_ packet: [UInt8]) async throws {
        try await withState { try $0.send(packet, rtcp: false) }
    }

    /// Protects and sends one RTCP packet.
    func sendRTCP(_ packet: [UInt8]) async throws {
        try await withState { try $0.send(packet, rtcp: true) }
    }

    /// Sends a raw datagram (to replay or tamper with captured packets).
    func sendRaw(_ datagram: [UInt8], to remote: TransportAddress) {
        endpoint.send(datagram, to: remote)
    }

    func closeDTLS() async throws {
        try await withState { $0.closeDTLS() }
    }

    var snapshot: Snapshot {
        get async throws { try await withState { $0.snapshot } }
    }

    /// Polls `snapshot` every 10 ms until `condition` holds or `timeout` passes; returns the last snapshot.
    func wait(timeout: Duration = .seconds(10), until condition: @Sendable (Snapshot) -> Bool) async throws -> Snapshot {
        let end = ContinuousClock.now + timeout
        var current = try await snapshot
        while !condition(current), ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(10))
            current = try await snapshot
        }
        return current
    }

    func shutdown() async {
        let box = box
        try? await endpoint.eventLoop.submit {
            box.value?.stop()
            box.value = nil
        }.get()
        await endpoint.close()
    }

    private func withState<T: Sendable>(_ body: @escaping @Sendable (PeerState) throws -> T) async throws -> T {
        let box = box
        return try await endpoint.eventLoop.submit { try body(box.value.orThrow()) }.get()
    }
}

/// The loop-confined side of a ``LoopbackPeer``.
private final class PeerState {
    let connection: DTLSConnection
    let endpoint: UDPEndpoint
    let remote: TransportAddress
    let box: NIOLoopBoundBox<PeerState?>
    let loss: Double
    var generator: SeededGenerator
    var srtp: SRTPSession?
    var timer: Scheduled<Void>?
    var snapshot = LoopbackPeer.Snapshot()

    init(connection: DTLSConnection, endpoint: UDPEndpoint, remote: TransportAddress, box: NIOLoopBoundBox<PeerState?>,
         loss: Double, generator: SeededGenerator) {
        self.connection = connection
        self.endpoint = endpoint
        self.remote = remote
        self.box = box
        self.loss = loss
        self.generator = generator
    }

    func receive(_ datagram: [UInt8]) {
        var packet = datagram
        switch PacketClass.classify(datagram) {
        case .dtls:
            connection.handle(datagram: datagram, at: .now)
            pump()
        case .rtp:
            guard let srtp else { return }
            if (try? srtp.unprotectRTP(&packet)) != nil { snapshot.receivedRTP.append(packet) }
            snapshot.rejections = srtp.rejections
        case .rtcp:
            guard let srtp else { return }
            if (try? srtp.unprotectRTCP(&packet)) != nil { snapshot.receivedRTCP.append(packet) }
            snapshot.rejections = srtp.rejections
        case .stun, .unknown:
            return
        }
    }

    func send(_ packet: [UInt8], rtcp: Bool) throws {
        let srtp = try srtp.orThrow()
        var bytes = packet
        if rtcp { try srtp.protectRTCP(&bytes) } else { try srtp.protectRTP(&bytes) }
        endpoint.send(bytes, to: remote)
    }

    func closeDTLS() {
        connection.close()
        pump()
    }

    func stop() {
        timer?.cancel()
        timer = nil
    }

    /// Sends what the connection produced, records events, and re-arms the timer.
    func pump() {
        while let output = connection.poll() {
            switch output {
            case .transmit(let datagram):
                let handshaking = connection.state == .handshaking
                if handshaking { snapshot.handshakeDatagramsSent += 1 }
                if handshaking, Double.random(in: 0..<1, using: &generator) < loss {
                    snapshot.handshakeDatagramsDropped += 1
                } else {
                    endpoint.send(datagram, to: remote)
                }
            case .event(let event):
                snapshot.events.append(event)
                if case .connected(let keys) = event { srtp = try? SRTPSession(keys) }
            }
        }
        timer?.cancel()
        timer = connection.nextDeadline.map { deadline in
            endpoint.schedule(at: deadline) { [box] in
                guard let state = box.value else { return }
                state.connection.handleTimeout(at: .now)
                state.pump()
            }
        }
    }
}
