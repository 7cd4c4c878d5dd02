import Foundation

/// A viewer's join link, `<server>/s/<session>#<token>` or `<server>/join/<session>?t=<token>`, and the
/// signalling endpoint it implies.
public struct JoinLink: Sendable, Equatable {
    public var sessionID: String
    public var joinToken: String
    /// `ws://host:port/ws` (or `wss://` for an https link).
    public var signallingURL: String

    public init(sessionID: String, joinToken: String, signallingURL: String) {
        self.sessionID = sessionID
        self.joinToken = joinToken
        self.signallingURL = signallingURL
    }

    public init?(_ text: String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme, let host = components.host else { return nil }
        let parts = components.path.split(separator: "/")
        guard parts.count == 2, parts[0] == "s" || parts[0] == "join" else { return nil }
        let token = parts[0] == "s" ? components.fragment : components.queryItems?.first { $0.name == "t" }?.value
        guard let token, !token.isEmpty else { return nil }
        sessionID = String(parts[1])
        joinToken = token
        signallingURL = Self.signallingURL(scheme: scheme, host: host, port: components.port)
    }

    /// The WebSocket endpoint of a rendezvous server given as `http(s)://host:port`.
    public static func signallingURL(server: String) -> String? {
        guard let components = URLComponents(string: server), let scheme = components.scheme, let host = components.host else { return nil }
        return signallingURL(scheme: scheme, host: host, port: components.port)
    }

    private static func signallingURL(scheme: String, host: String, port: Int?) -> String {
        let secure = scheme == "https" || scheme == "wss"
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(secure ? "wss" : "ws")://\(bracketed)\(port.map { ":\($0)" } ?? "")/ws"
    }
}
