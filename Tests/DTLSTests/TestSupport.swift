import DTLS
import Foundation
import SDP
import SRTP
import TestSupport

/// The repository root, found by walking up from this file to Package.swift.
let repositoryRoot: URL = {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
        directory.deleteLastPathComponent()
    }
    return directory
}()

let fixtures = repositoryRoot.appendingPathComponent("Fixtures/DTLS")

struct MissingValue: Error {}

extension Optional {
    func orThrow() throws -> Wrapped {
        guard let value = self else { throw MissingValue() }
        return value
    }
}


/// An RTP packet with a recognisable payload.
func rtpPacket(ssrc: UInt32, sequence: UInt16, payload: [UInt8]) -> [UInt8] {
    [0x80, 96, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0, 0, 0, 90] + bigEndian(ssrc) + payload
}

/// An RTCP receiver report without report blocks.
func rtcpReceiverReport(ssrc: UInt32) -> [UInt8] {
    [0x80, 201, 0, 1] + bigEndian(ssrc)
}

func bigEndian(_ value: UInt32) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
}

/// Two connections wired back to back in memory; datagrams move only when `exchange` runs.
final class InMemoryPair {
    let client: DTLSConnection
    let server: DTLSConnection
    private(set) var clientEvents: [DTLSEvent] = []
    private(set) var serverEvents: [DTLSEvent] = []
    /// Every datagram either side sent, in order, with its sender.
    private(set) var sent: [(from: DTLSRole, bytes: [UInt8])] = []

    init(clientCertificate: DTLSCertificate, serverCertificate: DTLSCertificate,
         clientExpects: Fingerprint? = nil, serverExpects: Fingerprint? = nil,
         clientConfiguration: DTLSConfiguration = .init(), serverConfiguration: DTLSConfiguration = .init(),
         now: ContinuousClock.Instant) throws {
        client = try DTLSConnection(role: .client, certificate: clientCertificate,
                                    remoteFingerprint: clientExpects ?? serverCertificate.fingerprint,
                                    configuration: clientConfiguration, now: now)
        server = try DTLSConnection(role: .server, certificate: serverCertificate,
                                    remoteFingerprint: serverExpects ?? clientCertificate.fingerprint,
                                    configuration: serverConfiguration, now: now)
    }

    /// Delivers datagrams both ways until both sides are quiet; `drop` may discard some.
    func exchange(at now: ContinuousClock.Instant, drop: (DTLSRole, [UInt8]) -> Bool = { _, _ in false }) {
        var progressed = true
        while progressed {
            progressed = false
            for (sender, receiver) in [(client, server), (server, client)] {
                while let output = sender.poll() {
                    progressed = true
                    switch output {
                    case .transmit(let bytes):
                        sent.append((sender.role, bytes))
                        if !drop(sender.role, bytes) { receiver.handle(datagram: bytes, at: now) }
                    case .event(let event):
                        if sender === client { clientEvents.append(event) } else { serverEvents.append(event) }
                    }
                }
            }
        }
    }

    static func keys(in events: [DTLSEvent]) -> SRTPKeyingMaterial? {
        for case .connected(let keys) in events { return keys }
        return nil
    }
}

/// The fingerprint the `openssl` command prints for a PEM certificate, as SDP would carry it.
func opensslFingerprint(of pem: String, hashFunction: String) throws -> Fingerprint {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["openssl", "x509", "-noout", "-fingerprint", "-" + hashFunction.replacingOccurrences(of: "-", with: "")]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(pem.utf8))
    try input.fileHandleForWriting.close()
    let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    // `SHA384 Fingerprint=AB:CD:…`
    let hex = try printed.split(separator: "=").last.orThrow().trimmingCharacters(in: .whitespacesAndNewlines)
    return try Fingerprint(parsing: hashFunction + " " + hex)
}
