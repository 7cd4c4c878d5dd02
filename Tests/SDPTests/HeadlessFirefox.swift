import Foundation

/// Headless Firefox, driven through `Tools/browser/marionette.py --bridge`: the bridge starts Firefox
/// and speaks Marionette to it over loopback (so both share one network namespace), and takes one
/// JSON request per line on stdin, answering one JSON line on stdout.
final class HeadlessFirefox: HeadlessBrowser {
    /// The Firefox binary: `$FIREFOX`, else `firefox-esr` or `firefox` on the PATH.
    static var executable: String? { findExecutable(["firefox-esr", "firefox"], environmentVariable: "FIREFOX") }

    private static let bridge = Fixture.repositoryRoot.appendingPathComponent("Tools/browser/marionette.py").path

    private let child: PipedChild
    private let timeout: Duration

    /// Starts Firefox (a few seconds) and loads `html` in its page.
    init(html: String, network: BrowserNetwork = .isolated, timeout: Duration = .seconds(60)) throws {
        guard let executable = Self.executable else { throw BrowserFailure.notInstalled("firefox") }
        guard let python = findExecutable(["python3"], environmentVariable: "PYTHON") else {
            throw BrowserFailure.notInstalled("python3")
        }
        self.timeout = timeout
        child = try PipedChild(arguments: network.wrap([python, Self.bridge, "--bridge"]), childReads: 0, childWrites: 1,
                               environment: ["FIREFOX": executable])
        _ = try request(["html": html], waitingFor: "Firefox to load the page")
    }

    deinit { quit() }

    func evaluate(_ expression: String) throws -> String {
        try request(["evaluate": expression], waitingFor: "evaluation")
    }

    /// EOF on its stdin makes the bridge quit Firefox.
    func quit() { child.finish(within: .seconds(15)) }

    private func request(_ body: [String: String], waitingFor what: String) throws -> String {
        try child.send([UInt8](try JSONSerialization.data(withJSONObject: body)) + [UInt8(ascii: "\n")])
        let line = try child.receive(delimiter: UInt8(ascii: "\n"), until: ContinuousClock.now + timeout, waitingFor: what)
        let reply = try JSONSerialization.jsonObject(with: Data(line)) as? [String: String] ?? [:]
        if let error = reply["error"] { throw BrowserFailure.javascript(error) }
        guard let value = reply["value"] else { throw BrowserFailure.protocolError("bridge replied \(reply)") }
        return value
    }
}
