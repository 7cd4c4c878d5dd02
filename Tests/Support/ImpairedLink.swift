import NIOConcurrencyHelpers
import NIOCore
import STUN
import UDP

/// What an ``ImpairedLink`` does to the datagrams it forwards, in each direction: a userspace
/// stand-in for `tc netem` where the kernel has no netem (loss, delay, jitter, duplication, outages).
public struct Impairment: Sendable {
    /// Probability that a datagram is dropped.
    public var loss: Double
    public var delay: Duration
    /// Each datagram's delay varies uniformly by ± this much, which also reorders them.
    public var jitter: Duration
    /// Probability that a datagram is delivered twice.
    public var duplicate: Double
    /// Everything is dropped from `start` (after the link is connected) for `length`.
    public var outage: (start: Duration, length: Duration)?
    /// Only datagrams from the sharer to the viewer whose first byte says RTP are affected, when set.
    public var mediaOnly: Bool

    public init(loss: Double = 0, delay: Duration = .zero, jitter: Duration = .zero, duplicate: Double = 0,
                outage: (start: Duration, length: Duration)? = nil, mediaOnly: Bool = false) {
        self.loss = loss
        self.delay = delay
        self.jitter = jitter
        self.duplicate = duplicate
        self.outage = outage
        self.mediaOnly = mediaOnly
    }
}

/// A UDP relay between two peers on loopback: each is told the relay's address instead of the other's.
/// What comes from the sharer goes to the viewer, everything else to the sharer, impaired on the way.
public final class ImpairedLink: Sendable {
    public let endpoint: UDPEndpoint
    private let state: NIOLockedValueBox<State>

    private struct State {
        var sharer: TransportAddress?
        var viewer: TransportAddress?
        var connectedAt: ContinuousClock.Instant?
        var impairment: Impairment
        var rng = SystemRandomNumberGenerator()
        var forwarded = 0
        var dropped = 0
    }

    public init(_ impairment: Impairment) async throws {
        let state = NIOLockedValueBox(State(impairment: impairment))
        self.state = state
        let box = NIOLockedValueBox<UDPEndpoint?>(nil)
        endpoint = try await UDPEndpoint.bind(to: TransportAddress("127.0.0.1", port: 0)!) { bytes, source in
            guard let relay = box.withLockedValue({ $0 }) else { return }
            let plan = state.withLockedValue { state -> (TransportAddress, [Duration])? in
                guard let sharer = state.sharer, let viewer = state.viewer else { return nil }
                let fromSharer = source == sharer
                let destination = fromSharer ? viewer : sharer
                let isMedia = fromSharer && bytes.count > 1 && (128...191).contains(bytes[0]) && !(192...223).contains(bytes[1])
                let impairment = state.impairment
                guard !impairment.mediaOnly || isMedia else { return (destination, [.zero]) }
                if let outage = impairment.outage, let connectedAt = state.connectedAt {
                    let elapsed = ContinuousClock.now - connectedAt
                    if elapsed >= outage.start, elapsed < outage.start + outage.length {
                        state.dropped += 1
                        return nil
                    }
                }
                if Double.random(in: 0..<1, using: &state.rng) < impairment.loss {
                    state.dropped += 1
                    return nil
                }
                let copies = Double.random(in: 0..<1, using: &state.rng) < impairment.duplicate ? 2 : 1
                let delays = (0..<copies).map { _ in
                    let spread = impairment.jitter / .nanoseconds(1)
                    let offset = spread > 0 ? Duration.nanoseconds(Int64(Double.random(in: -spread...spread, using: &state.rng))) : .zero
                    return max(.zero, impairment.delay + offset)
                }
                state.forwarded += 1
                return (destination, delays)
            }
            guard let (destination, delays) = plan else { return }
            for delay in delays {
                if delay == .zero {
                    relay.send(bytes, to: destination)
                } else {
                    relay.schedule(at: .now + delay) { relay.send(bytes, to: destination) }
                }
            }
        }
        box.withLockedValue { $0 = endpoint }
    }

    /// Starts forwarding between the two peers' real addresses; outages are timed from here.
    public func connect(sharer: TransportAddress, viewer: TransportAddress) {
        state.withLockedValue {
            $0.sharer = sharer
            $0.viewer = viewer
            $0.connectedAt = .now
        }
    }

    /// Restarts the outage clock (so an outage can be placed after the connection is up).
    public func resetClock() {
        state.withLockedValue { $0.connectedAt = .now }
    }

    /// Changes the loss probability from now on.
    public func setLoss(_ loss: Double) {
        state.withLockedValue { $0.impairment.loss = loss }
    }

    public var dropped: Int { state.withLockedValue { $0.dropped } }
    public var forwarded: Int { state.withLockedValue { $0.forwarded } }
}
