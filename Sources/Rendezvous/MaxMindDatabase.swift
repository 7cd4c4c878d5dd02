import Foundation

/// A reader for MaxMind DB files (the `.mmdb` format of GeoIP2 and GeoLite2): a binary search
/// tree over address bits whose leaves point into a data section of typed values. Only what
/// Live View needs is decoded: `country.names.en` and `city.names.en` of the record for an address.
/// Format: https://maxmind.github.io/MaxMind-DB/
public struct MaxMindDatabase: Geolocator {
    public enum Failure: Error, CustomStringConvertible {
        case noMetadata
        case malformed(String)

        public var description: String {
            switch self {
            case .noMetadata: "not a MaxMind DB file (no metadata marker)"
            case .malformed(let what): "malformed MaxMind DB: \(what)"
            }
        }
    }

    /// A decoded data-section value.
    indirect enum Value: Equatable {
        case string(String)
        case number(Double)
        case bool(Bool)
        case bytes([UInt8])
        case map([String: Value])
        case array([Value])

        subscript(_ key: String) -> Value? {
            if case .map(let map) = self { return map[key] }
            return nil
        }

        var string: String? {
            if case .string(let text) = self { return text }
            return nil
        }

        var integer: Int? {
            if case .number(let number) = self { return Int(exactly: number) }
            return nil
        }
    }

    private let bytes: [UInt8]
    private let nodeCount: Int
    private let recordSize: Int
    private let ipVersion: Int
    private let dataStart: Int

    public init(contentsOf path: String) throws {
        try self.init(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    public init(bytes: [UInt8]) throws {
        self.bytes = bytes
        let marker: [UInt8] = [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8)
        // The metadata sits after the last marker, within the file's final 128 KiB.
        var start: Int?
        var index = bytes.count - marker.count
        while index >= max(0, bytes.count - 128 * 1024) {
            if bytes[index] == marker[0] && Array(bytes[index..<index + marker.count]) == marker { start = index + marker.count; break }
            index -= 1
        }
        guard let start else { throw Failure.noMetadata }
        var cursor = start
        let metadata = try Self.decode(bytes, at: &cursor, base: start)
        guard let nodeCount = metadata["node_count"]?.integer, let recordSize = metadata["record_size"]?.integer,
              let ipVersion = metadata["ip_version"]?.integer, [24, 28, 32].contains(recordSize) else {
            throw Failure.malformed("metadata lacks node_count, record_size or ip_version")
        }
        self.nodeCount = nodeCount
        self.recordSize = recordSize
        self.ipVersion = ipVersion
        // The tree, then 16 zero bytes, then the data section.
        dataStart = nodeCount * recordSize / 4 + 16
        guard dataStart <= start else { throw Failure.malformed("search tree larger than the file") }
    }

    public func locate(_ address: String) -> (country: String?, city: String?)? {
        guard let record = try? lookup(address) else { return nil }
        return (record["country"]?["names"]?["en"]?.string, record["city"]?["names"]?["en"]?.string)
    }

    /// The data record for an address, or nil when the database has none.
    func lookup(_ address: String) throws -> Value? {
        var bits: [UInt8]
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            bits = withUnsafeBytes(of: v4) { Array($0) }
            // An IPv6 tree holds IPv4 under ::/96.
            if ipVersion == 6 { bits = Array(repeating: 0, count: 12) + bits }
        } else if inet_pton(AF_INET6, address, &v6) == 1, ipVersion == 6 {
            bits = withUnsafeBytes(of: v6) { Array($0) }
        } else {
            return nil
        }
        var node = 0
        for bit in 0..<(bits.count * 8) {
            guard node < nodeCount else { break }
            node = try record(node, right: bits[bit / 8] & (0x80 >> (bit % 8)) != 0)
        }
        guard node > nodeCount else { return nil }  // == nodeCount: no data
        var cursor = dataStart + (node - nodeCount - 16)
        guard cursor < bytes.count else { throw Failure.malformed("data pointer beyond the file") }
        return try Self.decode(bytes, at: &cursor, base: dataStart)
    }

    private func record(_ node: Int, right: Bool) throws -> Int {
        let offset = node * recordSize / 4
        guard offset + recordSize / 4 <= bytes.count else { throw Failure.malformed("node beyond the file") }
        func number(_ from: Int, _ count: Int) -> Int { (0..<count).reduce(0) { $0 << 8 | Int(bytes[from + $1]) } }
        switch recordSize {
        case 24: return right ? number(offset + 3, 3) : number(offset, 3)
        case 28:
            let middle = Int(bytes[offset + 3])
            return right ? (middle & 0x0F) << 24 | number(offset + 4, 3) : (middle >> 4) << 24 | number(offset, 3)
        default: return right ? number(offset + 4, 4) : number(offset, 4)
        }
    }

    /// Decodes the value at `cursor` (advancing it); pointers are offsets from `base`.
    static func decode(_ bytes: [UInt8], at cursor: inout Int, base: Int, depth: Int = 0) throws -> Value {
        guard depth < 64 else { throw Failure.malformed("values nested too deeply") }
        func next() throws -> Int {
            guard cursor < bytes.count else { throw Failure.malformed("value runs past the end") }
            defer { cursor += 1 }
            return Int(bytes[cursor])
        }
        func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, cursor + count <= bytes.count else { throw Failure.malformed("value runs past the end") }
            defer { cursor += count }
            return bytes[cursor..<cursor + count]
        }
        func bits(_ slice: ArraySlice<UInt8>) -> UInt64 { slice.reduce(0) { $0 << 8 | UInt64($1) } }
        // uint64 and uint128 may exceed what a Double holds exactly; GeoIP data uses them for ids only.
        func unsigned(_ slice: ArraySlice<UInt8>) -> Double { slice.reduce(0.0) { $0 * 256 + Double($1) } }

        let control = try next()
        var type = control >> 5
        if type == 1 {  // pointer: its size bits hold part of the offset
            let size = (control >> 3) & 3, low = control & 7
            let target: Int
            switch size {
            case 0: target = low << 8 | (try next())
            case 1: target = (low << 16 | Int(unsigned(try take(2)))) + 2048
            case 2: target = (low << 24 | Int(unsigned(try take(3)))) + 526_336
            default: target = Int(unsigned(try take(4)))
            }
            var pointed = base + target
            return try decode(bytes, at: &pointed, base: base, depth: depth + 1)
        }
        if type == 0 { type = 7 + (try next()) }
        var size = control & 0x1F
        switch size {
        case 29: size = 29 + (try next())
        case 30: size = 285 + Int(unsigned(try take(2)))
        case 31: size = 65_821 + Int(unsigned(try take(3)))
        default: break
        }
        switch type {
        case 2:
            return .string(String(decoding: try take(size), as: UTF8.self))
        case 3:
            guard size == 8 else { throw Failure.malformed("double of \(size) bytes") }
            return .number(Double(bitPattern: bits(try take(8))))
        case 4:
            return .bytes(Array(try take(size)))
        case 5, 6, 9, 10:
            return .number(unsigned(try take(size)))
        case 8:
            return .number(Double(Int32(truncatingIfNeeded: Int(unsigned(try take(size))) << (32 - 8 * size)) >> (32 - 8 * size)))
        case 7:
            var map: [String: Value] = [:]
            for _ in 0..<size {
                guard case .string(let key) = try decode(bytes, at: &cursor, base: base, depth: depth + 1) else {
                    throw Failure.malformed("map key is not a string")
                }
                map[key] = try decode(bytes, at: &cursor, base: base, depth: depth + 1)
            }
            return .map(map)
        case 11:
            return .array(try (0..<size).map { _ in try decode(bytes, at: &cursor, base: base, depth: depth + 1) })
        case 14:
            return .bool(size != 0)
        case 15:
            guard size == 4 else { throw Failure.malformed("float of \(size) bytes") }
            return .number(Double(Float(bitPattern: UInt32(bits(try take(4))))))
        default:
            throw Failure.malformed("unknown data type \(type)")
        }
    }
}
