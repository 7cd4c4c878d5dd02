import ICE
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import STUN

/// An ``ICEAgent`` on real UDP sockets: one socket per local address, all on one event loop,
/// the agent's timers on that loop too. STUN datagrams go to the agent; everything else
/// (DTLS, SRTP — RFC 7983) is handed to `onData`. Application data leaves over the selected pair.
///
/// Each method may be called from any thread; the agent sits behind a lock and its outputs are
/// carried out after the lock is released, so callbacks may call back in.
public final class ICETransport: Sendable {
    /// The sockets' addresses: the agent's bases.
    public let bases: [TransportAddress]
    private let endpoints: [UDPEndpoint]
    private let eventLoop: any EventLoop
    private let agent: NIOLockedValueBox<ICEAgent>
    private let timer = NIOLockedValueBox<(deadline: ContinuousClock.Instant, task: Scheduled<Void>)?>(nil)
    private let onEvent: @Sendable (ICEEvent) -> Void

    /// Binds the sockets and starts gathering.
    /// - Parameters:
    ///   - addresses: local IPs to gather on; nil means every usable interface (see ``usableAddresses(includeLoopback:)``).
    ///   - onEvent: agent events (candidates to signal, state changes), on the event loop.
    ///   - onData: non-STUN datagrams and their source, on the event loop.
    public static func start(
        role: ICERole, credentials: ICECredentials = .random(), configuration: ICEConfiguration = .init(),
        addresses: [IPAddress]? = nil, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onEvent: @escaping @Sendable (ICEEvent) -> Void,
        onData: @escaping @Sendable ([UInt8], TransportAddress) -> Void
    ) async throws -> ICETransport {
        let loop = group.next()
        let inbox = NIOLockedValueBox<ICETransport?>(nil)
        var endpoints: [UDPEndpoint] = []
        do {
            for ip in try addresses ?? usableAddresses() {
                let endpoint = try await UDPEndpoint.bind(to: TransportAddress(ip: ip, port: 0), group: loop) { bytes, source in
                    inbox.withLockedValue { $0 }?.received(bytes, from: source, on: ip, onData: onData)
                }
                endpoints.append(endpoint)
            }
        } catch {
            for endpoint in endpoints { await endpoint.close() }
            throw error
        }
        let transport = ICETransport(endpoints: endpoints, loop: loop,
                                     agent: ICEAgent(role: role, credentials: credentials, configuration: configuration),
                                     onEvent: onEvent)
        inbox.withLockedValue { $0 = transport }
        transport.run { $0.gather(bases: transport.bases, at: .now) }
        return transport
    }

    /// Local interface addresses ICE can use: IPv4 and global/ULA IPv6, without link-local addresses
    /// (they need a scope id) and without loopback unless asked for.
    public static func usableAddresses(includeLoopback: Bool = false) throws -> [IPAddress] {
        var seen: [IPAddress] = []
        for device in try System.enumerateInterfaces() {
            guard let address = TransportAddress(device.address)?.ip,
                  !address.isLinkLocal, includeLoopback || !address.isLoopback, !seen.contains(address) else { continue }
            seen.append(address)
        }
        return seen
    }

    private init(endpoints: [UDPEndpoint], loop: any EventLoop, agent: ICEAgent, onEvent: @escaping @Sendable (ICEEvent) -> Void) {
        self.endpoints = endpoints
        self.bases = endpoints.map(\.localAddress)
        self.eventLoop = loop
        self.agent = NIOLockedValueBox(agent)
        self.onEvent = onEvent
    }

    // MARK: Signalling inputs

    public var localCredentials: ICECredentials { agent.withLockedValue { $0.localCredentials } }
    public var state: ICEConnectionState { agent.withLockedValue { $0.state } }
    public var selectedPair: CandidatePair? { agent.withLockedValue { $0.selectedPair } }
    public var counters: ICEAgent.Counters { agent.withLockedValue { $0.counters } }
    /// A snapshot of the agent, for diagnostics and tests.
    public var snapshot: ICEAgent { agent.withLockedValue { $0 } }

    public func setRemoteCredentials(_ credentials: ICECredentials) {
        run { $0.setRemoteCredentials(credentials, at: .now) }
    }

    public func addRemoteCandidate(_ candidate: ICECandidate) {
        run { $0.addRemoteCandidate(candidate, at: .now) }
    }

    public func addRemoteEndOfCandidates() {
        run { $0.addRemoteEndOfCandidates(at: .now) }
    }

    public func restart(credentials: ICECredentials = .random()) {
        run { $0.restart(credentials: credentials, at: .now) }
    }

    /// Sends application data over the selected pair; false (and nothing sent) while there is none
    /// or consent has expired.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        guard let pair = agent.withLockedValue({ $0.canSend ? $0.selectedPair : nil }),
              let endpoint = endpoints.first(where: { $0.localAddress == pair.id.local }) else { return false }
        endpoint.send(bytes, to: pair.id.remote)
        return true
    }

    /// Stops the agent and closes every socket.
    public func close() async {
        run { $0.close() }
        timer.withLockedValue { $0?.task.cancel(); $0 = nil }
        for endpoint in endpoints { await endpoint.close() }
    }

    // MARK: The loop

    private func received(_ bytes: [UInt8], from source: TransportAddress, on ip: IPAddress,
                          onData: @Sendable ([UInt8], TransportAddress) -> Void) {
        // RFC 7983: STUN's first byte is 0–3; DTLS and SRTP go up.
        guard let first = bytes.first, first < 4 else {
            onData(bytes, source)
            return
        }
        guard let base = bases.first(where: { $0.ip == ip }) else { return }
        run { $0.handle(datagram: bytes, from: source, to: base, at: .now) }
    }

    /// Applies `input` to the agent, re-arms the timer, then sends what it produced and reports its events.
    /// The timer is armed under the agent's lock: armed after it, a deadline computed by one thread could
    /// overwrite a later one computed by another and leave the agent without its wake-up.
    private func run(_ input: (inout ICEAgent) -> Void) {
        let outputs = agent.withLockedValue { agent in
            input(&agent)
            var outputs: [ICEOutput] = []
            while let output = agent.poll() { outputs.append(output) }
            arm(agent.nextDeadline)
            return outputs
        }
        for output in outputs {
            switch output {
            case .transmit(let transmit):
                endpoints.first { $0.localAddress == transmit.local }?.send(transmit.bytes, to: transmit.remote)
            case .event(let event):
                eventLoop.execute { [onEvent] in onEvent(event) }
            }
        }
    }

    private func arm(_ deadline: ContinuousClock.Instant?) {
        timer.withLockedValue { current in
            guard current?.deadline != deadline else { return }
            current?.task.cancel()
            current = nil
            guard let deadline else { return }
            // Timers fire at millisecond granularity at best; never spin on a deadline that just passed.
            let task = eventLoop.scheduleTask(in: .nanoseconds(max(0, Int64((deadline - .now) / .nanoseconds(1))))) { [weak self] in
                guard let self else { return }
                self.timer.withLockedValue { $0 = nil }
                self.run { $0.handleTimeout(at: .now) }
            }
            current = (deadline, task)
        }
    }
}
