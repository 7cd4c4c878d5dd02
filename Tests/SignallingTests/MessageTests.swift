import Foundation
import Signalling
import Testing

@Suite struct MessageTests {
    static let device = DeviceInfo(os: "Linux", hostName: "desk-7", screenResolution: "2560x1440", clientKind: "glimpse-cli")

    static let examples: [Message] = [
        .createSession(CreateSession(displayName: "Ana", device: device)),
        .sessionCreated(SessionCreated(sessionID: "k3x9abcdef", joinToken: "tok", joinURL: "https://g.example/s/k3x9abcdef#tok",
                                       sharerToken: "sharer", resumed: false)),
        .resume(Resume(sessionID: "k3x9abcdef", sharerToken: "sharer")),
        .join(Join(sessionID: "k3x9abcdef", joinToken: "tok", viewerName: "Bo \"the viewer\" ✓")),
        .joined(Joined(sessionID: "k3x9abcdef", viewerID: "v1")),
        .peerJoined(PeerJoined(viewerID: "v1", viewerName: "Bo")),
        .peerLeft(PeerLeft(viewerID: "v1")),
        .sessionEnded(SessionEnded(sessionID: "k3x9abcdef")),
        .offer(SessionDescriptionMessage(viewerID: "v1", sdp: "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\n")),
        .answer(SessionDescriptionMessage(viewerID: "v1", sdp: "v=0\r\n")),
        .candidate(CandidateMessage(viewerID: "v1", candidate: "candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host",
                                    sdpMid: "0", sdpMLineIndex: 0)),
        .candidate(CandidateMessage(viewerID: "v1", candidate: "candidate:2 1 udp 1 10.0.0.3 5 typ host")),
        .endOfCandidates(EndOfCandidates(viewerID: "v1")),
        .status(StatusReport(source: "Screen :0", width: 1920, height: 1080, framesPerSecond: 29.5, bitsPerSecond: 1_200_000,
                             active: true, viewers: [ViewerStatus(viewerID: "v1", state: "connected", rttMilliseconds: 12.5, lossFraction: 0.01)])),
        .viewerReport(ViewerReport(viewerID: "v1", state: "connected", framesDecoded: 42, width: 320, height: 240,
                                   framesPerSecond: 30, sampledColour: "#ff0000")),
        .error(ErrorMessage(code: .wrongToken, message: "wrong join token")),
    ]

    @Test(arguments: examples)
    func roundTrip(_ message: Message) throws {
        let text = message.encoded
        #expect(try Message(parsing: text) == message)
        #expect(!text.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["v"] as? Int == 1)
        #expect(object["type"] as? String == message.type)
    }

    @Test func nonFiniteMeasurementsSurvive() throws {
        let report = StatusReport(source: "s", width: 1, height: 1, framesPerSecond: .infinity, bitsPerSecond: 0, active: false,
                                  viewers: [ViewerStatus(viewerID: "v", state: "new", rttMilliseconds: -.infinity)])
        #expect(try Message(parsing: Message.status(report).encoded) == .status(report))
        guard case .status(let decoded) = try Message(parsing: Message.status(StatusReport(
            source: "s", width: 1, height: 1, framesPerSecond: .nan, bitsPerSecond: 0, active: false, viewers: [])).encoded) else {
            Issue.record("not a status")
            return
        }
        #expect(decoded.framesPerSecond.isNaN)
    }

    @Test func everyTypeHasAnExample() {
        let types = Set(Self.examples.map(\.type))
        #expect(types.count == 15)
    }

    /// What the browser page writes by hand must read the same as what Swift writes.
    @Test func readsHandWrittenJSON() throws {
        let text = #"{"v":1,"type":"candidate","viewerID":"v9","candidate":"candidate:1 1 udp 5 1.2.3.4 9 typ host","sdpMid":"0","sdpMLineIndex":0}"#
        #expect(try Message(parsing: text) == .candidate(CandidateMessage(viewerID: "v9", candidate: "candidate:1 1 udp 5 1.2.3.4 9 typ host",
                                                                           sdpMid: "0", sdpMLineIndex: 0)))
        // Browsers send null for an absent sdpMid.
        let nulls = #"{"v":1,"type":"candidate","viewerID":"v9","candidate":"c","sdpMid":null,"sdpMLineIndex":null}"#
        #expect(try Message(parsing: nulls) == .candidate(CandidateMessage(viewerID: "v9", candidate: "c")))
    }

    @Test(arguments: ["", "{", "[1,2]", "\"join\"", "{\"v\":1,\"type\":\"jo"])
    func refusesNonObjects(_ text: String) {
        #expect {
            try Message(parsing: text)
        } throws: { error in
            if case .notJSON = error as? SignallingError { return true }
            return false
        }
    }

    @Test func refusesWrongVersion() {
        #expect(throws: SignallingError.unsupportedVersion(2)) {
            try Message(parsing: #"{"v":2,"type":"peerLeft","viewerID":"a"}"#)
        }
        #expect(throws: SignallingError.unsupportedVersion(nil)) {
            try Message(parsing: #"{"type":"peerLeft","viewerID":"a"}"#)
        }
    }

    @Test func refusesUnknownType() {
        #expect(throws: SignallingError.unknownType("hello")) {
            try Message(parsing: #"{"v":1,"type":"hello"}"#)
        }
        #expect(throws: SignallingError.unknownType(nil)) {
            try Message(parsing: #"{"v":1}"#)
        }
    }

    @Test func namesTheMissingField() {
        #expect(throws: SignallingError.missingField(type: "join", path: "joinToken")) {
            try Message(parsing: #"{"v":1,"type":"join","sessionID":"s","viewerName":"n"}"#)
        }
        #expect(throws: SignallingError.missingField(type: "createSession", path: "device.hostName")) {
            try Message(parsing: #"{"v":1,"type":"createSession","displayName":"a","device":{"os":"x","screenResolution":"1x1","clientKind":"k"}}"#)
        }
    }

    @Test func namesTheWronglyTypedField() {
        #expect(throws: SignallingError.wrongType(type: "status", path: "width")) {
            try Message(parsing: #"{"v":1,"type":"status","source":"s","width":"wide","height":1,"framesPerSecond":1,"bitsPerSecond":1,"active":true,"viewers":[]}"#)
        }
        #expect(throws: SignallingError.wrongType(type: "status", path: "viewers[0].state")) {
            try Message(parsing: #"{"v":1,"type":"status","source":"s","width":1,"height":1,"framesPerSecond":1,"bitsPerSecond":1,"active":true,"viewers":[{"viewerID":"a","state":5}]}"#)
        }
        #expect(throws: SignallingError.wrongType(type: "error", path: "code")) {
            try Message(parsing: #"{"v":1,"type":"error","code":"noSuchCode","message":"m"}"#)
        }
    }

    @Test func refusesUnknownFields() {
        #expect(throws: SignallingError.unknownFields(type: "peerLeft", names: ["extra", "viewerId"])) {
            try Message(parsing: #"{"v":1,"type":"peerLeft","viewerID":"a","viewerId":"b","extra":1}"#)
        }
    }

    @Test func errorsReadWell() {
        #expect(SignallingError.missingField(type: "join", path: "joinToken").description == #"join: missing field "joinToken""#)
        #expect(SignallingError.unsupportedVersion(2).description.contains("speaks 1"))
    }
}

extension Message: CustomTestStringConvertible {
    public var testDescription: String { type }
}
