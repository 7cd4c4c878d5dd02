import Foundation
@testable import Rendezvous
import Testing

/// `MaxMindDatabase` against a file from an independent writer (Fixtures/Rendezvous/README).
@Suite struct GeoIPTests {
    static let fixture: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Fixtures/Rendezvous/test-city.mmdb").path
    }()

    @Test func findsCountryAndCity() throws {
        let database = try MaxMindDatabase(contentsOf: Self.fixture)
        #expect(database.locate("192.0.2.77")! == ("France", "Paris"))
        #expect(database.locate("198.51.100.1")! == ("Japan", "Osaka"))
        #expect(database.locate("2001:db8:1::42")! == ("France", "Paris"))
        let countryOnly = try #require(database.locate("203.0.113.200"))
        #expect(countryOnly.country == "New Zealand" && countryOnly.city == nil)
    }

    @Test func addressesOutsideTheDataHaveNoPlace() throws {
        let database = try MaxMindDatabase(contentsOf: Self.fixture)
        #expect(database.locate("198.51.100.200") == nil)  // the /25 ends at .127
        #expect(database.locate("203.0.113.1") == nil)
        #expect(database.locate("2001:db8:2::1") == nil)
        #expect(database.locate("not an address") == nil)
    }

    @Test func decodesWholeRecords() throws {
        let database = try MaxMindDatabase(contentsOf: Self.fixture)
        let record = try #require(try database.lookup("192.0.2.1"))
        #expect(record["country"]?["iso_code"] == .string("FR"))
        #expect(record["country"]?["names"]?["de"] == .string("Frankreich"))
        #expect(record["location"]?["latitude"] == .number(48.8566))
    }

    @Test func refusesOtherFiles() throws {
        #expect(throws: MaxMindDatabase.Failure.self) { try MaxMindDatabase(bytes: Array("not a database".utf8)) }
        var truncated = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.fixture)))
        truncated.removeFirst(truncated.count / 2)
        #expect(throws: (any Error).self) {
            let database = try MaxMindDatabase(bytes: truncated)
            _ = try database.lookup("192.0.2.1")
        }
    }

    @Test func liveViewLabelsLocations() throws {
        let database = try MaxMindDatabase(contentsOf: Self.fixture)
        #expect(LiveViewRow.locate("192.0.2.9", database).label == "France, Paris")
        #expect(LiveViewRow.locate("203.0.113.200", database).label == "New Zealand")
        #expect(LiveViewRow.locate("198.51.100.200", database).label == "198.51.100.200")
        for local in ["10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "127.0.0.1", "169.254.1.1", "100.64.0.1",
                      "::1", "fd00::1", "fe80::1", "::ffff:192.168.0.1"] {
            #expect(LiveViewRow.locate(local, database).label == "local network", "\(local)")
        }
        for publicAddress in ["172.32.0.1", "8.8.8.8", "2001:db8::1", "100.128.0.1"] {
            #expect(LiveViewRow.locate(publicAddress, nil).label == publicAddress, "\(publicAddress)")
        }
    }
}
