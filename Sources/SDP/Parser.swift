extension SessionDescription {
    /// Parses an offer or answer. Lenient where browsers are (CRLF or LF, blank lines, trailing
    /// whitespace, unknown attributes), strict on structure; errors name the offending line.
    public init(parsing text: String) throws(SDPError) {
        var parser = Parser()
        var lineNumber = 0
        // "\r\n" is a single Character in Swift, so it has to be named as a separator of its own.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = rawLine.trimmingSpaces
            while let last = line.last, last == "\r" || last == " " || last == "\t" { line.removeLast() }
            if line.isEmpty { continue }
            do {
                try parser.consume(line)
            } catch {
                throw SDPError.invalidLine(number: lineNumber, text: String(line), reason: error.reason)
            }
        }
        self = try parser.finish()
    }
}

/// Reads lines in order, building the session and then one media section per `m=`.
private struct Parser {
    private var sawVersion = false
    private var origin: Origin?
    private var sessionName: String?
    private var timing: String?
    private var session = SessionDescription(origin: Origin(sessionID: "0"))
    private var media: MediaBuilder?
    private var finishedMedia: [MediaDescription] = []

    mutating func consume(_ line: Substring) throws(ValueError) {
        guard let type = line.first, type.isASCII, type.isLowercase, line.dropFirst().first == "=" else {
            throw ValueError("not a '<type>=<value>' line")
        }
        // RFC 8866 §9: no field may hold NUL or a CR of its own; a value with a stray CR would not
        // survive being written out again.
        guard !line.contains(where: { $0 == "\r" || $0 == "\0" }) else {
            throw ValueError("a line may not contain CR or NUL (RFC 8866 §9)")
        }
        let value = line.dropFirst(2)
        guard sawVersion else {
            guard type == "v" else { throw ValueError("a session description must start with v=") }
            guard value == "0" else { throw ValueError("only SDP version 0 exists") }
            sawVersion = true
            return
        }
        if type == "m" {
            if let media { finishedMedia.append(media.finish()) }
            media = MediaBuilder(description: try Self.mediaLine(value))
            return
        }
        if media != nil {
            try media?.consume(type: type, value: value)
            return
        }
        switch type {
        case "v": throw ValueError("second v= line")
        case "o":
            guard origin == nil else { throw ValueError("second o= line") }
            origin = try Self.origin(value)
        case "s":
            guard sessionName == nil else { throw ValueError("second s= line") }
            sessionName = String(value)
        case "t":
            let parts = value.split(separator: " ")
            guard parts.count == 2, UInt64(parts[0]) != nil, UInt64(parts[1]) != nil else {
                throw ValueError("expected 't=<start> <stop>' with two numbers")
            }
            if timing == nil { timing = parts.joined(separator: " ") } else {
                session.otherFields.append(Field(type: "t", value: String(value)))
            }
        case "c": session.connection = try Self.connection(value)
        case "a": try applySessionAttribute(value)
        default: session.otherFields.append(Field(type: type, value: String(value)))
        }
    }

    mutating func finish() throws(SDPError) -> SessionDescription {
        guard sawVersion else { throw SDPError.missingLine(type: "v") }
        guard let origin else { throw SDPError.missingLine(type: "o") }
        guard let sessionName else { throw SDPError.missingLine(type: "s") }
        guard let timing else { throw SDPError.missingLine(type: "t") }
        if let media { finishedMedia.append(media.finish()) }
        session.origin = origin
        session.sessionName = sessionName
        session.timing = timing
        session.media = finishedMedia
        return session
    }

    private mutating func applySessionAttribute(_ text: Substring) throws(ValueError) {
        let (name, value) = splitAttribute(text)
        if try session.transport.apply(name: name, value: value) { return }
        if let direction = Direction(rawValue: String(name)), value == nil {
            session.direction = direction
            return
        }
        switch (name, value) {
        case ("group", let value?):
            let parts = value.split(separator: " ")
            guard let semantics = parts.first else { throw ValueError("a=group needs semantics") }
            session.groups.append(Group(semantics: String(semantics), mids: parts.dropFirst().map(String.init)))
        case ("msid-semantic", let value?):
            let parts = value.split(separator: " ")
            guard let semantic = parts.first else { throw ValueError("a=msid-semantic needs a semantic") }
            session.msidSemantic = MSIDSemantic(semantic: String(semantic), identifiers: parts.dropFirst().map(String.init))
        case ("ice-lite", nil): session.iceLite = true
        case ("extmap-allow-mixed", nil): session.extmapAllowMixed = true
        case ("extmap", let value?): session.extensionMaps.append(try parseExtensionMap(value))
        default: session.otherAttributes.append(Attribute(name: String(name), value: value.map(String.init)))
        }
    }

    static func origin(_ value: Substring) throws(ValueError) -> Origin {
        let parts = value.split(separator: " ")
        guard parts.count == 6 else {
            throw ValueError("expected 'o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>'")
        }
        guard parts[1].allSatisfy(\.isASCIIDigit) else { throw ValueError("session id '\(parts[1])' is not a number") }
        return Origin(username: String(parts[0]), sessionID: String(parts[1]),
                      sessionVersion: try number(parts[2], "session version"), networkType: String(parts[3]),
                      addressType: String(parts[4]), address: String(parts[5]))
    }

    static func connection(_ value: Substring) throws(ValueError) -> ConnectionData {
        let parts = value.split(separator: " ")
        guard parts.count == 3 else { throw ValueError("expected 'c=<nettype> <addrtype> <address>'") }
        return ConnectionData(networkType: String(parts[0]), addressType: String(parts[1]), address: String(parts[2]))
    }

    static func mediaLine(_ value: Substring) throws(ValueError) -> MediaDescription {
        let parts = value.split(separator: " ")
        guard parts.count >= 4 else { throw ValueError("expected 'm=<media> <port> <proto> <fmt> …'") }
        let portParts = parts[1].split(separator: "/", omittingEmptySubsequences: false)
        guard portParts.count <= 2 else { throw ValueError("port '\(parts[1])' is not '<port>[/<count>]'") }
        let port: UInt16 = try number(portParts[0], "port")
        let portCount: Int? = portParts.count == 2 ? try number(portParts[1], "port count") : nil
        let media = MediaDescription(kind: String(parts[0]), port: port, portCount: portCount, proto: String(parts[2]),
                                     formats: parts.dropFirst(3).map(String.init), connection: nil)
        if media.isRTP {
            for format in media.formats {
                guard let payloadType = UInt8(format), payloadType <= 127 else {
                    throw ValueError("payload type '\(format)' is not a number from 0 to 127")
                }
            }
        }
        return media
    }
}

/// Collects one media section's lines; codecs are assembled at the end because browsers write
/// `a=fmtp` and `a=rtcp-fb` before or after `a=rtpmap` (Firefox puts every fmtp first).
private struct MediaBuilder {
    var description: MediaDescription
    private var formatParameters: [(payloadType: UInt8, parameters: [FormatParameter], raw: String)] = []
    private var feedback: [(payloadType: UInt8, feedback: RTCPFeedback, raw: String)] = []

    init(description: MediaDescription) { self.description = description }

    mutating func consume(type: Character, value: Substring) throws(ValueError) {
        switch type {
        case "v", "o", "s", "t": throw ValueError("session-level line inside a media section")
        case "c": description.connection = try Parser.connection(value)
        case "a": try apply(value)
        default: description.otherFields.append(Field(type: type, value: String(value)))
        }
    }

    private mutating func apply(_ text: Substring) throws(ValueError) {
        let (name, value) = splitAttribute(text)
        if try description.transport.apply(name: name, value: value) { return }
        if let direction = Direction(rawValue: String(name)), value == nil {
            description.direction = direction
            return
        }
        switch (name, value) {
        case ("mid", let value?): description.mid = String(value)
        case ("rtcp-mux", nil): description.rtcpMux = true
        case ("rtcp-mux-only", nil): description.rtcpMuxOnly = true
        case ("rtcp-rsize", nil): description.rtcpReducedSize = true
        case ("rtpmap", let value?):
            let codec = try parseRTPMap(value)
            guard description.codec(payloadType: codec.payloadType) == nil else {
                throw ValueError("second a=rtpmap for payload type \(codec.payloadType)")
            }
            description.codecs.append(codec)
        case ("fmtp", let value?):
            let (payloadType, rest) = try payloadTypePrefix(value, "a=fmtp")
            formatParameters.append((payloadType, FormatParameter.parseList(rest), String(value)))
        case ("rtcp-fb", let value?) where value.first != "*":
            let (payloadType, rest) = try payloadTypePrefix(value, "a=rtcp-fb")
            let parts = rest.split(separator: " ", maxSplits: 1)
            guard let type = parts.first else { throw ValueError("a=rtcp-fb needs a feedback type") }
            feedback.append((payloadType, RTCPFeedback(type: String(type), parameter: parts.count > 1 ? String(parts[1]) : nil),
                             String(value)))
        case ("extmap", let value?): description.extensionMaps.append(try parseExtensionMap(value))
        case ("msid", let value?):
            let parts = value.split(separator: " ")
            guard let stream = parts.first, parts.count <= 2 else { throw ValueError("expected 'a=msid:<stream> [<track>]'") }
            description.mediaStreamIDs.append(MediaStreamID(stream: String(stream), track: parts.count == 2 ? String(parts[1]) : nil))
        case ("ssrc", let value?):
            let parts = value.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { throw ValueError("expected 'a=ssrc:<ssrc> <attribute>[:<value>]'") }
            let ssrc: UInt32 = try number(parts[0], "ssrc")
            let attribute = parts[1].split(separator: ":", maxSplits: 1)
            description.ssrcAttributes.append(SSRCAttribute(ssrc: ssrc, attribute: String(attribute[0]),
                                                            value: attribute.count == 2 ? String(attribute[1]) : nil))
        case ("ssrc-group", let value?):
            let parts = value.split(separator: " ")
            guard let semantics = parts.first else { throw ValueError("a=ssrc-group needs semantics") }
            var ssrcs: [UInt32] = []
            for part in parts.dropFirst() { ssrcs.append(try number(part, "ssrc")) }
            description.ssrcGroups.append(SSRCGroup(semantics: String(semantics), ssrcs: ssrcs))
        case ("candidate", let value?): description.candidates.append(try Candidate.parse(value))
        case ("end-of-candidates", nil): description.endOfCandidates = true
        default: description.otherAttributes.append(Attribute(name: String(name), value: value.map(String.init)))
        }
    }

    func finish() -> MediaDescription {
        var media = description
        for (payloadType, parameters, raw) in formatParameters {
            if let index = media.codecs.firstIndex(where: { $0.payloadType == payloadType }), media.codecs[index].parameters.isEmpty {
                media.codecs[index].parameters = parameters
            } else {
                media.otherAttributes.append(Attribute(name: "fmtp", value: raw))
            }
        }
        for (payloadType, item, raw) in feedback {
            if let index = media.codecs.firstIndex(where: { $0.payloadType == payloadType }) {
                media.codecs[index].feedback.append(item)
            } else {
                media.otherAttributes.append(Attribute(name: "rtcp-fb", value: raw))
            }
        }
        return media
    }
}

extension TransportAttributes {
    /// Takes the attribute if it is one of the ICE/DTLS attributes allowed at both levels.
    mutating func apply(name: Substring, value: Substring?) throws(ValueError) -> Bool {
        switch (name, value) {
        case ("ice-ufrag", let value?): iceUfrag = String(value)
        case ("ice-pwd", let value?): icePwd = String(value)
        case ("ice-options", let value?): iceOptions += value.split(separator: " ").map(String.init)
        case ("fingerprint", let value?): fingerprints.append(try Fingerprint.parse(value))
        case ("setup", let value?):
            guard let role = SetupRole(rawValue: String(value)) else { throw ValueError("unknown setup role '\(value)'") }
            setup = role
        default: return false
        }
        return true
    }
}

/// `name[:value]`, with the value absent for property attributes such as `a=rtcp-mux`.
private func splitAttribute(_ text: Substring) -> (name: Substring, value: Substring?) {
    guard let colon = text.firstIndex(of: ":") else { return (text, nil) }
    return (text[..<colon], text[text.index(after: colon)...].trimmingSpaces)
}

private func payloadTypePrefix(_ value: Substring, _ what: String) throws(ValueError) -> (UInt8, Substring) {
    let parts = value.split(separator: " ", maxSplits: 1)
    guard let first = parts.first, let payloadType = UInt8(first), payloadType <= 127 else {
        throw ValueError("\(what) must start with a payload type from 0 to 127")
    }
    return (payloadType, parts.count > 1 ? parts[1].trimmingSpaces : "")
}

private func parseRTPMap(_ value: Substring) throws(ValueError) -> Codec {
    let (payloadType, rest) = try payloadTypePrefix(value, "a=rtpmap")
    let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty else {
        throw ValueError("expected 'a=rtpmap:<pt> <name>/<clock rate>[/<channels>]'")
    }
    return Codec(payloadType: payloadType, name: String(parts[0]), clockRate: try number(parts[1], "clock rate"),
                 channels: parts.count == 3 ? try number(parts[2], "channels") : nil)
}

private func parseExtensionMap(_ value: Substring) throws(ValueError) -> ExtensionMap {
    let parts = value.split(separator: " ", maxSplits: 2)
    guard parts.count >= 2 else { throw ValueError("expected 'a=extmap:<id>[/<direction>] <uri>'") }
    let idParts = parts[0].split(separator: "/", omittingEmptySubsequences: false)
    guard idParts.count <= 2 else { throw ValueError("expected '<id>[/<direction>]'") }
    let id: Int = try number(idParts[0], "extension id")
    guard (1...255).contains(id) else { throw ValueError("extension id \(id) is not from 1 to 255") }
    var direction: Direction?
    if idParts.count == 2 {
        guard let parsed = Direction(rawValue: String(idParts[1])) else { throw ValueError("unknown direction '\(idParts[1])'") }
        direction = parsed
    }
    return ExtensionMap(id: id, direction: direction, uri: String(parts[1]), attributes: parts.count == 3 ? String(parts[2]) : nil)
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
