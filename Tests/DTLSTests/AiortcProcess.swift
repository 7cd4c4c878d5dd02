import Foundation
import TestSupport

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
    static let isAvailable = LineProcess.pythonCanImport("aiortc")

    private let process: LineProcess

    init() throws {
        process = try LineProcess(["python3", Self.script.path])
    }

    /// Writes one JSON line to the harness.
    func send(_ message: some Encodable) throws {
        try process.send(String(decoding: JSONEncoder().encode(message), as: UTF8.self))
    }

    /// The next message of `type` the harness prints (earlier ones of other types are skipped).
    func next(_ type: String, timeout: Duration = .seconds(20)) async throws -> HarnessMessage {
        do {
            let line = try await process.next(timeout: timeout) { line in
                (try? JSONDecoder().decode(HarnessMessage.self, from: Data(line.utf8)))?.type == type
            }
            return try JSONDecoder().decode(HarnessMessage.self, from: Data(line.utf8))
        } catch is LineProcessTimeout {
            throw HarnessTimeout(waitingFor: type, stderr: process.errorOutput)
        }
    }

    /// Closes the harness's stdin (its signal to stop) and waits up to 5 s before killing it.
    func finish() async {
        await process.finish()
    }
}

struct HarnessTimeout: Error, CustomStringConvertible {
    var waitingFor: String
    var stderr: String
    var description: String { "aiortc harness sent no \"\(waitingFor)\" message; its stderr:\n\(stderr)" }
}
