import ArgumentParser
import Foundation
import Logging
import Rendezvous

/// `glimpse serve`: the rendezvous server (signalling, viewer page, Live View, STUN).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the rendezvous server: signalling over WebSocket, the browser viewer page, Live View and STUN.",
        discussion: """
            Example: GLIMPSE_OPERATOR_TOKEN=s3cret glimpse serve --http-port 8080 --stun-port 3478 --public-url https://glimpse.example
            Sharers and viewers connect to /ws; join links are <public-url>/s/<session>#<token>;
            operators open <public-url>/live?token=<operator token>.
            """
    )

    @Option(help: "Address to listen on for HTTP and STUN, e.g. 0.0.0.0 or ::.")
    var host = "0.0.0.0"

    @Option(help: "TCP port for HTTP and WebSocket (/ws), e.g. 8080.")
    var httpPort = 8080

    @Option(help: "UDP port for the STUN binding service, e.g. 3478; 0 turns STUN off.")
    var stunPort: UInt16 = 3478

    @Option(help: "Secret that opens Live View (/live, /api/sessions); default $GLIMPSE_OPERATOR_TOKEN. Without one Live View is disabled.")
    var operatorToken: String?

    @Option(help: "How users reach this server, for join links, e.g. https://glimpse.example (default http://<host>:<http-port>, localhost for 0.0.0.0).")
    var publicURL: String?

    @Option(help: "PEM certificate chain for HTTPS/WSS, e.g. /etc/glimpse/cert.pem (with --tls-key).")
    var tlsCert: String?

    @Option(help: "PEM private key for HTTPS/WSS, e.g. /etc/glimpse/key.pem (with --tls-cert).")
    var tlsKey: String?

    @Option(help: "MaxMind GeoIP2/GeoLite2 City database (.mmdb) for Live View locations, e.g. GeoLite2-City.mmdb.")
    var geoip: String?

    @Option(help: "Largest signalling message in bytes.")
    var maxMessageBytes = 64 * 1024

    @Option(help: "Messages per second one connection may send (sustained; bursts of 4× pass).")
    var messagesPerSecond = 50.0

    @Option(help: "Most sessions at once.")
    var maxSessions = 10_000

    @Option(help: "Most viewers per session.")
    var maxViewers = 50

    @Option(help: "Seconds a session waits for its sharer to reconnect before it ends.")
    var resumeGrace = 15

    @Option(help: "Most TCP connections at once; more wait in the listen backlog until one closes.")
    var maxConnections = 20_000

    @Option(help: "Seconds a connection may take to send a complete request or WebSocket upgrade (and may idle between HTTP requests) before it is closed.")
    var requestTimeout = 10

    @Option(help: "Seconds between WebSocket pings; a peer that misses one is closed at the next.")
    var pingInterval = 5

    @Flag(help: "Log every session event.")
    var verbose = false

    func run() async throws {
        var logger = Logger(label: "glimpse.rendezvous")
        logger.logLevel = verbose ? .debug : .notice
        var configuration = RendezvousConfiguration()
        configuration.host = host
        configuration.httpPort = httpPort
        configuration.stunPort = stunPort == 0 ? nil : stunPort
        configuration.operatorToken = operatorToken ?? ProcessInfo.processInfo.environment["GLIMPSE_OPERATOR_TOKEN"]
        configuration.publicURL = publicURL
        configuration.tlsCertificatePath = tlsCert
        configuration.tlsKeyPath = tlsKey
        if let geoip { configuration.geolocator = try MaxMindDatabase(contentsOf: geoip) }
        configuration.limits.maxMessageBytes = maxMessageBytes
        configuration.limits.messagesPerSecond = messagesPerSecond
        configuration.limits.messageBurst = messagesPerSecond * 4
        configuration.limits.maxSessions = maxSessions
        configuration.limits.maxViewersPerSession = maxViewers
        configuration.limits.resumeGrace = .seconds(resumeGrace)
        configuration.maxConnections = maxConnections
        configuration.requestTimeout = .seconds(requestTimeout)
        configuration.webSocketPingInterval = .seconds(pingInterval)
        let server = try await RendezvousServer.start(configuration, logger: logger)
        // One line on stdout for scripts and tests that start the server on port 0.
        FileHandle.standardOutput.write(Data("listening http=\(server.httpPort) stun=\(server.stunPort.map(String.init) ?? "off")\n".utf8))
        try await server.wait()
    }
}
