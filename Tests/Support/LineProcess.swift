import Foundation
import NIOConcurrencyHelpers

/// A child process that talks in lines on stdin/stdout: the harness for peers we did not write
/// (aiortc, aioice) and for `glimpse` subcommands run in network namespaces.
public final class LineProcess: @unchecked Sendable {
    private let process = Process()
    private let stdin = Pipe()
    private let stdout = Pipe()
    private let stderr = Pipe()
    private let lines = NIOLockedValueBox<(complete: [String], partial: Data)>(([], Data()))
    private let errors = NIOLockedValueBox(Data())
    private let cursor = NIOLockedValueBox(0)

    /// Starts `arguments` through `/usr/bin/env`, so the first may be a name on PATH.
    public init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        stdout.fileHandleForReading.readabilityHandler = { [lines] handle in
            let data = handle.availableData
            lines.withLockedValue { state in
                state.partial.append(data)
                while let newline = state.partial.firstIndex(of: UInt8(ascii: "\n")) {
                    state.complete.append(String(decoding: state.partial[..<newline], as: UTF8.self))
                    state.partial = Data(state.partial[(newline + 1)...])
                }
            }
        }
        stderr.fileHandleForReading.readabilityHandler = { [errors] handle in
            let data = handle.availableData
            errors.withLockedValue { $0.append(data) }
        }
        try process.run()
    }

    /// Whether `python3` can import every module named (CI installs them through Tools/setup).
    public static func pythonCanImport(_ modules: String...) -> Bool {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import " + modules.joined(separator: ", ")]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }

    /// Every line printed so far.
    public var output: [String] { lines.withLockedValue { $0.complete } }
    public var errorOutput: String { String(decoding: errors.withLockedValue { $0 }, as: UTF8.self) }
    public var isRunning: Bool { process.isRunning }

    public func send(_ line: String) throws {
        try stdin.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// The next unread line that satisfies `predicate` (lines before it are consumed), polling every
    /// 10 ms for at most `timeout`.
    public func next(timeout: Duration = .seconds(20), where predicate: (String) -> Bool) async throws -> String {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            let available = output
            var index = cursor.withLockedValue { $0 }
            defer { cursor.withLockedValue { $0 = index } }
            while index < available.count {
                let line = available[index]
                index += 1
                if predicate(line) { return line }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw LineProcessTimeout(process: process.arguments?.joined(separator: " ") ?? "?", output: output, stderr: errorOutput)
    }

    /// The next line starting with `prefix`, without it.
    public func next(_ prefix: String, timeout: Duration = .seconds(20)) async throws -> String {
        String(try await next(timeout: timeout) { $0.hasPrefix(prefix) }.dropFirst(prefix.count))
    }

    /// The first line printed so far that starts with `prefix`, without it; reading it consumes nothing.
    public func firstLine(_ prefix: String) -> String? {
        output.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    /// Waits until some line, read or not, satisfies `predicate`; consumes nothing.
    public func anyLine(timeout: Duration = .seconds(20), where predicate: (String) -> Bool) async throws -> String {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if let line = output.first(where: predicate) { return line }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw LineProcessTimeout(process: process.arguments?.joined(separator: " ") ?? "?", output: output, stderr: errorOutput)
    }

    /// Sends a signal (SIGSTOP to freeze it, SIGCONT to let it go on).
    public func signal(_ number: Int32) {
        if process.isRunning { Foundation.kill(process.processIdentifier, number) }
    }

    /// SIGKILL, as when a peer's machine dies: no goodbye on the wire.
    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Closes stdin (the signal to stop) and waits up to 5 s before killing.
    public func finish() async {
        try? stdin.fileHandleForWriting.close()
        let end = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < end {
            try? await Task.sleep(for: .milliseconds(20))
        }
        kill()
        stdout.fileHandleForReading.readabilityHandler = nil
        stderr.fileHandleForReading.readabilityHandler = nil
    }
}

public struct LineProcessTimeout: Error, CustomStringConvertible {
    public var process: String
    public var output: [String]
    public var stderr: String
    public var description: String {
        "\(process): no expected line; stdout:\n\(output.joined(separator: "\n"))\nstderr:\n\(stderr)"
    }
}
