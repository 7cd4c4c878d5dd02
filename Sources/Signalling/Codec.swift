import Foundation

/// Why a text could not be read as a ``Message``.
public enum SignallingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a JSON object at all.
    case notJSON(String)
    /// `v` is missing or names a version this build does not speak.
    case unsupportedVersion(Int?)
    /// `type` is missing or names no message.
    case unknownType(String?)
    /// A required field is absent (`path` like "device.os").
    case missingField(type: String, path: String)
    /// A field holds the wrong kind of value.
    case wrongType(type: String, path: String)
    /// Fields the message type does not have: a typo or a newer peer, refused rather than ignored.
    case unknownFields(type: String, names: [String])

    public var description: String {
        switch self {
        case .notJSON(let reason): "not a JSON object: \(reason)"
        case .unsupportedVersion(let version): "unsupported protocol version \(version.map(String.init) ?? "(missing)"); this side speaks \(Message.version)"
        case .unknownType(let type): type.map { "unknown message type \"\($0)\"" } ?? "missing message type"
        case .missingField(let type, let path): "\(type): missing field \"\(path)\""
        case .wrongType(let type, let path): "\(type): field \"\(path)\" has the wrong type"
        case .unknownFields(let type, let names): "\(type): unknown fields \(names.map { "\"\($0)\"" }.joined(separator: ", "))"
        }
    }
}

extension Message {
    /// Reads one message from the text of a WebSocket frame, strictly: right version, known type,
    /// every required field present with the right type, no fields the type lacks.
    public init(parsing text: String) throws(SignallingError) {
        try self.init(parsing: Data(text.utf8))
    }

    /// Reads one message from UTF-8 JSON bytes.
    public init(parsing bytes: some Collection<UInt8>) throws(SignallingError) {
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = Self.nonFinite.decoding
            self = try decoder.decode(Envelope.self, from: Data(bytes)).message
        } catch let error as SignallingError {
            throw error
        } catch {
            // The envelope maps every error inside the object; what is left is the JSON itself.
            throw .notJSON(Self.reason(error))
        }
    }

    /// The message as one line of JSON (keys sorted, so equal messages encode equally).
    public var encoded: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = Self.nonFinite.encoding
        // Payloads are strings, numbers (non-finite ones spelled out), booleans and arrays of them:
        // encoding cannot fail.
        let data = try! encoder.encode(Envelope(message: self))
        return String(decoding: data, as: UTF8.self)
    }

    /// JSON has no NaN or infinity; a sharer's measured rate can be either, so they travel as strings.
    private static let nonFinite = (
        encoding: JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN"),
        decoding: JSONDecoder.NonConformingFloatDecodingStrategy.convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    )

    private static func reason(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return (context.underlyingError as NSError?)?.localizedDescription ?? context.debugDescription
        }
        return "\(error)"
    }
}

/// What every payload struct declares so the envelope can refuse fields it does not know.
protocol Payload: Codable, Sendable {
    static var fields: Set<String> { get }
}

extension CreateSession: Payload { static let fields: Set<String> = ["displayName", "device"] }
extension SessionCreated: Payload { static let fields: Set<String> = ["sessionID", "joinToken", "joinURL", "sharerToken", "resumed"] }
extension Resume: Payload { static let fields: Set<String> = ["sessionID", "sharerToken"] }
extension Join: Payload { static let fields: Set<String> = ["sessionID", "joinToken", "viewerName"] }
extension Joined: Payload { static let fields: Set<String> = ["sessionID", "viewerID"] }
extension PeerJoined: Payload { static let fields: Set<String> = ["viewerID", "viewerName"] }
extension PeerLeft: Payload { static let fields: Set<String> = ["viewerID"] }
extension SessionEnded: Payload { static let fields: Set<String> = ["sessionID"] }
extension SessionDescriptionMessage: Payload { static let fields: Set<String> = ["viewerID", "sdp"] }
extension CandidateMessage: Payload { static let fields: Set<String> = ["viewerID", "candidate", "sdpMid", "sdpMLineIndex"] }
extension EndOfCandidates: Payload { static let fields: Set<String> = ["viewerID"] }
extension StatusReport: Payload {
    static let fields: Set<String> = ["source", "width", "height", "framesPerSecond", "bitsPerSecond", "active", "viewers"]
}
extension ViewerReport: Payload {
    static let fields: Set<String> = ["viewerID", "state", "framesDecoded", "width", "height", "framesPerSecond", "sampledColour"]
}
extension ErrorMessage: Payload { static let fields: Set<String> = ["code", "message"] }

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// The JSON object: `v` and `type` beside the payload's own fields.
private struct Envelope: Codable {
    var message: Message

    init(message: Message) { self.message = message }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        let version = try? container.decode(Int.self, forKey: AnyKey("v"))
        guard version == Message.version else { throw SignallingError.unsupportedVersion(version) }
        let type = try? container.decode(String.self, forKey: AnyKey("type"))
        func payload<P: Payload>(_: P.Type) throws -> P {
            let unknown = Set(container.allKeys.map(\.stringValue)).subtracting(P.fields).subtracting(["v", "type"])
            guard unknown.isEmpty else { throw SignallingError.unknownFields(type: type ?? "", names: unknown.sorted()) }
            do {
                return try P(from: decoder)
            } catch let DecodingError.keyNotFound(key, context) {
                throw SignallingError.missingField(type: type ?? "", path: Self.path(context.codingPath + [key]))
            } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
                    let DecodingError.dataCorrupted(context) {
                throw SignallingError.wrongType(type: type ?? "", path: Self.path(context.codingPath))
            }
        }
        switch type {
        case "createSession": message = .createSession(try payload(CreateSession.self))
        case "sessionCreated": message = .sessionCreated(try payload(SessionCreated.self))
        case "resume": message = .resume(try payload(Resume.self))
        case "join": message = .join(try payload(Join.self))
        case "joined": message = .joined(try payload(Joined.self))
        case "peerJoined": message = .peerJoined(try payload(PeerJoined.self))
        case "peerLeft": message = .peerLeft(try payload(PeerLeft.self))
        case "sessionEnded": message = .sessionEnded(try payload(SessionEnded.self))
        case "offer": message = .offer(try payload(SessionDescriptionMessage.self))
        case "answer": message = .answer(try payload(SessionDescriptionMessage.self))
        case "candidate": message = .candidate(try payload(CandidateMessage.self))
        case "endOfCandidates": message = .endOfCandidates(try payload(EndOfCandidates.self))
        case "status": message = .status(try payload(StatusReport.self))
        case "viewerReport": message = .viewerReport(try payload(ViewerReport.self))
        case "error": message = .error(try payload(ErrorMessage.self))
        default: throw SignallingError.unknownType(type)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode(Message.version, forKey: AnyKey("v"))
        try container.encode(message.type, forKey: AnyKey("type"))
        switch message {
        case .createSession(let payload): try payload.encode(to: encoder)
        case .sessionCreated(let payload): try payload.encode(to: encoder)
        case .resume(let payload): try payload.encode(to: encoder)
        case .join(let payload): try payload.encode(to: encoder)
        case .joined(let payload): try payload.encode(to: encoder)
        case .peerJoined(let payload): try payload.encode(to: encoder)
        case .peerLeft(let payload): try payload.encode(to: encoder)
        case .sessionEnded(let payload): try payload.encode(to: encoder)
        case .offer(let payload), .answer(let payload): try payload.encode(to: encoder)
        case .candidate(let payload): try payload.encode(to: encoder)
        case .endOfCandidates(let payload): try payload.encode(to: encoder)
        case .status(let payload): try payload.encode(to: encoder)
        case .viewerReport(let payload): try payload.encode(to: encoder)
        case .error(let payload): try payload.encode(to: encoder)
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }
}
