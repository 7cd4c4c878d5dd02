import Foundation
import TestSupport
import Testing

/// Headless Chromium against `glimpse serve`, across two network namespaces (Chromium leaves
/// loopback out of ICE, so the peers need real interfaces): the server and an aiortc sharer on
/// 10.0.0.1, the browser on 10.0.0.2. Results come back two ways: the page's own reports relayed
/// to the sharer over signalling, and DevTools (`Tools/interop/cdp_probe.py`) reading the page.
@Suite(.serialized, .enabled(if: BrowserHarness.ready, "needs root (network namespaces), chromium, and python3 with aiortc and websockets: run Tools/setup as root"))
struct BrowserTests {
    @Test func browserViewerReceivesTheSharersVideo() async throws {
        let harness = try await BrowserHarness()
        defer { harness.stop() }
        let sharer = try harness.spaces.spawn(in: 0, ["python3", BrowserHarness.script("aiortc_sharer.py"), "ws://10.0.0.1:\(BrowserHarness.httpPort)/ws",
                                                      "--colour", "#ff0000", "--name", "Ana"])
        harness.track(sharer)
        let session = try Self.json(try await sharer.next(timeout: .seconds(30)) { $0.contains("\"session\"") })
        let joinURL = try #require(session["joinURL"] as? String)
        #expect(joinURL.hasPrefix("http://10.0.0.1:\(BrowserHarness.httpPort)/s/"))

        // Two tabs: two viewers, each with its own offer and peer connection.
        let watching = """
            window.glimpseStats && window.glimpseStats.framesDecoded > 0 && window.glimpseStats.sampledColour
              && JSON.stringify(window.glimpseStats)
            """
        let page = try harness.probe(url: joinURL, until: watching)
        let secondPage = try harness.probe(url: joinURL.replacingOccurrences(of: "/s/", with: "/join/").replacingOccurrences(of: "#", with: "?t="),
                                           until: watching)
        // What the page reported to the sharer through the server.
        let report = try Self.json(try await sharer.next(timeout: .seconds(60)) { line in
            (try? Self.json(line)).map { $0["type"] as? String == "viewerReport" && ($0["framesDecoded"] as? Int ?? 0) > 0 && $0["sampledColour"] is String } ?? false
        })
        #expect(report["state"] as? String == "connected")
        #expect(Self.isRed(report["sampledColour"] as? String))

        let seen = try Self.json(try await page.next("", timeout: .seconds(60)))
        #expect(seen["type"] as? String == "value")
        let stats = try Self.json(try #require(seen["value"] as? String))
        #expect((stats["framesDecoded"] as? Int ?? 0) > 0)
        #expect(stats["width"] as? Int == 320 && stats["height"] as? Int == 240)
        #expect(Self.isRed(stats["sampledColour"] as? String), "sampled \(stats["sampledColour"] ?? "nothing")")

        let second = try Self.json(try await secondPage.next("", timeout: .seconds(60)))
        let secondStats = try Self.json(try #require(second["value"] as? String))
        #expect(Self.isRed(secondStats["sampledColour"] as? String))
        let viewers = sharer.output.compactMap { try? Self.json($0) }.filter { $0["type"] as? String == "viewer" }
        #expect(Set(viewers.compactMap { $0["viewerID"] as? String }).count == 2)
    }

    /// The sharer drops its connection and resumes the session: the open page gets a new offer (or
    /// rejoins) and shows the new colour, without anyone touching it.
    @Test func viewerFollowsASharerThatResumes() async throws {
        let harness = try await BrowserHarness()
        defer { harness.stop() }
        let sharer = try harness.spaces.spawn(in: 0, ["python3", BrowserHarness.script("aiortc_sharer.py"), "ws://10.0.0.1:\(BrowserHarness.httpPort)/ws",
                                                      "--colour", "#ff0000"])
        harness.track(sharer)
        let session = try Self.json(try await sharer.next(timeout: .seconds(30)) { $0.contains("\"session\"") })
        let joinURL = try #require(session["joinURL"] as? String)
        let red = try harness.probe(url: joinURL, until: "window.glimpseStats && window.glimpseStats.sampledColour")
        #expect(Self.isRed(try Self.json(try await red.next("", timeout: .seconds(60)))["value"] as? String))

        try sharer.send(##"{"command": "reconnect", "colour": "#00ff00"}"##)
        let resumed = try Self.json(try await sharer.next(timeout: .seconds(30)) { $0.contains("\"resumed\": true") })
        #expect(resumed["sessionID"] as? String == session["sessionID"] as? String)
        let green = try harness.probe(url: joinURL, until: """
            (() => { const c = window.glimpseStats && window.glimpseStats.sampledColour;
                     return c && parseInt(c.slice(3, 5), 16) > 200 && parseInt(c.slice(1, 3), 16) < 60 && c; })()
            """, reuse: true)
        let seen = try Self.json(try await green.next("", timeout: .seconds(60)))
        #expect(seen["type"] as? String == "value", "the page never showed green: \(seen)")
    }

    @Test func liveViewShowsTheSession() async throws {
        let harness = try await BrowserHarness()
        defer { harness.stop() }
        let sharer = try harness.spaces.spawn(in: 0, ["python3", BrowserHarness.script("aiortc_sharer.py"), "ws://10.0.0.1:\(BrowserHarness.httpPort)/ws",
                                                      "--name", "Live Ana"])
        harness.track(sharer)
        let session = try Self.json(try await sharer.next(timeout: .seconds(30)) { $0.contains("\"session\"") })
        let id = try #require(session["sessionID"] as? String)
        let joinURL = try #require(session["joinURL"] as? String)
        let artifacts = productsDirectory.appendingPathComponent("test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts.appendingPathComponent("live-view.png")
        try? FileManager.default.removeItem(at: screenshot)
        let liveURL = "http://10.0.0.1:\(BrowserHarness.httpPort)/live?token=\(BrowserHarness.operatorToken)"
        let row = "document.querySelector('tr[data-session=\"\(id)\"]')"
        let page = try harness.probe(url: liveURL, until: """
            (() => { const row = \(row); return row && row.className === 'status-green' && row.textContent; })()
            """, screenshot: screenshot.path)
        let seen = try Self.json(try await page.next("", timeout: .seconds(60)))
        let text = try #require(seen["value"] as? String)
        #expect(text.contains("aiortc test pattern — Live Ana"))
        #expect(text.contains("local network"))
        #expect(text.contains("320×240"))
        // A PNG of the page as the operator saw it.
        let png = try Data(contentsOf: screenshot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 1000)

        // Clicking the row opens the session's join link, and that tab shows the sharer's video.
        let click = try harness.probe(url: liveURL, until: "(() => { const row = \(row); if (!row) return false; row.click(); return true; })()", reuse: true)
        #expect(try Self.json(try await click.next("", timeout: .seconds(60)))["type"] as? String == "value")
        let viewer = try harness.probe(url: joinURL, until: "window.glimpseStats && window.glimpseStats.framesDecoded > 0 && JSON.stringify(window.glimpseStats)",
                                       reuse: true)
        let watched = try Self.json(try await viewer.next("", timeout: .seconds(60)))
        #expect(watched["type"] as? String == "value", "the tab the click opened never decoded a frame: \(watched)")
        let stats = try Self.json(try #require(watched["value"] as? String))
        #expect((stats["framesDecoded"] as? Int ?? 0) > 0)
        // In a new tab: Live View itself is still open.
        let stayed = try harness.probe(url: liveURL, until: "document.title", reuse: true)
        #expect(try Self.json(try await stayed.next("", timeout: .seconds(60)))["value"] as? String == "Glimpse · Live View")
    }

    static func json(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// Pure red after VP8 and a YUV round trip: close to #ff0000, not exact.
    static func isRed(_ hex: String?) -> Bool {
        guard let hex, hex.count == 7, let value = Int(hex.dropFirst(), radix: 16) else { return false }
        let (r, g, b) = (value >> 16, value >> 8 & 0xFF, value & 0xFF)
        return r > 220 && g < 40 && b < 40
    }
}

