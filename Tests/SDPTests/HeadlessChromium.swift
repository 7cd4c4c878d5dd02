import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium driven over the DevTools protocol on `--remote-debugging-pipe` (fd 3 carries
/// NUL-terminated JSON commands to the browser, fd 4 brings replies back), so no websocket client is
/// needed. One instance is one browser process with one page; `quit()` (or deinit) ends it.
///
///     let chromium = try HeadlessChromium(html: "<script>window.result = 'hi'</script>")
///     let text = try chromium.waitForResult()     // what the page assigned to window.result
///     let sdp = try chromium.evaluate("pc.localDescription.sdp")
final class HeadlessChromium {
    enum Failure: Error, CustomStringConvertible {
        case notInstalled
        case launch(Int32)
        case pipeClosed
        case timedOut(String)
        case protocolError(String)
        case javascript(String)

        var description: String {
            switch self {
            case .notInstalled: "chromium was not found (set CHROMIUM or install the chromium package)"
            case .launch(let code): "posix_spawn of chromium failed with errno \(code)"
            case .pipeClosed: "chromium closed its DevTools pipe"
            case .timedOut(let what): "timed out waiting for \(what)"
            case .protocolError(let text): "DevTools error: \(text)"
            case .javascript(let text): "page threw: \(text)"
            }
        }
    }

    /// Where the browser's network traffic may go.
    enum Network {
        /// A network namespace of its own with nothing in it (`unshare --net`): Chromium's DNS and
        /// DNS-over-HTTPS probes, and ICE, reach nothing. Right for tests of the signalling API.
        case isolated
        /// The caller's namespace; the caller must make sure traffic stays on loopback or in a
        /// namespace it created (e.g. run the whole test in one).
        case inherited
    }

    /// The chromium binary: `$CHROMIUM`, else `chromium` or `chromium-browser` on the PATH.
    static var executable: String? {
        if let path = ProcessInfo.processInfo.environment["CHROMIUM"] { return path }
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser"] {
            for directory in directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        return nil
    }

    private let pid: pid_t
    private let toBrowser: Int32
    private let fromBrowser: Int32
    private let directory: URL
    private var incoming: [UInt8] = []
    private var nextID = 0
    private var session = ""
    private var closed = false
    private let timeout: Duration

    /// Starts Chromium and loads `html` (written to a temporary file) in its only page.
    init(html: String, network: Network = .isolated, flags: [String] = [], timeout: Duration = .seconds(30)) throws {
        guard let executable = Self.executable else { throw Failure.notInstalled }
        signal(SIGPIPE, SIG_IGN)  // a browser that died must surface as an error, not kill the test run
        self.timeout = timeout
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("glimpse-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let page = directory.appendingPathComponent("page.html")
        try html.write(to: page, atomically: true, encoding: .utf8)

        let (childReads, parentWrites) = try Self.pipePair()
        let (parentReads, childWrites) = try Self.pipePair()
        // The namespace needs root, or an unprivileged user namespace mapped to root.
        let isolation = getuid() == 0 ? ["/usr/bin/unshare", "--net", "--"]
            : ["/usr/bin/unshare", "--user", "--map-root-user", "--net", "--"]
        let arguments = (network == .isolated ? isolation : []) + [executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--user-data-dir=\(directory.appendingPathComponent("profile").path)",
                         "--remote-debugging-pipe"] + flags + ["about:blank"]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The pipe ends sit above fd 10 with close-on-exec set; dup2 makes clean, inheritable copies.
        posix_spawn_file_actions_adddup2(&actions, childReads, 3)
        posix_spawn_file_actions_adddup2(&actions, childWrites, 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var cArguments = arguments.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, arguments[0], &actions, nil, &cArguments, environ)
        close(childReads)
        close(childWrites)
        guard status == 0 else {
            close(parentWrites)
            close(parentReads)
            throw Failure.launch(status)
        }
        pid = child
        toBrowser = parentWrites
        fromBrowser = parentReads
        do {
            try attach(url: page.absoluteString)
        } catch {
            quit()
            throw error
        }
    }

    deinit { quit() }

    /// Evaluates `expression` in the page; a promise is awaited. Returns the value as a string
    /// (JSON for non-strings); throws what the page threw.
    @discardableResult
    func evaluate(_ expression: String) throws -> String {
        let reply = try call("Runtime.evaluate", ["expression": expression, "awaitPromise": true, "returnByValue": true],
                             session: session)
        if let exception = reply["exceptionDetails"] as? [String: Any] {
            let detail = (exception["exception"] as? [String: Any])?["description"] as? String
            throw Failure.javascript(detail ?? "\(exception["text"] ?? exception)")
        }
        let value = (reply["result"] as? [String: Any])?["value"]
        if let string = value as? String { return string }
        guard let value, JSONSerialization.isValidJSONObject([value]),
              let data = try? JSONSerialization.data(withJSONObject: [value]) else { return "undefined" }
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }

    /// `text` as a JavaScript string literal, to splice SDP and other data into evaluated code.
    static func literal(_ text: String) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: text, options: .fragmentsAllowed), as: UTF8.self)
    }

    /// Waits until the page assigns a string to `window.result` and returns it.
    func waitForResult() throws -> String {
        try evaluate("""
            new Promise(resolve => { const check = () => typeof window.result === 'string'
                ? resolve(window.result) : setTimeout(check, 20); check(); })
            """)
    }

    /// Ends the browser: politely over DevTools, then by signal if it lingers.
    func quit() {
        guard !closed else { return }
        closed = true
        _ = try? call("Browser.close", [:])
        var status: Int32 = 0
        let deadline = ContinuousClock.now + .seconds(5)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            usleep(20_000)
        }
        close(toBrowser)
        close(fromBrowser)
        try? FileManager.default.removeItem(at: directory)
    }

    private func attach(url: String) throws {
        let target = try call("Target.createTarget", ["url": url])
        guard let targetID = target["targetId"] as? String else { throw Failure.protocolError("no targetId") }
        let attached = try call("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw Failure.protocolError("no sessionId") }
        self.session = session
        // The new target may still show about:blank; poll (bounded) until our page has loaded.
        let deadline = ContinuousClock.now + timeout
        while (try? evaluate("document.readyState === 'complete' && location.href")) != url {
            guard ContinuousClock.now < deadline else { throw Failure.timedOut("the page to load") }
            usleep(20_000)
        }
    }

    private func call(_ method: String, _ parameters: [String: Any], session: String? = nil) throws -> [String: Any] {
        nextID += 1
        var message: [String: Any] = ["id": nextID, "method": method, "params": parameters]
        if let session { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message)) + [0]
        while !bytes.isEmpty {
            let written = write(toBrowser, bytes, bytes.count)
            guard written > 0 else { throw Failure.pipeClosed }
            bytes.removeFirst(written)
        }
        let deadline = ContinuousClock.now + timeout
        while true {
            let reply = try readMessage(until: deadline, waitingFor: method)
            guard reply["id"] as? Int == nextID else { continue }  // events and stale replies
            if let error = reply["error"] as? [String: Any] { throw Failure.protocolError("\(method): \(error)") }
            return reply["result"] as? [String: Any] ?? [:]
        }
    }

    private func readMessage(until deadline: ContinuousClock.Instant, waitingFor what: String) throws -> [String: Any] {
        while true {
            if let end = incoming.firstIndex(of: 0) {
                let data = Data(incoming[..<end])
                incoming.removeSubrange(...end)
                return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw Failure.timedOut(what) }
            var descriptor = pollfd(fd: fromBrowser, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
            guard poll(&descriptor, 1, max(milliseconds, 1)) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = read(fromBrowser, &buffer, buffer.count)
            guard count > 0 else { throw Failure.pipeClosed }
            incoming += buffer[..<count]
        }
    }

    /// A pipe whose ends are at fd 10 or above and close on exec, so they never collide with 3 and 4.
    private static func pipePair() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw Failure.launch(errno) }
        let read = fcntl(fds[0], F_DUPFD_CLOEXEC, 10), write = fcntl(fds[1], F_DUPFD_CLOEXEC, 10)
        close(fds[0])
        close(fds[1])
        return (read, write)
    }
}
