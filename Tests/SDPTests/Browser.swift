import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A headless browser with one page, for tests that check what real browsers accept.
/// Implemented by `HeadlessChromium` (DevTools over a pipe) and `HeadlessFirefox` (Marionette).
protocol HeadlessBrowser: AnyObject {
    /// Evaluates `expression` in the page's global scope, awaiting a promise. Returns the value as
    /// a string (JSON for non-strings); throws `BrowserFailure.javascript` with what the page threw.
    func evaluate(_ expression: String) throws -> String
    /// Ends the browser process; also done on deinit.
    func quit()
}

extension HeadlessBrowser {
    /// Waits until the page assigns a string to `window.result` and returns it.
    func waitForResult() throws -> String {
        try evaluate("""
            new Promise(resolve => { const check = () => typeof window.result === 'string'
                ? resolve(window.result) : setTimeout(check, 20); check(); })
            """)
    }
}

/// `text` as a JavaScript string literal, to splice SDP and other data into evaluated code.
func javaScriptLiteral(_ text: String) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: text, options: .fragmentsAllowed), as: UTF8.self)
}

enum BrowserFailure: Error, CustomStringConvertible {
    case notInstalled(String)
    case launch(Int32)
    case pipeClosed
    case timedOut(String)
    case protocolError(String)
    case javascript(String)

    var description: String {
        switch self {
        case .notInstalled(let what): "\(what) was not found"
        case .launch(let code): "posix_spawn failed with errno \(code)"
        case .pipeClosed: "the browser closed its pipe"
        case .timedOut(let what): "timed out waiting for \(what)"
        case .protocolError(let text): "browser protocol error: \(text)"
        case .javascript(let text): "page threw: \(text)"
        }
    }
}

/// Where a browser's network traffic may go.
enum BrowserNetwork {
    /// A network namespace of its own holding only an up loopback (`unshare --net`): DNS,
    /// DNS-over-HTTPS probes, telemetry and ICE reach nothing outside. Right for signalling tests.
    case isolated
    /// The caller's namespace; the caller must keep traffic on loopback or in a namespace it made.
    case inherited

    /// `command` wrapped to run in the chosen namespace. Needs root, or an unprivileged user
    /// namespace mapped to root.
    func wrap(_ command: [String]) -> [String] {
        guard self == .isolated else { return command }
        let user = getuid() == 0 ? [] : ["--user", "--map-root-user"]
        return ["/usr/bin/unshare"] + user + ["--net", "--", "/bin/sh", "-c", "ip link set lo up && exec \"$@\"", "sh"] + command
    }
}

/// The first of `names` found as an executable on the PATH, or `$environmentVariable` if set.
func findExecutable(_ names: [String], environmentVariable: String) -> String? {
    let environment = ProcessInfo.processInfo.environment
    if let path = environment[environmentVariable] { return path }
    let directories = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    for name in names {
        for directory in directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
    }
    return nil
}

/// A child process we talk to over two pipes carrying delimiter-terminated messages. The child sees
/// the pipes as `childReads` and `childWrites` (0/1 for stdin/stdout, 3/4 for Chromium's DevTools pipe).
final class PipedChild {
    private let pid: pid_t
    private var toChild: Int32
    private let fromChild: Int32
    private var incoming: [UInt8] = []
    private var finished = false

    init(arguments: [String], childReads: Int32, childWrites: Int32, environment: [String: String] = [:]) throws {
        signal(SIGPIPE, SIG_IGN)  // a child that died must surface as an error, not end the test run
        let (childEnd, parentWrites) = try Self.pipePair()
        let (parentReads, childOutput) = try Self.pipePair()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The pipe ends sit at fd 10 or above with close-on-exec; dup2 makes clean, inheritable copies.
        posix_spawn_file_actions_adddup2(&actions, childEnd, childReads)
        posix_spawn_file_actions_adddup2(&actions, childOutput, childWrites)
        for quiet: Int32 in [1, 2] where quiet != childWrites {
            posix_spawn_file_actions_addopen(&actions, quiet, "/dev/null", O_WRONLY, 0)
        }
        if childReads != 0 { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        var cArguments = arguments.map { strdup($0) } + [nil]
        var cEnvironment = variables.map { strdup($0) } + [nil]
        defer { (cArguments + cEnvironment).forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, arguments[0], &actions, nil, &cArguments, &cEnvironment)
        close(childEnd)
        close(childOutput)
        guard status == 0 else {
            close(parentWrites)
            close(parentReads)
            throw BrowserFailure.launch(status)
        }
        pid = child
        toChild = parentWrites
        fromChild = parentReads
    }

    deinit { finish(within: .seconds(5)) }

    func send(_ bytes: [UInt8]) throws {
        var rest = bytes[...]
        while !rest.isEmpty {
            let written = rest.withUnsafeBytes { write(toChild, $0.baseAddress, $0.count) }
            guard written > 0 else { throw BrowserFailure.pipeClosed }
            rest = rest.dropFirst(written)
        }
    }

    /// The next message up to (not including) `delimiter`, waiting at most until `deadline`.
    func receive(delimiter: UInt8, until deadline: ContinuousClock.Instant, waitingFor what: String) throws -> [UInt8] {
        while true {
            if let end = incoming.firstIndex(of: delimiter) {
                let message = Array(incoming[..<end])
                incoming.removeSubrange(...end)
                return message
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw BrowserFailure.timedOut(what) }
            var descriptor = pollfd(fd: fromChild, events: Int16(POLLIN), revents: 0)
            let milliseconds = remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
            guard poll(&descriptor, 1, Int32(clamping: max(milliseconds, 1))) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = read(fromChild, &buffer, buffer.count)
            guard count > 0 else { throw BrowserFailure.pipeClosed }
            incoming += buffer[..<count]
        }
    }

    /// Closes our end of the input pipe (EOF tells a well-behaved child to quit), waits up to
    /// `within`, then kills the child.
    func finish(within limit: Duration) {
        guard !finished else { return }
        finished = true
        close(toChild)
        var status: Int32 = 0
        let deadline = ContinuousClock.now + limit
        while waitpid(pid, &status, WNOHANG) == 0 {
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            usleep(20_000)
        }
        close(fromChild)
    }

    /// A pipe whose ends are at fd 10 or above and close on exec, so they never collide with the
    /// descriptors the child expects.
    private static func pipePair() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw BrowserFailure.launch(errno) }
        let read = fcntl(fds[0], F_DUPFD_CLOEXEC, 10), write = fcntl(fds[1], F_DUPFD_CLOEXEC, 10)
        close(fds[0])
        close(fds[1])
        return (read, write)
    }
}
