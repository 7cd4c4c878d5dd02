/// One RTP payload format of a media section: its `a=rtpmap`, `a=fmtp` and `a=rtcp-fb` lines together
/// (RFC 8866 §6.6, §6.15; RFC 4585 §4.2).
public struct Codec: Hashable, Sendable {
    /// The dynamic payload type the offerer chose; an answer keeps it (RFC 8829 §5.3.1).
    public var payloadType: UInt8
    /// The encoding name as written, e.g. `VP8`, `rtx`, `H264`. Compare with `isNamed(_:)`.
    public var name: String
    public var clockRate: UInt32
    /// Audio channel count, the optional third part of `rtpmap`.
    public var channels: Int?
    /// The `a=fmtp` parameters in their written order.
    public var parameters: [FormatParameter]
    public var feedback: [RTCPFeedback]

    public init(payloadType: UInt8, name: String, clockRate: UInt32, channels: Int? = nil,
                parameters: [FormatParameter] = [], feedback: [RTCPFeedback] = []) {
        self.payloadType = payloadType
        self.name = name
        self.clockRate = clockRate
        self.channels = channels
        self.parameters = parameters
        self.feedback = feedback
    }

    /// Encoding names are case-insensitive (RFC 4855 §3).
    public func isNamed(_ other: String) -> Bool { name.lowercased() == other.lowercased() }

    /// The value of format parameter `key`, if present.
    public func parameter(_ key: String) -> String? {
        parameters.first { $0.key == key }?.value
    }

    /// For an `rtx` codec, the payload type it retransmits (`apt=`, RFC 4588 §8.6).
    public var associatedPayloadType: UInt8? { parameter("apt").flatMap { UInt8($0) } }

    /// The `a=rtpmap` value: `<pt> <name>/<rate>[/<channels>]`.
    var rtpmapValue: String {
        "\(payloadType) \(name)/\(clockRate)" + (channels.map { "/\($0)" } ?? "")
    }

    /// The `a=fmtp` value, or nil when there are no parameters.
    var fmtpValue: String? {
        parameters.isEmpty ? nil : "\(payloadType) " + parameters.map(\.description).joined(separator: ";")
    }
}

/// One `key=value` (or bare `key`) of an `a=fmtp` line.
public struct FormatParameter: Hashable, Sendable, CustomStringConvertible {
    public var key: String
    public var value: String?

    public init(key: String, value: String? = nil) {
        self.key = key
        self.value = value
    }

    public var description: String { value.map { "\(key)=\($0)" } ?? key }

    /// Splits `a=fmtp` parameters on `;`, tolerating the spaces some stacks put after it.
    static func parseList(_ text: Substring) -> [FormatParameter] {
        text.split(separator: ";").compactMap { item in
            let item = item.trimmingSpaces
            guard !item.isEmpty else { return nil }
            guard let equals = item.firstIndex(of: "=") else { return FormatParameter(key: String(item)) }
            return FormatParameter(key: String(item[..<equals]), value: String(item[item.index(after: equals)...]))
        }
    }
}

/// An `a=rtcp-fb` feedback type and optional parameter (RFC 4585 §4.2, RFC 5104 §7.1).
public struct RTCPFeedback: Hashable, Sendable, CustomStringConvertible {
    public var type: String
    public var parameter: String?

    public init(type: String, parameter: String? = nil) {
        self.type = type
        self.parameter = parameter
    }

    /// Generic NACK (RFC 4585 §6.2.1).
    public static let nack = RTCPFeedback(type: "nack")
    /// Picture Loss Indication (RFC 4585 §6.3.1).
    public static let pli = RTCPFeedback(type: "nack", parameter: "pli")
    /// Full Intra Request (RFC 5104 §4.3.1).
    public static let fir = RTCPFeedback(type: "ccm", parameter: "fir")
    /// Receiver Estimated Max Bitrate (draft-alvestrand-rmcat-remb).
    public static let googREMB = RTCPFeedback(type: "goog-remb")
    /// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions).
    public static let transportCC = RTCPFeedback(type: "transport-cc")

    public var description: String { parameter.map { "\(type) \($0)" } ?? type }
}

/// `a=extmap:<id>[/<direction>] <uri> [<attributes>]` (RFC 8285 §5).
public struct ExtensionMap: Hashable, Sendable {
    public var id: Int
    public var direction: Direction?
    public var uri: String
    public var attributes: String?

    public init(id: Int, direction: Direction? = nil, uri: String, attributes: String? = nil) {
        self.id = id
        self.direction = direction
        self.uri = uri
        self.attributes = attributes
    }

    /// Absolute send time, which Chromium's bandwidth estimator uses without transport-cc.
    public static let absSendTimeURI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
    /// Transport-wide sequence numbers for transport-cc feedback.
    public static let transportCCURI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
    /// The BUNDLE mid header extension (RFC 8843 §9.1).
    public static let midURI = "urn:ietf:params:rtp-hdrext:sdes:mid"

    var value: String {
        "\(id)" + (direction.map { "/\($0.rawValue)" } ?? "") + " \(uri)" + (attributes.map { " \($0)" } ?? "")
    }
}

/// `a=ssrc:<ssrc> <attribute>[:<value>]` (RFC 5576 §4.1).
public struct SSRCAttribute: Hashable, Sendable {
    public var ssrc: UInt32
    public var attribute: String
    public var value: String?

    public init(ssrc: UInt32, attribute: String, value: String? = nil) {
        self.ssrc = ssrc
        self.attribute = attribute
        self.value = value
    }

    var lineValue: String { "\(ssrc) \(attribute)" + (value.map { ":\($0)" } ?? "") }
}

/// `a=ssrc-group:<semantics> <ssrc> …` (RFC 5576 §4.2); `FID` pairs a stream with its rtx stream.
public struct SSRCGroup: Hashable, Sendable {
    public var semantics: String
    public var ssrcs: [UInt32]

    public init(semantics: String, ssrcs: [UInt32]) {
        self.semantics = semantics
        self.ssrcs = ssrcs
    }
}
