import Foundation

/// Headless Chromium driven over the DevTools protocol on `--remote-debugging-pipe` (the browser
/// reads NUL-terminated JSON commands on fd 3 and answers on fd 4), so no websocket client is needed.
/// One instance is one browser process with one page.
///
///     let chromium = try HeadlessChromium(html: "<script>window.result = 'hi'</script>")
///     let text = try chromium.waitForResult()     // what the page assigned to window.result
///     let sdp = try chromium.evaluate("pc.localDescription.sdp")
final class HeadlessChromium: HeadlessBrowser {
    /// The chromium binary: `$CHROMIUM`, else `chromium` or `chromium-browser` on the PATH.
    static var executable: String? { findExecutable(["chromium", "chromium-browser"], environmentVariable: "CHROMIUM") }

    private let child: PipedChild
    private let directory: URL
    private let timeout: Duration
    private var nextID = 0
    private var session = ""
    private var closed = false

    /// Starts Chromium and loads `html` (written to a temporary file) in its only page.
    init(html: String, network: BrowserNetwork = .isolated, flags: [String] = [], timeout: Duration = .seconds(30)) throws {
        guard let executable = Self.executable else { throw BrowserFailure.notInstalled("chromium") }
        self.timeout = timeout
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("glimpse-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let page = directory.appendingPathComponent("page.html")
        try html.write(to: page, atomically: true, encoding: .utf8)
        let command = [executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                       "--disable-background-networking", "--disable-component-update", "--disable-sync",
                       "--user-data-dir=\(directory.appendingPathComponent("profile").path)",
                       "--remote-debugging-pipe"] + flags + ["about:blank"]
        do {
            child = try PipedChild(arguments: network.wrap(command), childReads: 3, childWrites: 4)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        do {
            try attach(url: page.absoluteString)
        } catch {
            quit()
            throw error
        }
    }

    deinit { quit() }

    func evaluate(_ expression: String) throws -> String {
        let reply = try call("Runtime.evaluate", ["expression": expression, "awaitPromise": true, "returnByValue": true],
                             session: session)
        if let exception = reply["exceptionDetails"] as? [String: Any] {
            let detail = (exception["exception"] as? [String: Any])?["description"] as? String
            throw BrowserFailure.javascript(detail ?? "\(exception["text"] ?? exception)")
        }
        let value = (reply["result"] as? [String: Any])?["value"]
        if let string = value as? String { return string }
        guard let value, JSONSerialization.isValidJSONObject([value]),
              let data = try? JSONSerialization.data(withJSONObject: [value]) else { return "undefined" }
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }

    /// Ends the browser: politely over DevTools, then by signal if it lingers.
    func quit() {
        guard !closed else { return }
        closed = true
        _ = try? call("Browser.close", [:])
        child.finish(within: .seconds(5))
        try? FileManager.default.removeItem(at: directory)
    }

    private func attach(url: String) throws {
        let target = try call("Target.createTarget", ["url": url])
        guard let targetID = target["targetId"] as? String else { throw BrowserFailure.protocolError("no targetId") }
        let attached = try call("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw BrowserFailure.protocolError("no sessionId") }
        self.session = session
        // The new target may still show about:blank; poll (bounded) until our page has loaded.
        let deadline = ContinuousClock.now + timeout
        while (try? evaluate("document.readyState === 'complete' && location.href")) != url {
            guard ContinuousClock.now < deadline else { throw BrowserFailure.timedOut("the page to load") }
            usleep(20_000)
        }
    }

    private func call(_ method: String, _ parameters: [String: Any], session: String? = nil) throws -> [String: Any] {
        nextID += 1
        var message: [String: Any] = ["id": nextID, "method": method, "params": parameters]
        if let session { message["sessionId"] = session }
        try child.send([UInt8](try JSONSerialization.data(withJSONObject: message)) + [0])
        let deadline = ContinuousClock.now + timeout
        while true {
            let bytes = try child.receive(delimiter: 0, until: deadline, waitingFor: method)
            let reply = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] ?? [:]
            guard reply["id"] as? Int == nextID else { continue }  // events and stale replies
            if let error = reply["error"] as? [String: Any] { throw BrowserFailure.protocolError("\(method): \(error)") }
            return reply["result"] as? [String: Any] ?? [:]
        }
    }
}
