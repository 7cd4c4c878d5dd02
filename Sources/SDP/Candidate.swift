/// An ICE candidate, the value of `a=candidate` (RFC 8839 §5.1) with the extensions browsers add.
public struct Candidate: Hashable, Sendable, CustomStringConvertible {
    /// The candidate type after `typ` (RFC 8445 §5.1.1).
    public struct Kind: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let host = Kind(rawValue: "host")
        public static let serverReflexive = Kind(rawValue: "srflx")
        public static let peerReflexive = Kind(rawValue: "prflx")
        public static let relayed = Kind(rawValue: "relay")
    }

    public var foundation: String
    /// 1 for RTP; 2 for RTCP when rtcp-mux is not used.
    public var component: Int
    /// As written: Chromium writes `udp`, Firefox `UDP`. Compare case-insensitively.
    public var transport: String
    public var priority: UInt32
    /// An IP address, or an mDNS name (`<uuid>.local`) when the browser hides local addresses.
    public var address: String
    public var port: UInt16
    public var kind: Kind
    public var relatedAddress: String?
    public var relatedPort: UInt16?
    /// `active`, `passive` or `so` for TCP candidates (RFC 6544 §4.5).
    public var tcpType: String?
    public var generation: Int?
    public var ufrag: String?
    public var networkID: Int?
    public var networkCost: Int?
    /// Extension name/value pairs this model does not interpret, in their written order.
    public var extensions: [FormatParameter]

    public init(foundation: String, component: Int = 1, transport: String = "udp", priority: UInt32,
                address: String, port: UInt16, kind: Kind, relatedAddress: String? = nil, relatedPort: UInt16? = nil,
                tcpType: String? = nil, generation: Int? = nil, ufrag: String? = nil, networkID: Int? = nil,
                networkCost: Int? = nil, extensions: [FormatParameter] = []) {
        self.foundation = foundation
        self.component = component
        self.transport = transport
        self.priority = priority
        self.address = address
        self.port = port
        self.kind = kind
        self.relatedAddress = relatedAddress
        self.relatedPort = relatedPort
        self.tcpType = tcpType
        self.generation = generation
        self.ufrag = ufrag
        self.networkID = networkID
        self.networkCost = networkCost
        self.extensions = extensions
    }

    /// Parses a candidate as found in SDP or in a trickled `RTCIceCandidate.candidate`:
    /// with or without the `a=` and `candidate:` prefixes.
    public init(parsing text: String) throws(SDPError) {
        var value = Substring(text).trimmingSpaces
        if value.hasPrefix("a=") { value = value.dropFirst(2) }
        if value.hasPrefix("candidate:") { value = value.dropFirst("candidate:".count) }
        do {
            self = try Candidate.parse(value)
        } catch {
            throw SDPError.invalidValue(text: text, reason: error.reason)
        }
    }

    /// Parses the attribute value (after `candidate:`).
    static func parse(_ value: Substring) throws(ValueError) -> Candidate {
        let tokens = value.split(separator: " ", omittingEmptySubsequences: true)
        guard tokens.count >= 8, tokens[6] == "typ" else {
            throw ValueError("expected '<foundation> <component> <transport> <priority> <address> <port> typ <type>'")
        }
        guard let component = Int(tokens[1]), (1...256).contains(component) else {
            throw ValueError("component '\(tokens[1])' is not a number from 1 to 256")
        }
        guard let priority = UInt32(tokens[3]) else { throw ValueError("priority '\(tokens[3])' is not a 32-bit number") }
        guard let port = UInt16(tokens[5]) else { throw ValueError("port '\(tokens[5])' is not a port number") }
        var candidate = Candidate(foundation: String(tokens[0]), component: component, transport: String(tokens[2]),
                                  priority: priority, address: String(tokens[4]), port: port,
                                  kind: Kind(rawValue: String(tokens[7])))
        var index = 8
        while index < tokens.count {
            guard index + 1 < tokens.count else { throw ValueError("extension '\(tokens[index])' has no value") }
            let name = tokens[index], value = tokens[index + 1]
            index += 2
            switch name {
            case "raddr": candidate.relatedAddress = String(value)
            case "rport": candidate.relatedPort = try number(value, "rport")
            case "tcptype": candidate.tcpType = String(value)
            case "generation": candidate.generation = try number(value, "generation")
            case "ufrag": candidate.ufrag = String(value)
            case "network-id": candidate.networkID = try number(value, "network-id")
            case "network-cost": candidate.networkCost = try number(value, "network-cost")
            default: candidate.extensions.append(FormatParameter(key: String(name), value: String(value)))
            }
        }
        return candidate
    }

    /// The attribute value without the `candidate:` prefix.
    public var value: String {
        var parts = [foundation, "\(component)", transport, "\(priority)", address, "\(port)", "typ", kind.rawValue]
        func add(_ name: String, _ value: String?) {
            if let value { parts += [name, value] }
        }
        add("raddr", relatedAddress)
        add("rport", relatedPort.map(String.init))
        add("tcptype", tcpType)
        add("generation", generation.map(String.init))
        add("ufrag", ufrag)
        add("network-id", networkID.map(String.init))
        add("network-cost", networkCost.map(String.init))
        for item in extensions { add(item.key, item.value) }
        return parts.joined(separator: " ")
    }

    /// The form a browser's `RTCIceCandidate.candidate` takes: `candidate:<value>`.
    public var description: String { "candidate:" + value }
}

func number<T: FixedWidthInteger>(_ text: Substring, _ what: String) throws(ValueError) -> T {
    guard let value = T(text) else { throw ValueError("\(what) '\(text)' is not a number in range") }
    return value
}

extension Substring {
    /// Without leading and trailing spaces and tabs (browsers tolerate trailing whitespace).
    var trimmingSpaces: Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
