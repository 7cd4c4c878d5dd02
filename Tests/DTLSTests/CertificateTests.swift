import DTLS
import Foundation
import SDP
import Testing

@Suite struct CertificateTests {
    @Test func pemFixtureHasTheFingerprintOpenSSLComputes() throws {
        let certificate = try DTLSCertificate(
            certificateFile: fixtures.appendingPathComponent("fixture-cert.pem").path,
            privateKeyFile: fixtures.appendingPathComponent("fixture-key.pem").path)
        let expected = try String(contentsOf: fixtures.appendingPathComponent("fixture-cert.sha256"), encoding: .utf8)
        #expect(certificate.fingerprint == (try Fingerprint(parsing: "sha-256 " + expected.trimmingCharacters(in: .whitespacesAndNewlines))))
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
