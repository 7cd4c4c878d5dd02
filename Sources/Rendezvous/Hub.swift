import Foundation
import Logging
import Signalling

/// Limits that keep one client from hurting the others. Defaults suit a small team server.
public struct HubLimits: Sendable {
    /// The largest message (reassembled from its frames) the server reads; larger ones are refused
    /// with `tooLarge` and skipped, the connection stays.
    public var maxMessageBytes = 64 * 1024
    /// Sustained messages per second per connection, and the burst allowed above it.
    public var messagesPerSecond = 50.0
    public var messageBurst = 200.0
    public var maxSessions = 10_000
    public var maxViewersPerSession = 50
    /// How long a session outlives its sharer's connection, waiting for a `resume`.
    public var resumeGrace: Duration = .seconds(15)

    public init() {}
}

/// The signalling hub: owns the live WebSocket connections, admits sharers and viewers, and relays
/// offers, answers and candidates between a session's sharer and each of its viewers. Session
/// records go to the ``SessionStore``; connections stay here because they cannot be shared.
public actor Hub {
    /// Identifies one WebSocket connection for the hub's lifetime.
    public typealias ConnectionID = Int

    private enum Role {
        case none
        case sharer(session: String)
        case viewer(session: String, viewer: String)
    }

    private struct Connection {
        var outbox: AsyncStream<String>.Continuation
        var address: String?
        var role = Role.none
        var bucket: TokenBucket
        var lastRateLimitReply: ContinuousClock.Instant?
    }

    private let store: any SessionStore
    private let limits: HubLimits
    private let publicURL: @Sendable () -> String
    private let logger: Logger
    private var connections: [ConnectionID: Connection] = [:]
    private var nextConnection = 0
    private var sharers: [String: ConnectionID] = [:]
    private var viewers: [String: ConnectionID] = [:]

    /// - Parameter publicURL: the server's address as users reach it, for join links ("https://glimpse.example");
    ///   asked on use because it may depend on the port the server is given.
    public init(store: any SessionStore, limits: HubLimits, publicURL: @escaping @Sendable () -> String,
                logger: Logger = Logger(label: "glimpse.rendezvous")) {
        self.store = store
        self.limits = limits
        self.publicURL = publicURL
        self.logger = logger
    }

    /// Registers a connection whose outgoing text frames go into `outbox`.
    public func open(outbox: AsyncStream<String>.Continuation, address: String?) -> ConnectionID {
        nextConnection += 1
        connections[nextConnection] = Connection(outbox: outbox, address: address,
                                                 bucket: TokenBucket(rate: limits.messagesPerSecond, burst: limits.messageBurst))
        return nextConnection
    }

    /// One complete text message from a connection.
    public func receive(_ text: String, from id: ConnectionID) async {
        guard admit(id) else { return }
        let message: Message
        do {
            message = try Message(parsing: text)
        } catch {
            let code: ErrorMessage.Code = if case .unsupportedVersion = error { .unsupportedVersion } else { .malformed }
            reply(id, .error(ErrorMessage(code: code, message: error.description)))
            return
        }
        await handle(message, from: id)
    }

    /// A message the connection's reader refused before parsing (too large, not UTF-8, binary).
    public func refuse(_ id: ConnectionID, code: ErrorMessage.Code, message: String) {
        guard admit(id) else { return }
        reply(id, .error(ErrorMessage(code: code, message: message)))
    }

    /// The connection is gone: a viewer leaves its session; a sharer's session waits for a resume.
    public func close(_ id: ConnectionID) async {
        guard let connection = connections.removeValue(forKey: id) else { return }
        connection.outbox.finish()
        switch connection.role {
        case .none:
            break
        case .sharer(let session):
            guard sharers[session] == id else { return }
            sharers[session] = nil
            await store.update(session) { $0.sharerLostAt = Date() }
            logger.info("sharer lost", metadata: ["session": "\(session)"])
        case .viewer(let session, let viewer):
            viewers[viewer] = nil
            await store.update(session) { $0.viewers[viewer] = nil }
            if let sharer = sharers[session] { reply(sharer, .peerLeft(PeerLeft(viewerID: viewer))) }
        }
    }

    /// Ends sessions whose sharer has been gone longer than the grace period; call about once a second.
    public func sweep(now: Date = Date()) async {
        let grace = Double(limits.resumeGrace.components.seconds) + Double(limits.resumeGrace.components.attoseconds) * 1e-18
        for session in await store.snapshot().sessions {
            guard let lost = session.sharerLostAt, now.timeIntervalSince(lost) >= grace else { continue }
            await store.remove(session.id)
            for viewer in session.viewers.keys {
                guard let connection = viewers.removeValue(forKey: viewer) else { continue }
                connections[connection]?.role = .none
                reply(connection, .sessionEnded(SessionEnded(sessionID: session.id)))
            }
            logger.info("session ended", metadata: ["session": "\(session.id)"])
        }
    }

    // MARK: - Messages

    private func handle(_ message: Message, from id: ConnectionID) async {
        guard let role = connections[id]?.role else { return }
        switch (message, role) {
        case (.createSession(let request), .none):
            await create(request, for: id)
        case (.resume(let request), .none):
            await resume(request, for: id)
        case (.join(let request), .none):
            await join(request, for: id)
        case (.offer(let description), .sharer(let session)):
            forwardToViewer(.offer(description), viewer: description.viewerID, session: session, from: id)
        case (.answer(let description), .sharer(let session)):
            forwardToViewer(.answer(description), viewer: description.viewerID, session: session, from: id)
        case (.candidate(let candidate), .sharer(let session)):
            forwardToViewer(.candidate(candidate), viewer: candidate.viewerID, session: session, from: id)
        case (.endOfCandidates(let end), .sharer(let session)):
            forwardToViewer(.endOfCandidates(end), viewer: end.viewerID, session: session, from: id)
        case (.status(let report), .sharer(let session)):
            await store.update(session) { $0.status = report }
        // From a viewer, the server stamps the viewer's own id: a viewer cannot speak for another.
        case (.offer(var description), .viewer(let session, let viewer)):
            description.viewerID = viewer
            forwardToSharer(.offer(description), session: session)
        case (.answer(var description), .viewer(let session, let viewer)):
            description.viewerID = viewer
            forwardToSharer(.answer(description), session: session)
        case (.candidate(var candidate), .viewer(let session, let viewer)):
            candidate.viewerID = viewer
            forwardToSharer(.candidate(candidate), session: session)
        case (.endOfCandidates, .viewer(let session, let viewer)):
            forwardToSharer(.endOfCandidates(EndOfCandidates(viewerID: viewer)), session: session)
        case (.viewerReport(var report), .viewer(let session, let viewer)):
            report.viewerID = viewer
            let stamped = report
            await store.update(session) { $0.viewers[viewer]?.report = stamped }
            forwardToSharer(.viewerReport(stamped), session: session)
        case (.createSession, _), (.resume, _), (.join, _):
            reply(id, .error(ErrorMessage(code: .notAllowed, message: "this connection already belongs to a session")))
        default:
            reply(id, .error(ErrorMessage(code: .notAllowed, message: "\(message.type) is not accepted from this connection")))
        }
    }

    private func create(_ request: CreateSession, for id: ConnectionID) async {
        guard await store.count() < limits.maxSessions else {
            reply(id, .error(ErrorMessage(code: .sessionLimit, message: "the server has reached its session limit")))
            return
        }
        let record = SessionRecord(id: Secret.sessionID(), joinToken: Secret.token(), sharerToken: Secret.token(),
                                   displayName: request.displayName, device: request.device,
                                   sharerAddress: connections[id]?.address, startedAt: Date())
        await store.insert(record)
        connections[id]?.role = .sharer(session: record.id)
        sharers[record.id] = id
        reply(id, .sessionCreated(created(record, resumed: false)))
        logger.info("session created", metadata: ["session": "\(record.id)"])
    }

    private func resume(_ request: Resume, for id: ConnectionID) async {
        guard let record = await store.session(request.sessionID) else {
            reply(id, .error(ErrorMessage(code: .unknownSession, message: "no session \(request.sessionID)")))
            return
        }
        guard Secret.equal(record.sharerToken, request.sharerToken) else {
            reply(id, .error(ErrorMessage(code: .wrongToken, message: "wrong sharer token")))
            return
        }
        // A half-open old connection may still hold the role: the one that proved the token wins.
        if let previous = sharers[record.id], previous != id { connections[previous]?.role = .none }
        sharers[record.id] = id
        connections[id]?.role = .sharer(session: record.id)
        let address = connections[id]?.address
        await store.update(record.id) { $0.sharerLostAt = nil; $0.sharerAddress = address }
        reply(id, .sessionCreated(created(record, resumed: true)))
        for viewer in record.viewers.values.sorted(by: { $0.joinedAt < $1.joinedAt }) where viewers[viewer.id] != nil {
            reply(id, .peerJoined(PeerJoined(viewerID: viewer.id, viewerName: viewer.name)))
        }
    }

    private func join(_ request: Join, for id: ConnectionID) async {
        guard let record = await store.session(request.sessionID) else {
            reply(id, .error(ErrorMessage(code: .unknownSession, message: "no session \(request.sessionID)")))
            return
        }
        guard Secret.equal(record.joinToken, request.joinToken) else {
            reply(id, .error(ErrorMessage(code: .wrongToken, message: "wrong join token")))
            return
        }
        guard record.viewers.count < limits.maxViewersPerSession else {
            reply(id, .error(ErrorMessage(code: .viewerLimit, message: "the session has reached its viewer limit")))
            return
        }
        let viewer = ViewerRecord(id: Secret.viewerID(), name: request.viewerName, address: connections[id]?.address, joinedAt: Date())
        await store.update(record.id) { $0.viewers[viewer.id] = viewer }
        connections[id]?.role = .viewer(session: record.id, viewer: viewer.id)
        viewers[viewer.id] = id
        reply(id, .joined(Joined(sessionID: record.id, viewerID: viewer.id)))
        if let sharer = sharers[record.id] { reply(sharer, .peerJoined(PeerJoined(viewerID: viewer.id, viewerName: viewer.name))) }
    }

    private func forwardToViewer(_ message: Message, viewer: String, session: String, from id: ConnectionID) {
        guard let connection = viewers[viewer], case .viewer(session, _)? = connections[connection]?.role else {
            reply(id, .error(ErrorMessage(code: .unknownViewer, message: "no viewer \(viewer) in this session")))
            return
        }
        reply(connection, message)
    }

    private func forwardToSharer(_ message: Message, session: String) {
        // Without a sharer (lost, awaiting resume) there is no one to tell; the viewer is announced
        // again on resume and the exchange starts over.
        if let sharer = sharers[session] { reply(sharer, message) }
    }

    private func created(_ record: SessionRecord, resumed: Bool) -> SessionCreated {
        SessionCreated(sessionID: record.id, joinToken: record.joinToken,
                       joinURL: "\(publicURL())/s/\(record.id)#\(record.joinToken)",
                       sharerToken: record.sharerToken, resumed: resumed)
    }

    private func reply(_ id: ConnectionID, _ message: Message) {
        connections[id]?.outbox.yield(message.encoded)
    }

    /// Spends one token of the connection's bucket. A flooding connection is told once a second
    /// that it is being limited; what it sends meanwhile is dropped unread.
    private func admit(_ id: ConnectionID) -> Bool {
        let now = ContinuousClock.now
        guard var connection = connections[id] else { return false }
        defer { connections[id] = connection }
        if connection.bucket.take(at: now) { return true }
        if connection.lastRateLimitReply.map({ now - $0 >= .seconds(1) }) ?? true {
            connection.lastRateLimitReply = now
            connection.outbox.yield(Message.error(ErrorMessage(code: .rateLimited, message: "too many messages; slow down")).encoded)
        }
        return false
    }
}

/// A token bucket: `rate` tokens a second, holding at most `burst`.
struct TokenBucket {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant?

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
        tokens = burst
    }

    mutating func take(at now: ContinuousClock.Instant) -> Bool {
        if let last {
            let elapsed = now - last
            tokens = min(burst, tokens + rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18))
        }
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// Random identifiers and secrets, and comparing secrets without leaking where they differ.
enum Secret {
    /// Lower-case letters and digits without look-alikes (no 0/o, 1/l/i), for ids read aloud.
    private static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")

    /// 10 characters, about 49 bits: unguessable enough for an id that is not itself a secret.
    static func sessionID() -> String { readable(10) }
    static func viewerID() -> String { readable(8) }

    /// 128 random bits, base64url without padding.
    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func readable(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
