import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import Signalling
import STUN
import UDP

/// What `glimpse serve` runs.
public struct RendezvousConfiguration: Sendable {
    /// The address HTTP and STUN listen on.
    public var host = "0.0.0.0"
    /// 0 picks a free port (tests).
    public var httpPort = 8080
    /// nil: no STUN service.
    public var stunPort: UInt16? = 3478
    /// The secret that opens Live View; nil leaves Live View disabled.
    public var operatorToken: String?
    /// How users reach the server, for join links; default `http(s)://<host>:<port>`.
    public var publicURL: String?
    /// PEM files; both set serves HTTPS and WSS.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    public var geolocator: (any Geolocator)?
    public var limits = HubLimits()
    /// How often Live View's event stream may send: soon after a change but at most this often, and
    /// at least once a second regardless.
    public var liveViewInterval: Duration = .milliseconds(250)
    /// Most TCP connections served at once; beyond it the server stops accepting and new
    /// connections wait in the listen backlog until one closes.
    public var maxConnections = 20_000
    /// How long a connection may take to send a complete request (or WebSocket upgrade), and how
    /// long a kept-alive HTTP connection may sit idle between requests, before it is closed.
    public var requestTimeout: Duration = .seconds(10)
    /// How often the server pings each WebSocket; one that has not answered the previous ping by the
    /// next is closed, so a silent peer is gone after about twice this.
    public var webSocketPingInterval: Duration = .seconds(5)

    public init() {}
}

/// The rendezvous server: the signalling hub on `/ws`, the browser viewer page at join links,
/// Live View for operators, and a STUN binding service on UDP. It never carries media.
public final class RendezvousServer: Sendable {
    /// The bound HTTP port (the kernel's choice when configured as 0).
    public let httpPort: Int
    /// The bound STUN port, when STUN runs.
    public let stunPort: UInt16?
    public let hub: Hub
    public let store: any SessionStore

    private let application: Task<Void, any Error>
    private let sweeper: Task<Void, Never>
    private let stun: STUNServer?

    private init(httpPort: Int, stunPort: UInt16?, hub: Hub, store: any SessionStore, application: Task<Void, any Error>,
                 sweeper: Task<Void, Never>, stun: STUNServer?) {
        self.httpPort = httpPort
        self.stunPort = stunPort
        self.hub = hub
        self.store = store
        self.application = application
        self.sweeper = sweeper
        self.stun = stun
    }

    /// Binds everything and returns once the HTTP server accepts connections.
    public static func start(_ configuration: RendezvousConfiguration, store: any SessionStore = InMemorySessionStore(),
                             logger: Logger = Logger(label: "glimpse.rendezvous")) async throws -> RendezvousServer {
        var stun: STUNServer?
        if let port = configuration.stunPort {
            guard let address = TransportAddress(configuration.host, port: port) else {
                throw RendezvousError.invalidHost(configuration.host)
            }
            stun = try await STUNServer.start(on: [address])
        }
        let stunPort = stun?.localAddresses.first?.port
        let tls = try configuration.tlsConfiguration()

        let (bound, boundContinuation) = AsyncStream<Int>.makeStream()
        // The hub needs the public URL, which may depend on the port the kernel picks; the hub is
        // made first with a late-bound URL through `PublicURL`.
        let publicURL = PublicURL(configured: configuration.publicURL, scheme: tls == nil ? "http" : "https", host: configuration.host)
        let hub = Hub(store: store, limits: configuration.limits, publicURL: { publicURL.description }, logger: logger)
        let routes = Routes(hub: hub, store: store, configuration: configuration, stunPort: stunPort, publicURL: publicURL)

        let webSocketRouter = Router(context: RendezvousContext.self)
        webSocketRouter.ws("/ws") { inbound, outbound, context in
            await routes.serveWebSocket(inbound: inbound, outbound: outbound, address: context.requestContext.remoteAddress)
        }
        // Frames up to 4 × the message limit are read, so a too-large message is refused with a reply
        // instead of a closed connection; beyond that the WebSocket layer closes with 1009.
        let webSocket = WebSocketServerConfiguration(maxFrameSize: configuration.limits.maxMessageBytes * 4,
                                                     autoPing: .enabled(timePeriod: configuration.webSocketPingInterval))
        let requestTimeout = TimeAmount(configuration.requestTimeout)
        let webSocketResponder = webSocketRouter.buildResponder()
        var server = HTTPServerBuilder { responder in
            RequestDeadlineChannel(base: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder,
                                                                      configuration: .init(http1: .init(idleTimeout: requestTimeout), ws: webSocket)),
                                   timeout: requestTimeout)
        }
        if let tls { server = try .tls(server, tlsConfiguration: tls) }

        let application = Application(
            router: routes.router(),
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.httpPort), serverName: "glimpse", backlog: 4096,
                                 availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections, logger: logger)),
            onServerRunning: { channel in
                boundContinuation.yield(channel.localAddress?.port ?? 0)
                boundContinuation.finish()
            },
            logger: logger
        )
        let running = Task { try await application.run() }
        var ports = bound.makeAsyncIterator()
        guard let port = await ports.next() else {
            await stun?.close()
            try await running.value
            throw RendezvousError.didNotStart
        }
        publicURL.bind(port: port)
        let sweeper = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                await hub.sweep()
            }
        }
        logger.notice("rendezvous server listening", metadata: ["http": "\(configuration.host):\(port)", "stun": "\(stunPort.map(String.init) ?? "off")",
                                                                "liveView": "\(configuration.operatorToken == nil ? "disabled" : "enabled")"])
        return RendezvousServer(httpPort: port, stunPort: stunPort, hub: hub, store: store, application: running, sweeper: sweeper, stun: stun)
    }

    /// Runs until the task is cancelled or the HTTP server stops.
    public func wait() async throws {
        try await withTaskCancellationHandler {
            try await application.value
        } onCancel: {
            application.cancel()
        }
    }

    /// Stops serving: HTTP, WebSockets and STUN.
    public func close() async {
        sweeper.cancel()
        application.cancel()
        _ = try? await application.value
        await stun?.close()
    }
}

public enum RendezvousError: Error, CustomStringConvertible {
    case invalidHost(String)
    case didNotStart
    case tls(String)

    public var description: String {
        switch self {
        case .invalidHost(let host): "'\(host)' is not an IPv4 or IPv6 address"
        case .didNotStart: "the HTTP server stopped before it was listening"
        case .tls(let reason): "TLS: \(reason)"
        }
    }
}

extension RendezvousConfiguration {
    func tlsConfiguration() throws -> TLSConfiguration? {
        switch (tlsCertificatePath, tlsKeyPath) {
        case (nil, nil):
            return nil
        case (let certificate?, let key?):
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .file(key))
        default:
            throw RendezvousError.tls("--tls-cert and --tls-key go together")
        }
    }
}

/// The join-link prefix: configured, or derived from the bound port once it is known.
final class PublicURL: Sendable, CustomStringConvertible {
    private let configured: String?
    private let scheme: String
    private let host: String
    private let port = NIOLockedValueBox(0)

    init(configured: String?, scheme: String, host: String) {
        self.configured = configured.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.scheme = scheme
        self.host = host
    }

    func bind(port: Int) { self.port.withLockedValue { $0 = port } }

    var description: String {
        if let configured { return configured }
        let shown = host == "0.0.0.0" || host == "::" ? "localhost" : (host.contains(":") ? "[\(host)]" : host)
        return "\(scheme)://\(shown):\(port.withLockedValue { $0 })"
    }
}

/// The request context: Hummingbird's basics, the WebSocket handler slot, and the peer address.
struct RendezvousContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        remoteAddress = source.channel.remoteAddress
    }
}
