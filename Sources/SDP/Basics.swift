/// Which way media flows on a media section (RFC 8866 §6.7), from the point of view of its author.
public enum Direction: String, Hashable, Sendable, CaseIterable {
    case sendrecv, sendonly, recvonly, inactive

    public var sends: Bool { self == .sendrecv || self == .sendonly }
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }

    /// The direction an answerer that wants `local` may answer to an offer of `self` (RFC 8829 §5.3.1):
    /// it can only send what the offerer receives and receive what the offerer sends.
    public func answer(wanting local: Direction) -> Direction {
        Direction(sends: local.sends && receives, receives: local.receives && sends)
    }
}

/// The DTLS role attribute `a=setup` (RFC 4145 §4, RFC 5763 §5).
public enum SetupRole: String, Hashable, Sendable, CaseIterable {
    case active, passive, actpass, holdconn
}

/// A certificate fingerprint `a=fingerprint:<hash-func> <hex:hex:…>` (RFC 8122 §5).
public struct Fingerprint: Hashable, Sendable, CustomStringConvertible {
    /// The hash function's name in lower case, e.g. `sha-256`.
    public var hashFunction: String
    public var bytes: [UInt8]

    public init(hashFunction: String, bytes: [UInt8]) {
        self.hashFunction = hashFunction.lowercased()
        self.bytes = bytes
    }

    /// Parses the attribute value, e.g. `sha-256 AB:CD:…`.
    public init(parsing value: String) throws(SDPError) {
        do {
            self = try Fingerprint.parse(Substring(value))
        } catch {
            throw SDPError.invalidValue(text: value, reason: error.reason)
        }
    }

    static func parse(_ value: Substring) throws(ValueError) -> Fingerprint {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else { throw ValueError("expected '<hash-function> <hex:hex:…>'") }
        var bytes: [UInt8] = []
        for octet in parts[1].split(separator: ":", omittingEmptySubsequences: false) {
            guard octet.count == 2, let byte = UInt8(octet, radix: 16) else {
                throw ValueError("fingerprint octet '\(octet)' is not two hex digits")
            }
            bytes.append(byte)
        }
        return Fingerprint(hashFunction: String(parts[0]), bytes: bytes)
    }

    /// The digest alone: upper-case hex octets joined by colons (`AB:CD:…`).
    public var value: String {
        bytes.map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return hex.count == 1 ? "0" + hex : hex
        }.joined(separator: ":")
    }

    /// The attribute value: the hash name and the digest (`sha-256 AB:CD:…`).
    public var description: String { hashFunction + " " + value }
}

/// Connection data `c=<nettype> <addrtype> <connection-address>` (RFC 8866 §5.7).
public struct ConnectionData: Hashable, Sendable, CustomStringConvertible {
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(networkType: String = "IN", addressType: String = "IP4", address: String = "0.0.0.0") {
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    /// The placeholder JSEP uses when candidates are trickled (RFC 8829 §5.2.1).
    public static let unspecified = ConnectionData()

    public var description: String { "\(networkType) \(addressType) \(address)" }
}

/// The origin line `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>` (RFC 8866 §5.2).
public struct Origin: Hashable, Sendable, CustomStringConvertible {
    public var username: String
    /// Kept as text: browsers write up to 64-bit decimal numbers, RFC 8866 only asks for digits.
    public var sessionID: String
    public var sessionVersion: UInt64
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(username: String = "-", sessionID: String, sessionVersion: UInt64 = 2,
                networkType: String = "IN", addressType: String = "IP4", address: String = "127.0.0.1") {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    public var description: String {
        "\(username) \(sessionID) \(sessionVersion) \(networkType) \(addressType) \(address)"
    }
}

/// A media stream identification group `a=group:<semantics> <mid> …` (RFC 5888 §5, RFC 8843 BUNDLE).
public struct Group: Hashable, Sendable {
    public var semantics: String
    public var mids: [String]

    public init(semantics: String, mids: [String]) {
        self.semantics = semantics
        self.mids = mids
    }
}

/// `a=msid-semantic: WMS <id> …`, the pre-standard stream semantic Chromium and Firefox still write.
public struct MSIDSemantic: Hashable, Sendable {
    public var semantic: String
    public var identifiers: [String]

    public init(semantic: String = "WMS", identifiers: [String] = []) {
        self.semantic = semantic
        self.identifiers = identifiers
    }
}

/// `a=msid:<stream id> [<track id>]` (RFC 8830 §2).
public struct MediaStreamID: Hashable, Sendable {
    public var stream: String
    public var track: String?

    public init(stream: String, track: String? = nil) {
        self.stream = stream
        self.track = track
    }
}

/// An attribute the model does not interpret, kept verbatim so that it survives a round trip.
public struct Attribute: Hashable, Sendable {
    public var name: String
    public var value: String?

    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }
}

/// A line other than `a=` that the model does not interpret (`i=`, `b=`, `k=`, `r=`, `z=`, `u=`, `e=`, `p=`).
public struct Field: Hashable, Sendable {
    public var type: Character
    public var value: String

    public init(type: Character, value: String) {
        self.type = type
        self.value = value
    }
}
