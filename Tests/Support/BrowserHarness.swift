import Foundation

/// Two namespaces with `glimpse serve` on the first and Chromium (with a DevTools port) on the second.
public final class BrowserHarness: @unchecked Sendable {
    public static let httpPort = 8080
    public static let operatorToken = "operator-secret-1234"
    public static let chromium = ["chromium", "chromium-browser"].lazy.compactMap { name in
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
            .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }.first

    public static var ready: Bool {
        Namespaces.permitted && chromium != nil && LineProcess.pythonCanImport("aiortc", "websockets")
    }

    public static func script(_ name: String) -> String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Tools/interop/\(name)").path
    }

    public let spaces: Namespaces
    /// The most recent test pattern and sharer a test started, for tests that pause or kill them.
    public var lastPattern: LineProcess?
    public var lastSharer: LineProcess?
    /// X servers the test started; released (and so stopped) by ``stop()``.
    public var displays: [Xvfb] = []
    private var processes: [LineProcess] = []
    private let profile = FileManager.default.temporaryDirectory.appendingPathComponent("glimpse-chromium-\(UUID().uuidString)")

    public init() async throws {
        spaces = try await Namespaces.twoHosts()
        do {
            let server = try spaces.spawn(in: 0, [glimpseExecutable, "serve", "--host", "0.0.0.0", "--http-port", "\(Self.httpPort)",
                                                  "--stun-port", "3478", "--operator-token", Self.operatorToken,
                                                  "--public-url", "http://10.0.0.1:\(Self.httpPort)"])
            track(server)
            _ = try await server.next("listening", timeout: .seconds(20))
            let browser = try spaces.spawn(in: 1, [Self.chromium!, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                                                   "--autoplay-policy=no-user-gesture-required",
                                                   "--disable-features=WebRtcHideLocalIpsWithMdns",
                                                   "--user-data-dir=\(profile.path)", "--remote-debugging-port=9222", "about:blank"])
            track(browser)
        } catch {
            stop()
            throw error
        }
    }

    public func track(_ process: LineProcess) { processes.append(process) }

    /// Opens `url` in the browser and waits until `until` evaluates truthy; read its line with `next("")`.
    /// With `reuse`, it watches the tab already showing `url` instead of opening one; with `screenshot`, a
    /// PNG of the tab at that moment is saved there.
    public func probe(url: String, until expression: String, reuse: Bool = false, screenshot: String? = nil) throws -> LineProcess {
        let probe = try spaces.spawn(in: 1, ["python3", Self.script("cdp_probe.py"), "--port", "9222", "--url", url,
                                             "--until", expression, "--timeout", "50"]
                                             + (reuse ? ["--reuse"] : []) + (screenshot.map { ["--screenshot", $0] } ?? []))
        track(probe)
        return probe
    }

    /// Kills every process and removes the namespaces before returning, so nothing outlives the test run.
    public func stop() {
        for process in processes.reversed() { process.kill() }
        displays = []
        spaces.remove()
        try? FileManager.default.removeItem(at: profile)
    }
}
