extension SessionDescription {
    /// The description as SDP text with CRLF line endings, in the line order Chromium writes.
    public var serialized: String {
        var lines = ["v=0", "o=\(origin)", "s=\(sessionName)"]
        if let connection { lines.append("c=\(connection)") }
        lines.append("t=\(timing)")
        lines += otherFields.map { "\($0.type)=\($0.value)" }
        for group in groups { lines.append("a=group:" + ([group.semantics] + group.mids).joined(separator: " ")) }
        if extmapAllowMixed { lines.append("a=extmap-allow-mixed") }
        if let msidSemantic {
            lines.append("a=msid-semantic: " + ([msidSemantic.semantic] + msidSemantic.identifiers).joined(separator: " "))
        }
        if iceLite { lines.append("a=ice-lite") }
        lines += transport.lines
        if let direction { lines.append("a=\(direction.rawValue)") }
        lines += extensionMaps.map { "a=extmap:\($0.value)" }
        lines += otherAttributes.map(\.line)
        for section in media { lines += section.lines }
        return lines.map { $0 + "\r\n" }.joined()
    }
}

extension MediaDescription {
    var lines: [String] {
        let port = "\(self.port)" + (portCount.map { "/\($0)" } ?? "")
        var lines = ["m=" + ([kind, port, proto] + formats).joined(separator: " ")]
        if let connection { lines.append("c=\(connection)") }
        lines += otherFields.map { "\($0.type)=\($0.value)" }
        lines += candidates.map { "a=candidate:\($0.value)" }
        if endOfCandidates { lines.append("a=end-of-candidates") }
        lines += transport.lines
        if let mid { lines.append("a=mid:\(mid)") }
        lines += extensionMaps.map { "a=extmap:\($0.value)" }
        if let direction { lines.append("a=\(direction.rawValue)") }
        lines += mediaStreamIDs.map { "a=msid:\($0.stream)" + ($0.track.map { " \($0)" } ?? "") }
        if rtcpMux { lines.append("a=rtcp-mux") }
        if rtcpMuxOnly { lines.append("a=rtcp-mux-only") }
        if rtcpReducedSize { lines.append("a=rtcp-rsize") }
        for codec in codecs {
            lines.append("a=rtpmap:\(codec.rtpmapValue)")
            lines += codec.feedback.map { "a=rtcp-fb:\(codec.payloadType) \($0)" }
            if let fmtp = codec.fmtpValue { lines.append("a=fmtp:\(fmtp)") }
        }
        lines += ssrcGroups.map { "a=ssrc-group:" + ([$0.semantics] + $0.ssrcs.map(String.init)).joined(separator: " ") }
        lines += ssrcAttributes.map { "a=ssrc:\($0.lineValue)" }
        lines += otherAttributes.map(\.line)
        return lines
    }
}

extension TransportAttributes {
    var lines: [String] {
        var lines: [String] = []
        if let iceUfrag { lines.append("a=ice-ufrag:\(iceUfrag)") }
        if let icePwd { lines.append("a=ice-pwd:\(icePwd)") }
        if !iceOptions.isEmpty { lines.append("a=ice-options:" + iceOptions.joined(separator: " ")) }
        lines += fingerprints.map { "a=fingerprint:\($0)" }
        if let setup { lines.append("a=setup:\(setup.rawValue)") }
        return lines
    }
}

extension Attribute {
    var line: String { "a=\(name)" + (value.map { ":\($0)" } ?? "") }
}
