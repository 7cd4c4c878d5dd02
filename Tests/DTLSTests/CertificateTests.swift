import DTLS
import Foundation
import Testing

@Suite struct CertificateTests {
    @Test func fingerprintParsesCaseInsensitivelyAndPrintsUpperCase() throws {
        let lower = String(repeating: "ab:", count: 31) + "0f"
        let fingerprint = try CertificateFingerprint(parsing: lower)
        #expect(fingerprint.description == String(repeating: "AB:", count: 31) + "0F")
        #expect(try CertificateFingerprint(parsing: "SHA-256 " + lower.uppercased()) == fingerprint)
        #expect(fingerprint.sdpAttributeValue == "sha-256 " + fingerprint.description)
    }

    @Test(arguments: ["", "AB:CD", String(repeating: "AB:", count: 32) + "CD", String(repeating: "ZZ:", count: 31) + "00",
                      "sha-1 " + String(repeating: "AB:", count: 31) + "CD", String(repeating: "ABC:", count: 31) + "AB"])
    func malformedFingerprintsAreRejected(text: String) {
        #expect(throws: DTLSError.invalidFingerprint(text)) { try CertificateFingerprint(parsing: text) }
    }

    @Test func pemFixtureHasTheFingerprintOpenSSLComputes() throws {
        let certificate = try DTLSCertificate(
            certificateFile: fixtures.appendingPathComponent("fixture-cert.pem").path,
            privateKeyFile: fixtures.appendingPathComponent("fixture-key.pem").path)
        let expected = try String(contentsOf: fixtures.appendingPathComponent("fixture-cert.sha256"), encoding: .utf8)
        #expect(certificate.fingerprint == (try CertificateFingerprint(parsing: expected)))
    }

    @Test func generatedCertificateSurvivesAPEMRoundTrip() throws {
        let generated = try DTLSCertificate.generateSelfSigned()
        #expect(generated.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("glimpse-dtls-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificateFile = directory.appendingPathComponent("cert.pem"), keyFile = directory.appendingPathComponent("key.pem")
        try generated.certificatePEM.write(to: certificateFile, atomically: true, encoding: .utf8)
        try generated.privateKeyPEM.write(to: keyFile, atomically: true, encoding: .utf8)
        let loaded = try DTLSCertificate(certificateFile: certificateFile.path, privateKeyFile: keyFile.path)
        #expect(loaded.fingerprint == generated.fingerprint)
        #expect(try DTLSCertificate.generateSelfSigned().fingerprint != generated.fingerprint)
    }

    @Test func processWideCertificateIsGeneratedOnce() throws {
        #expect(try DTLSCertificate.processWide() === DTLSCertificate.processWide())
    }

    @Test func mismatchedKeyIsRefused() throws {
        let other = try DTLSCertificate.generateSelfSigned()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("glimpse-dtls-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("key.pem")
        try other.privateKeyPEM.write(to: keyFile, atomically: true, encoding: .utf8)
        #expect(throws: DTLSError.self) {
            try DTLSCertificate(certificateFile: fixtures.appendingPathComponent("fixture-cert.pem").path, privateKeyFile: keyFile.path)
        }
    }
}

@Suite struct SetupRoleTests {
    @Test func answererPicksActiveUnlessTheOffererIsActive() {
        #expect(SetupRole.actpass.answer == .active)
        #expect(SetupRole.passive.answer == .active)
        #expect(SetupRole.active.answer == .passive)
    }

    @Test func activeSideIsTheDTLSClient() throws {
        #expect(try DTLSRole(offer: .actpass, answer: .active, localIsOfferer: true) == .server)
        #expect(try DTLSRole(offer: .actpass, answer: .active, localIsOfferer: false) == .client)
        #expect(try DTLSRole(offer: .actpass, answer: .passive, localIsOfferer: true) == .client)
        #expect(try DTLSRole(offer: .actpass, answer: .passive, localIsOfferer: false) == .server)
        #expect(try DTLSRole(offer: .active, answer: .passive, localIsOfferer: true) == .client)
        #expect(try DTLSRole(offer: .passive, answer: .active, localIsOfferer: true) == .server)
    }

    @Test(arguments: [(SetupRole.actpass, SetupRole.actpass), (.active, .active), (.passive, .passive), (.active, .actpass)])
    func incompatibleSetupsAreRefused(offer: SetupRole, answer: SetupRole) {
        #expect(throws: DTLSError.invalidSetupRoles(offer: offer, answer: answer)) {
            try DTLSRole(offer: offer, answer: answer, localIsOfferer: true)
        }
    }
}
