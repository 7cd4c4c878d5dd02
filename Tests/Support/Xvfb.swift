import Foundation

/// A private X server (Xvfb) for tests and benchmarks that need a screen; stopped when released.
///
/// Xvfb picks a free display number itself (`-displayfd`) and reports it once it accepts connections,
/// so servers started in parallel cannot collide.
public final class Xvfb: @unchecked Sendable {
    /// The display name, e.g. ":7".
    public let display: String
    private let process = Process()

    /// Whether the Xvfb binary is installed.
    public static var isAvailable: Bool {
        ["/usr/bin/Xvfb", "/usr/local/bin/Xvfb"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `arguments` go to Xvfb after the screen options, e.g. `["-extension", "MIT-SHM"]` to turn one off.
    public init(width: Int = 1280, height: Int = 720, arguments: [String] = []) throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["Xvfb", "-displayfd", "1", "-screen", "0", "\(width)x\(height)x24", "-nolisten", "tcp"] + arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = Data()
        while !text.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else {
                process.waitUntilExit()
                throw XvfbFailure(description: "Xvfb exited (status \(process.terminationStatus)) before reporting its display")
            }
            text.append(chunk)
        }
        guard let number = Int(String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw XvfbFailure(description: "Xvfb reported no display number")
        }
        display = ":\(number)"
    }

    deinit {
        // SIGKILL: a child spawned from a test thread inherits its blocked signals, SIGTERM among them. Xvfb
        // then leaves its lock file and socket behind, so remove them.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let number = display.dropFirst()
        for path in ["/tmp/.X\(number)-lock", "/tmp/.X11-unix/X\(number)"] { try? FileManager.default.removeItem(atPath: path) }
    }
}

public struct XvfbFailure: Error, CustomStringConvertible {
    public var description: String
}
