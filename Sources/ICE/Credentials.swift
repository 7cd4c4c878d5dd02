/// An agent's ICE username fragment and password (RFC 8445 §5.3, RFC 8839 §5.4).
public struct ICECredentials: Hashable, Sendable {
    public var ufrag: String
    public var pwd: String

    public init(ufrag: String, pwd: String) {
        self.ufrag = ufrag
        self.pwd = pwd
    }

    /// Fresh random credentials: 8 ice-chars of ufrag (≥ 24 bits of randomness) and 24 of password (≥ 128 bits).
    public static func random() -> ICECredentials {
        ICECredentials(ufrag: randomICEChars(8), pwd: randomICEChars(24))
    }

    /// RFC 8839 §5.4 ice-char: ALPHA / DIGIT / "+" / "/".
    private static let iceChars = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    private static func randomICEChars(_ count: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in iceChars.randomElement(using: &rng)! })
    }
}
