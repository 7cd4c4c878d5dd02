import ICE
import STUN

/// Two agents joined by an in-memory network on a virtual clock: every transmit goes to the agent
/// (or STUN server) that owns the destination address, unless the test's filter drops it.
/// Optional NAT: a base listed in `nat` appears to everyone else as its mapped address.
struct Network {
    var agents: [ICEAgent]
    var events: [[ICEEvent]]
    var now = ContinuousClock.now
    /// Return false to drop a datagram.
    var filter: (ICETransmit) -> Bool = { _ in true }
    var stunServers: [TransportAddress: BindingServer] = [:]
    var nat: [TransportAddress: TransportAddress] = [:]
    /// Candidates each agent signalled, delivered to the other when `trickle` is on.
    var trickle = true
    private(set) var delivered = 0

    init(_ a: ICEAgent, _ b: ICEAgent) {
        agents = [a, b]
        events = [[], []]
    }

    /// Exchanges credentials, gathers the given bases, and runs until `until` or `limit` passes.
    mutating func start(bases: [[TransportAddress]], exchangeCredentials: Bool = true) {
        if exchangeCredentials {
            agents[0].setRemoteCredentials(agents[1].localCredentials, at: now)
            agents[1].setRemoteCredentials(agents[0].localCredentials, at: now)
        }
        for i in 0..<2 { agents[i].gather(bases: bases[i], at: now) }
        pump()
    }

    /// Advances the virtual clock deadline by deadline until `condition` holds or `limit` passes.
    @discardableResult
    mutating func run(for limit: Duration, until condition: (Network) -> Bool = { _ in false }) -> Bool {
        let end = now + limit
        while !condition(self) {
            let next = agents.compactMap(\.nextDeadline).min()
            guard let next, next <= end else {
                now = end
                return condition(self)
            }
            now = max(now, next)
            for i in 0..<2 { agents[i].handleTimeout(at: now) }
            pump()
        }
        return true
    }

    private func owner(of address: TransportAddress) -> Int? {
        agents.firstIndex { $0.localCandidates.contains { $0.type == .host && $0.base == address } }
    }

    /// Delivers everything the agents want to send until nothing is left (zero network delay).
    mutating func pump() {
        var progress = true
        while progress {
            progress = false
            for i in 0..<2 {
                while let output = agents[i].poll() {
                    progress = true
                    switch output {
                    case .event(let event):
                        events[i].append(event)
                        if trickle, case .localCandidate(let candidate) = event {
                            agents[1 - i].addRemoteCandidate(candidate, at: now)
                        }
                    case .transmit(let transmit):
                        deliver(transmit)
                    }
                }
            }
        }
    }

    private mutating func deliver(_ transmit: ICETransmit) {
        guard filter(transmit) else { return }
        let source = nat[transmit.local] ?? transmit.local
        if var server = stunServers[transmit.remote] {
            if let answer = server.respond(to: transmit.bytes, from: source) {
                stunServers[transmit.remote] = server
                deliver(ICETransmit(bytes: answer, local: transmit.remote, remote: source))
            }
            return
        }
        // A NAT forwards to the base behind a mapped address.
        let destination = nat.first { $0.value == transmit.remote }?.key ?? transmit.remote
        guard let target = owner(of: destination) else { return }
        delivered += 1
        agents[target].handle(datagram: transmit.bytes, from: source, to: destination, at: now)
    }

    var bothConnected: Bool { agents.allSatisfy { $0.state == .connected } }
}

extension TransportAddress {
    static func v4(_ host: String, _ port: UInt16) -> TransportAddress { TransportAddress(host, port: port)! }
}
