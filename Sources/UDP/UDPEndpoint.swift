import NIOCore
import NIOPosix
import STUN

/// One bound UDP socket on a SwiftNIO event loop: the edge that sans-IO protocol cores are driven from.
///
/// Everything about an endpoint happens on its ``eventLoop``: received datagrams are delivered there,
/// and timers scheduled with ``schedule(at:_:)`` fire there, so a driver that keeps its protocol state
/// on that loop needs no locks. ``send(_:to:)`` may be called from any thread.
public final class UDPEndpoint: Sendable {
    /// The loop that delivers datagrams and runs timers.
    public let eventLoop: any EventLoop
    /// The address the socket is bound to (with the port the kernel chose for port 0).
    public let localAddress: TransportAddress
    private let channel: any Channel
    private let routes = RouteCache()

    /// Binds a UDP socket and starts delivering datagrams to `onDatagram` on the endpoint's event loop.
    /// - Parameters:
    ///   - address: local address; port 0 picks a free port.
    ///   - group: the event loop group; the endpoint uses one loop of it.
    ///   - onDatagram: called on ``eventLoop`` with each datagram's bytes and its source address.
    public static func bind(
        to address: TransportAddress,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onDatagram: @escaping @Sendable ([UInt8], TransportAddress) -> Void
    ) async throws -> UDPEndpoint {
        let channel = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            // Media bursts (a key frame is dozens of packets) must not overflow the default buffers.
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramHandler(onDatagram: onDatagram))
                }
            }
            .bind(to: try SocketAddress(address))
            .get()
        guard let local = channel.localAddress.flatMap(TransportAddress.init) else {
            try? await channel.close()
            throw UDPError.unsupportedAddress(String(describing: channel.localAddress))
        }
        return UDPEndpoint(channel: channel, localAddress: local)
    }

    private init(channel: any Channel, localAddress: TransportAddress) {
        self.channel = channel
        self.eventLoop = channel.eventLoop
        self.localAddress = localAddress
    }

    /// Sends one datagram. Failures (no route, unreachable peer, closed socket) are dropped like any UDP loss.
    public func send(_ bytes: [UInt8], to remote: TransportAddress) {
        guard routes.isRoutable(remote.ip), let address = try? SocketAddress(remote) else { return }
        let envelope = AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: bytes))
        channel.writeAndFlush(envelope, promise: nil)
    }

    /// Runs `body` on the event loop at `deadline` (immediately if it has passed). Cancel with the returned task.
    @discardableResult
    public func schedule(at deadline: ContinuousClock.Instant, _ body: @escaping @Sendable () -> Void) -> Scheduled<Void> {
        let delay = max(.zero, deadline - .now)
        let (seconds, attoseconds) = delay.components
        return eventLoop.scheduleTask(in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)) { body() }
    }

    /// Closes the socket; no datagrams are delivered afterwards.
    public func close() async {
        try? await channel.close()
    }
}

/// Errors at the UDP edge.
public enum UDPError: Error, Equatable {
    /// A socket address that is not IPv4 or IPv6.
    case unsupportedAddress(String)
}

private final class DatagramHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let onDatagram: @Sendable ([UInt8], TransportAddress) -> Void

    init(onDatagram: @escaping @Sendable ([UInt8], TransportAddress) -> Void) {
        self.onDatagram = onDatagram
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let source = TransportAddress(envelope.remoteAddress) else { return }
        onDatagram(Array(envelope.data.readableBytesView), source)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors surface here as read errors on some systems; UDP treats them as loss.
    }
}

extension SocketAddress {
    /// The NIO socket address for a transport address.
    public init(_ address: TransportAddress) throws {
        self = try SocketAddress(ipAddress: address.ip.description, port: Int(address.port))
    }
}

extension TransportAddress {
    /// The transport address of an IPv4/IPv6 NIO socket address; `nil` for Unix-domain ones.
    public init?(_ address: SocketAddress) {
        guard let host = address.ipAddress, let port = address.port, let ip = IPAddress(host) else { return nil }
        self.init(ip: ip, port: UInt16(port))
    }
}
