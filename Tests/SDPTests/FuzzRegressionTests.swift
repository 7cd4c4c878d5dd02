import Foundation
import SDP
import Testing

/// Inputs the fuzzer (Tools/fuzz FuzzSDP) once broke, kept as seeds in Fixtures/fuzz/FuzzSDP/regression-*:
/// whatever parses must serialize to text that parses to the same description.
@Suite struct FuzzRegressionTests {
    static let directory = Fixture.repositoryRoot.appendingPathComponent("Fixtures/fuzz/FuzzSDP")
    static let inputs = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasPrefix("regression-") }.sorted()

    @Test(arguments: inputs)
    func parsedDescriptionRoundTrips(name: String) throws {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(name))
        guard let description = try? SessionDescription(parsing: String(decoding: data, as: UTF8.self)) else { return }
        let again = try SessionDescription(parsing: description.serialized)
        #expect(again == description)
        if again != description {
            for (a, b) in zip(again.serialized.split(separator: "\n"), description.serialized.split(separator: "\n")) where a != b {
                Issue.record("first difference: \(a.debugDescription) vs \(b.debugDescription)")
                break
            }
        }
    }
}
