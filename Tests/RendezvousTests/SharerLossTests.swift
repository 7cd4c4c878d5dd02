import Foundation
import TestSupport
import Testing

/// A sharer whose machine drops off the network without a word (no FIN, no close frame): `glimpse serve`
/// with its default settings must notice through its pings, show the row grey, and drop it within 30 s.
@Suite(.enabled(if: Namespaces.permitted && LineProcess.pythonCanImport("aiortc", "websockets")
                && FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"),
                "needs root (network namespaces), curl, and python3 with aiortc and websockets: run Tools/setup as root"))
struct SharerLossTests {
    @Test func aVanishedSharerTurnsGreyThenLeavesWithinThirtySeconds() async throws {
        let spaces = try await Namespaces.twoHosts()
        var processes: [LineProcess] = []
        defer {
            for process in processes.reversed() { process.kill() }
            spaces.remove()
        }
        let server = try spaces.spawn(in: 0, [glimpseExecutable, "serve", "--http-port", "8080", "--stun-port", "3478",
                                              "--operator-token", BrowserHarness.operatorToken])
        processes.append(server)
        _ = try await server.next("listening", timeout: .seconds(20))
        let sharer = try spaces.spawn(in: 1, ["python3", BrowserHarness.script("aiortc_sharer.py"), "ws://10.0.0.1:8080/ws"])
        processes.append(sharer)
        let session = try BrowserTests.json(try await sharer.next(timeout: .seconds(30)) { $0.contains("\"session\"") })
        let id = try #require(session["sessionID"] as? String)

        /// The session's status colour as the API shows it, or nil once the row is gone.
        func status() async throws -> String? {
            let curl = try spaces.spawn(in: 0, ["curl", "-sf", "-w", "\\n", "-H", "Authorization: Bearer \(BrowserHarness.operatorToken)",
                                                "http://127.0.0.1:8080/api/sessions"])
            let body = try await curl.next(timeout: .seconds(10)) { $0.hasPrefix("[") }
            await curl.finish()
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]])
            return rows.first { $0["sessionID"] as? String == id }?["status"] as? String
        }
        #expect(try await status() != nil)

        try await spaces.exec(spaces.names[1], "ip", "link", "set", "eth0", "down")
        let lost = ContinuousClock.now
        var sawGrey = false
        var gone: Duration?
        while ContinuousClock.now - lost < .seconds(40) {
            let current = try await status()
            if current == "grey" { sawGrey = true }
            if current == nil {
                gone = ContinuousClock.now - lost
                break
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(sawGrey, "the row turned grey before it left")
        let elapsed = try #require(gone, "the row never left")
        #expect(elapsed < .seconds(30), "left after \(elapsed)")
    }
}
