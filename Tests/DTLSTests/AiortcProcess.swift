import Foundation
import NIOConcurrencyHelpers

/// One line the aiortc harness (`Fixtures/DTLS/aiortc_peer.py`) printed.
struct HarnessMessage: Decodable, Sendable {
    var type: String
    var port: UInt16?
    var fingerprint: String?
    var state: String?
    var profile: String?
    var kind: String?
    var ssrc: UInt32?
    var sequence: UInt16?
    var payload: String?
}

/// The aiortc harness as a child process speaking JSON lines on stdin/stdout.
final class AiortcProcess {
    static let script = fixtures.appendingPathComponent("aiortc_peer.py")

    /// Whether `python3` can import aiortc at all (CI installs it through Tools/setup).
    static let isAvailable: Bool = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import aiortc"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    private let process = Process()
    private let stdin = Pipe()
    private let stdout = Pipe()
    private let stderr = Pipe()
    private let lines = NIOLockedValueBox<(complete: [String], partial: Data)>(([], Data()))
    private let errors = NIOLockedValueBox(Data())
    private var consumed = 0

    init() throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path]
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

    /// Writes one JSON line to the harness.
    func send(_ message: some Encodable) throws {
        var line = try JSONEncoder().encode(message)
        line.append(UInt8(ascii: "\n"))
        try stdin.fileHandleForWriting.write(contentsOf: line)
    }

    /// The next message of `type` the harness prints (earlier ones of other types are skipped),
    /// polling every 10 ms for at most `timeout`.
    func next(_ type: String, timeout: Duration = .seconds(20)) async throws -> HarnessMessage {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            let available = lines.withLockedValue { $0.complete }
            while consumed < available.count {
                let line = available[consumed]
                consumed += 1
                let message = try JSONDecoder().decode(HarnessMessage.self, from: Data(line.utf8))
                if message.type == type { return message }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw HarnessTimeout(waitingFor: type, stderr: String(decoding: errors.withLockedValue { $0 }, as: UTF8.self))
    }

    /// Closes the harness's stdin (its signal to stop) and waits up to 5 s before killing it.
    func finish() async {
        try? stdin.fileHandleForWriting.close()
        let end = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < end {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { process.terminate() }
        stdout.fileHandleForReading.readabilityHandler = nil
        stderr.fileHandleForReading.readabilityHandler = nil
    }
}

struct HarnessTimeout: Error, CustomStringConvertible {
    var waitingFor: String
    var stderr: String
    var description: String { "aiortc harness sent no \"\(waitingFor)\" message; its stderr:\n\(stderr)" }
}
