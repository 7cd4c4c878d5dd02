import Testing
import SDP

@Suite struct ErrorTests {
    private static let valid = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n"

    /// Replaces `line` (1-based) of a small valid description and expects the error to name it.
    private func expectError(replacing line: Int, with text: String, reasonContains word: String) {
        var lines = Self.valid.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        lines[line - 1] = text
        #expect {
            try SessionDescription(parsing: lines.joined(separator: "\r\n"))
        } throws: { error in
            guard case .invalidLine(let number, let lineText, let reason) = error as? SDPError else { return false }
            return number == line && lineText == text && reason.contains(word)
        }
    }

    @Test func theValidBaseParses() throws {
        #expect(try SessionDescription(parsing: Self.valid).media.first?.mid == "0")
    }

    @Test func malformedLinesAreNamed() {
        expectError(replacing: 1, with: "v=1", reasonContains: "version")
        expectError(replacing: 1, with: "o=- 1 2 IN IP4 127.0.0.1", reasonContains: "v=")
        expectError(replacing: 2, with: "o=- 1 2 IN IP4", reasonContains: "o=")
        expectError(replacing: 2, with: "o=- x1 2 IN IP4 127.0.0.1", reasonContains: "session id")
        expectError(replacing: 4, with: "t=zero 0", reasonContains: "t=")
        expectError(replacing: 5, with: "m=video nine UDP/TLS/RTP/SAVPF 96", reasonContains: "port")
        expectError(replacing: 5, with: "m=video 70000 UDP/TLS/RTP/SAVPF 96", reasonContains: "port")
        expectError(replacing: 5, with: "m=video 9 UDP/TLS/RTP/SAVPF VP8", reasonContains: "payload type")
        expectError(replacing: 5, with: "m=video 9 UDP/TLS/RTP/SAVPF 128", reasonContains: "payload type")
        expectError(replacing: 5, with: "m=video 9", reasonContains: "m=")
        expectError(replacing: 6, with: "a=rtpmap:x VP8/90000", reasonContains: "payload type")
        expectError(replacing: 6, with: "a=rtpmap:96 VP8", reasonContains: "rtpmap")
        expectError(replacing: 6, with: "a=fmtp:abc apt=96", reasonContains: "payload type")
        expectError(replacing: 6, with: "a=setup:sometimes", reasonContains: "setup")
        expectError(replacing: 6, with: "a=fingerprint:sha-256 ZZ:00", reasonContains: "hex")
        expectError(replacing: 6, with: "a=candidate:1 1 udp 100 192.0.2.1 99999 typ host", reasonContains: "port")
        expectError(replacing: 6, with: "a=candidate:1 1 udp 100 192.0.2.1", reasonContains: "typ")
        expectError(replacing: 6, with: "a=fmtp:96 apt=100\r;x=1", reasonContains: "CR")
        expectError(replacing: 6, with: "a=rtcp:9\0\0 IN IP4 0.0.0.0", reasonContains: "NUL")
        expectError(replacing: 6, with: "a=extmap:0 urn:x", reasonContains: "extension id")
        expectError(replacing: 6, with: "a=ssrc:notanumber cname:x", reasonContains: "ssrc")
        expectError(replacing: 6, with: "s=inside media", reasonContains: "session-level")
        expectError(replacing: 6, with: "this is not sdp", reasonContains: "<type>=<value>")
    }

    @Test func missingMandatoryLines() {
        #expect(throws: SDPError.missingLine(type: "v")) { try SessionDescription(parsing: "") }
        #expect(throws: SDPError.missingLine(type: "o")) { try SessionDescription(parsing: "v=0\ns=-\nt=0 0\n") }
        #expect(throws: SDPError.missingLine(type: "s")) { try SessionDescription(parsing: "v=0\no=- 1 2 IN IP4 0.0.0.0\nt=0 0\n") }
        #expect(throws: SDPError.missingLine(type: "t")) { try SessionDescription(parsing: "v=0\no=- 1 2 IN IP4 0.0.0.0\ns=-\n") }
    }

    @Test func lenientWhereBrowsersAre() throws {
        let sloppy = "v=0  \n\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\t\nt=0 0\nm=video 9 UDP/TLS/RTP/SAVPF 96\na=mid:0 \na=x-unknown:kept as is\n"
        let parsed = try SessionDescription(parsing: sloppy)
        #expect(parsed.media.first?.mid == "0")
        #expect(parsed.media.first?.otherAttributes == [Attribute(name: "x-unknown", value: "kept as is")])
        // Line numbers count the blank line, so they match what an editor shows.
        #expect {
            try SessionDescription(parsing: "v=0\n\no=broken\n")
        } throws: { error in
            error as? SDPError == .invalidLine(number: 3, text: "o=broken",
                                               reason: "expected 'o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>'")
        }
    }

    @Test func standaloneValues() throws {
        let fingerprint = try Fingerprint(parsing: "SHA-256 0a:FF:10")
        #expect(fingerprint == Fingerprint(hashFunction: "sha-256", bytes: [0x0A, 0xFF, 0x10]))
        #expect(fingerprint.description == "sha-256 0A:FF:10")
        #expect(throws: SDPError.invalidValue(text: "sha-256 0A:F", reason: "fingerprint octet 'F' is not two hex digits")) {
            try Fingerprint(parsing: "sha-256 0A:F")
        }
        #expect(throws: SDPError.self) { try Fingerprint(parsing: "sha-256") }
    }
}
