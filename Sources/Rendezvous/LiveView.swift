import Foundation
import Signalling

/// One row of Live View (`/api/sessions`, `/api/events`): a session as an operator sees it.
public struct LiveViewRow: Codable, Sendable, Equatable {
    /// The row's colour.
    public enum Status: String, Codable, Sendable {
        /// Frames are flowing: the sharer reports `active`.
        case green
        /// The sharer is connected but idle (nothing changes on screen, or no report yet).
        case blue
        /// The sharer's connection is gone; the row leaves when the resume grace period ends.
        case grey
    }

    public struct Location: Codable, Sendable, Equatable {
        public var address: String?
        public var country: String?
        public var city: String?
        /// What the table shows: "local network", "Country, City", or the bare address.
        public var label: String
    }

    public struct Viewer: Codable, Sendable, Equatable {
        public var viewerID: String
        public var name: String
        /// The sharer's view of the connection, else the viewer's own report, else "joining".
        public var state: String
        public var rttMilliseconds: Double?
        public var lossFraction: Double?
        public var framesDecoded: Int?
        public var sampledColour: String?
    }

    public var sessionID: String
    public var status: Status
    /// "<shared window title> — <display name>", or the display name alone before any report.
    public var name: String
    public var displayName: String
    public var source: String?
    public var device: DeviceInfo
    public var location: Location
    public var viewers: [Viewer]
    public var startedAt: Date
    public var durationSeconds: Int
    public var width: Int?
    public var height: Int?
    public var framesPerSecond: Double?
    public var bitsPerSecond: Int?
    /// The viewer link, so a click on the row opens the session (operators are trusted with it).
    public var joinURL: String

    init(_ record: SessionRecord, now: Date, publicURL: String, geolocator: (any Geolocator)?) {
        sessionID = record.id
        status = record.sharerLostAt != nil ? .grey : (record.status?.active == true ? .green : .blue)
        displayName = record.displayName
        source = record.status?.source
        name = source.map { "\($0) — \(record.displayName)" } ?? record.displayName
        device = record.device
        location = Self.locate(record.sharerAddress, geolocator)
        let reported = Dictionary(record.status?.viewers.map { ($0.viewerID, $0) } ?? [], uniquingKeysWith: { $1 })
        viewers = record.viewers.values.sorted { $0.joinedAt < $1.joinedAt }.map { viewer in
            let sharerSide = reported[viewer.id]
            return Viewer(viewerID: viewer.id, name: viewer.name,
                          state: sharerSide?.state ?? viewer.report?.state ?? "joining",
                          rttMilliseconds: sharerSide?.rttMilliseconds, lossFraction: sharerSide?.lossFraction,
                          framesDecoded: viewer.report?.framesDecoded, sampledColour: viewer.report?.sampledColour)
        }
        startedAt = record.startedAt
        durationSeconds = max(0, Int(now.timeIntervalSince(record.startedAt)))
        width = record.status?.width
        height = record.status?.height
        framesPerSecond = record.status?.framesPerSecond
        bitsPerSecond = record.status?.bitsPerSecond
        joinURL = "\(publicURL)/s/\(record.id)#\(record.joinToken)"
    }

    static func locate(_ address: String?, _ geolocator: (any Geolocator)?) -> Location {
        guard let address else { return Location(label: "unknown") }
        if IPAddressRange.isPrivate(address) { return Location(address: address, label: "local network") }
        let place = geolocator?.locate(address)
        let label = [place?.country, place?.city].compactMap { $0 }.joined(separator: ", ")
        return Location(address: address, country: place?.country, city: place?.city, label: label.isEmpty ? address : label)
    }
}

/// Looks up where an address is; ``MaxMindDatabase`` reads a GeoIP2/GeoLite2 City file.
public protocol Geolocator: Sendable {
    func locate(_ address: String) -> (country: String?, city: String?)?
}

/// Private, loopback and link-local ranges: addresses that say "local network", not a place.
enum IPAddressRange {
    static func isPrivate(_ text: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            let a = UInt32(bigEndian: v4.s_addr)
            return a >> 24 == 10 || a >> 24 == 127 || a >> 20 == 0xAC1 || a >> 16 == 0xC0A8 || a >> 16 == 0xA9FE
                || a >> 22 == (100 << 2 | 1)  // 100.64.0.0/10, carrier-grade NAT (RFC 6598)
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return isPrivate(bytes[12...].map(String.init).joined(separator: "."))  // IPv4-mapped
        }
        return bytes == Array(repeating: 0, count: 15) + [1]  // ::1
            || bytes[0] & 0xFE == 0xFC                         // fc00::/7 unique local
            || (bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80)   // fe80::/10 link-local
    }
}
