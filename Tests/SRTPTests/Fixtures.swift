import Foundation

/// Test vectors from `Fixtures/SRTP`: `name = hex` lines, `#` comments.
struct VectorFile {
    private let values: [String: [UInt8]]

    init(_ name: String) throws {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            directory.deleteLastPathComponent()
        }
        let text = try String(contentsOf: directory.appendingPathComponent("Fixtures/SRTP/\(name)"), encoding: .utf8)
        var values: [String: [UInt8]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            values[parts[0]] = try hex(parts[1])
        }
        self.values = values
    }

    subscript(name: String) -> [UInt8] {
        get throws {
            guard let value = values[name] else { throw VectorError.missing(name) }
            return value
        }
    }
}

enum VectorError: Error {
    case missing(String)
    case badHex(String)
}

func hex(_ text: String) throws -> [UInt8] {
    let digits = Array(text.utf8)
    guard digits.count % 2 == 0 else { throw VectorError.badHex(text) }
    return try stride(from: 0, to: digits.count, by: 2).map { index in
        guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
            throw VectorError.badHex(text)
        }
        return byte
    }
}
