import Foundation
import Signalling

/// One sharing session as the server remembers it: who shares, the secrets, what the sharer last
/// reported, and the viewers. Live connections are not part of it (the ``Hub`` owns those), so a
/// shared store for several server instances can hold these records as they are.
public struct SessionRecord: Sendable, Equatable {
    public var id: String
    public var joinToken: String
    public var sharerToken: String
    public var displayName: String
    public var device: DeviceInfo
    /// The sharer's address as the server saw it (the peer of its WebSocket's TCP connection).
    public var sharerAddress: String?
    public var startedAt: Date
    /// Set while the sharer's connection is gone and the session waits for a `resume`.
    public var sharerLostAt: Date?
    public var status: StatusReport?
    public var viewers: [String: ViewerRecord]

    public init(id: String, joinToken: String, sharerToken: String, displayName: String, device: DeviceInfo,
                sharerAddress: String?, startedAt: Date) {
        self.id = id
        self.joinToken = joinToken
        self.sharerToken = sharerToken
        self.displayName = displayName
        self.device = device
        self.sharerAddress = sharerAddress
        self.startedAt = startedAt
        viewers = [:]
    }
}

/// A viewer of a session.
public struct ViewerRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var address: String?
    public var joinedAt: Date
    /// What the viewer last said it sees (browser page, native viewer).
    public var report: ViewerReport?

    public init(id: String, name: String, address: String?, joinedAt: Date) {
        self.id = id
        self.name = name
        self.address = address
        self.joinedAt = joinedAt
    }
}

/// Where session records live. The server needs only these operations; the in-memory actor is the
/// default, and a store shared between server instances implements the same.
public protocol SessionStore: Sendable {
    func insert(_ session: SessionRecord) async
    func session(_ id: String) async -> SessionRecord?
    /// Applies `change` to the session if it exists; returns the record after the change.
    @discardableResult
    func update(_ id: String, _ change: @Sendable (inout SessionRecord) -> Void) async -> SessionRecord?
    func remove(_ id: String) async
    func count() async -> Int
    /// Every session, for Live View; `version` grows with every change so watchers can skip idle ticks.
    func snapshot() async -> (version: Int, sessions: [SessionRecord])
    func version() async -> Int
}

/// The default ``SessionStore``: a dictionary inside an actor.
public actor InMemorySessionStore: SessionStore {
    private var sessions: [String: SessionRecord] = [:]
    private var changes = 0

    public init() {}

    public func insert(_ session: SessionRecord) {
        sessions[session.id] = session
        changes += 1
    }

    public func session(_ id: String) -> SessionRecord? { sessions[id] }

    @discardableResult
    public func update(_ id: String, _ change: @Sendable (inout SessionRecord) -> Void) -> SessionRecord? {
        guard var session = sessions[id] else { return nil }
        change(&session)
        sessions[id] = session
        changes += 1
        return session
    }

    public func remove(_ id: String) {
        if sessions.removeValue(forKey: id) != nil { changes += 1 }
    }

    public func count() -> Int { sessions.count }

    public func snapshot() -> (version: Int, sessions: [SessionRecord]) {
        (changes, sessions.values.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) })
    }

    public func version() -> Int { changes }
}
