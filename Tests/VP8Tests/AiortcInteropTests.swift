import TestSupport
import Foundation
import RTP
import Testing
import VP8

/// The media path as aiortc, an independent implementation, sees it: VP8 payload descriptors, RTP packets
/// with header extensions, and the RTCP a VP8 receiver sends back, each way. aiortc runs in
/// `Tools/interop/aiortc_media.py`; the tests skip, saying so, when python3 cannot import aiortc.
@Suite struct AiortcInteropTests {
    @Test func aiortcReadsOurDescriptors() throws {
        var packetizer = VP8Packetizer(ssrc: 1, payloadType: 96, maxPayloadSize: 300, sequenceNumber: 0, pictureID: 0x7FFE)
        var payloads = (0..<3).flatMap { index in
            packetizer.packetize(frame: (0..<700).map { UInt8(truncatingIfNeeded: $0 * 7 + index) }, timestamp: 0).map(\.payload)
        }
        let descriptors = [
            PayloadDescriptor(isStartOfPartition: true, partitionIndex: 5, pictureID: .short(17)),
            PayloadDescriptor(isStartOfPartition: false, partitionIndex: 7, tl0PictureIndex: 200, temporalLayerID: 2, isLayerSync: true),
            PayloadDescriptor(isStartOfPartition: true, pictureID: .long(4711), tl0PictureIndex: 0, temporalLayerID: 3, keyIndex: 31),
            PayloadDescriptor(isStartOfPartition: false, keyIndex: 9),
            PayloadDescriptor(isStartOfPartition: true),
        ]
        payloads += descriptors.map { $0.bytes + [0x9D, 0x01, 0x2A] }
        guard let answer = try Aiortc.run(["vp8_parse": payloads.map(\.hex)]) else { return }
        let parsed = try #require(answer["vp8_parse"] as? [[String: Any]])
        #expect(parsed.count == payloads.count)
        for (payload, theirs) in zip(payloads, parsed) {
            let (ours, data) = try PayloadDescriptor.split(payload)
            #expect(theirs["partition_start"] as? Int == (ours.isStartOfPartition ? 1 : 0))
            #expect(theirs["partition_id"] as? Int == Int(ours.partitionIndex))
            #expect(theirs["picture_id"] as? Int == ours.pictureID.map { Int($0.value) })
            #expect(theirs["tl0picidx"] as? Int == ours.tl0PictureIndex.map(Int.init))
            #expect(theirs["tid"] as? [Int] == ours.temporalLayerID.map { [Int($0), ours.isLayerSync ? 1 : 0] })
            #expect(theirs["keyidx"] as? Int == ours.keyIndex.map(Int.init))
            #expect(theirs["data"] as? String == data.hex && theirs["depayloaded"] as? String == data.hex)
        }
    }

    @Test func weReassembleFramesAiortcPacketized() throws {
        var generator = SeededGenerator(seed: 21)
        let frames = [3000, 1, 1296, 1297, 5000].enumerated().map { index, size in
            makeFrame(size: size, key: index == 0, using: &generator)
        }
        let jobs: [[String: Any]] = frames.enumerated().map { ["frame": $1.hex, "picture_id": 0x7FFE + $0] }
        guard let answer = try Aiortc.run(["vp8_packetize": jobs]) else { return }
        let packetized = try #require(answer["vp8_packetize"] as? [[String]])

        // aiortc sets the marker and sequence numbers in its RTP sender; do the same, across the wrap.
        var sequenceNumber: UInt16 = 65533
        var packets: [RTPPacket] = []
        for (index, payloads) in packetized.enumerated() {
            for (position, payload) in payloads.enumerated() {
                packets.append(RTPPacket(marker: position == payloads.count - 1, payloadType: 96, sequenceNumber: sequenceNumber,
                                         timestamp: UInt32(index) * 3000, ssrc: 1, payload: try [UInt8](hex: payload)))
                sequenceNumber &+= 1
            }
        }
        var assembler = VP8FrameAssembler()
        var completed: [VP8Frame] = []
        for packet in packets.reversed() {
            if let frame = try assembler.insert(packet) { completed.append(frame) }
        }
        completed.sort { $0.sequenceNumbers.lowerBound < $1.sequenceNumbers.lowerBound }
        #expect(completed.map(\.data) == frames)
        #expect(completed.map(\.isKeyFrame) == [true, false, false, false, false])
        // aiortc writes every PictureID in the 15-bit form, wrapping like ours.
        #expect(completed.map(\.pictureID) == [.long(0x7FFE), .long(0x7FFF), .long(0), .long(1), .long(2)])
    }

    static let extensionIDs = ["abs_send_time": 3, "transport_sequence_number": 5, "mid": 1]

    @Test func aiortcReadsOurRTPPackets() throws {
        let packets = [
            RTPPacket(marker: true, payloadType: 96, sequenceNumber: 65535, timestamp: 0xFFFF_FFFF, ssrc: 0xCAFE_BABE,
                      csrcs: [1, 2], headerExtensions: [
                          HeaderExtension(id: 1, value: Array("0".utf8)),
                          .absoluteSendTime(id: 3, AbsoluteSendTime(NTPTimestamp(seconds: 100, fraction: 0x4000_0000))),
                          .transportSequenceNumber(id: 5, TransportSequenceNumber(4242)),
                      ], payload: [0x90, 0x80, 0x80, 0x01, 0x10, 0x20], paddingLength: 7),
            RTPPacket(payloadType: 111, sequenceNumber: 0, timestamp: 960, ssrc: 7,
                      headerExtensions: [HeaderExtension(id: 1, value: Array("a-longer-mid-value".utf8)),
                                         .transportSequenceNumber(id: 5, TransportSequenceNumber(0))],
                      payload: Array(repeating: 0x55, count: 1000)),
        ]
        guard let answer = try Aiortc.run(["rtp_parse": ["extensions": Self.extensionIDs, "packets": packets.map(\.bytes.hex)]]) else { return }
        let parsed = try #require(answer["rtp_parse"] as? [[String: Any]])
        #expect(parsed.count == packets.count)
        for (ours, theirs) in zip(packets, parsed) {
            #expect(theirs["marker"] as? Int == (ours.marker ? 1 : 0))
            #expect(theirs["payload_type"] as? Int == Int(ours.payloadType))
            #expect(theirs["sequence_number"] as? Int == Int(ours.sequenceNumber))
            #expect(theirs["timestamp"] as? Int == Int(ours.timestamp))
            #expect(theirs["ssrc"] as? Int == Int(ours.ssrc))
            #expect(theirs["csrc"] as? [Int] == ours.csrcs.map(Int.init))
            #expect(theirs["payload"] as? String == ours.payload.hex)
            #expect(theirs["padding_size"] as? Int == Int(ours.paddingLength))
            #expect(theirs["mid"] as? String == String(decoding: ours.headerExtension(id: 1)!.value, as: UTF8.self))
            #expect(theirs["transport_sequence_number"] as? Int
                == Int(try TransportSequenceNumber(parsing: ours.headerExtension(id: 5)!.value).rawValue))
            #expect(theirs["abs_send_time"] as? Int == ours.headerExtension(id: 3).map { Int(try! AbsoluteSendTime(parsing: $0.value).rawValue) })
        }
    }

    @Test func weReadAiortcRTPPackets() throws {
        let described: [[String: Any]] = [
            ["payload_type": 96, "marker": 1, "sequence_number": 65535, "timestamp": 4_294_967_295, "ssrc": 0xCAFE_BABE,
             "payload": "deadbeef", "csrc": [9, 10, 11], "padding_size": 13, "abs_send_time": 0xABCDEF,
             "transport_sequence_number": 65535, "mid": "video"],
            ["payload_type": 97, "marker": 0, "sequence_number": 1, "timestamp": 0, "ssrc": 1, "payload": "",
             "csrc": [] as [Int], "padding_size": 0, "mid": "a-mid-longer-than-sixteen-bytes"],
        ]
        guard let answer = try Aiortc.run(["rtp_build": ["extensions": Self.extensionIDs, "packets": described]]) else { return }
        let built = try #require(answer["rtp_build"] as? [String])
        let first = try RTPPacket(parsing: [UInt8](hex: built[0]))
        #expect(first.marker && first.payloadType == 96 && first.sequenceNumber == 65535 && first.timestamp == .max)
        #expect(first.ssrc == 0xCAFE_BABE && first.csrcs == [9, 10, 11] && first.payload == [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(first.paddingLength == 13)
        #expect(first.headerExtension(id: 1)?.value == Array("video".utf8))
        #expect(try AbsoluteSendTime(parsing: first.headerExtension(id: 3)!.value).rawValue == 0xABCDEF)
        #expect(try TransportSequenceNumber(parsing: first.headerExtension(id: 5)!.value).rawValue == 65535)
        // A mid longer than 16 bytes makes aiortc use the two-byte form.
        let second = try RTPPacket(parsing: [UInt8](hex: built[1]))
        #expect(Array(try [UInt8](hex: built[1])[12..<14]) == [0x10, 0x00])
        #expect(second.headerExtensions == [HeaderExtension(id: 1, value: Array("a-mid-longer-than-sixteen-bytes".utf8))])
        #expect(second.payload.isEmpty && !second.marker && second.paddingLength == 0)
    }

    static let blocks = [
        ReceptionReport(ssrc: 0x1111, fractionLost: 12, cumulativeLost: -3, extendedHighestSequenceNumber: 0x0002_FFFF,
                        jitter: 345, lastSenderReport: 0xAB12_CD34, delaySinceLastSenderReport: 0x0001_8000),
        ReceptionReport(ssrc: 0x2222, fractionLost: 255, cumulativeLost: 0x7F_FFFF, extendedHighestSequenceNumber: 5,
                        jitter: 0, lastSenderReport: 0, delaySinceLastSenderReport: 0),
    ]

    @Test func aiortcReadsOurRTCP() throws {
        let compound: [RTCPPacket] = [
            .senderReport(SenderReport(ssrc: 0xAAAA, ntpTime: NTPTimestamp(seconds: 0xE9A1_2B3C, fraction: 0x8000_0001),
                                       rtpTimestamp: 123_456, packetCount: 99, octetCount: 99999, reports: Self.blocks)),
            .receiverReport(ReceiverReport(ssrc: 0xBBBB, reports: [Self.blocks[0]])),
            .sourceDescription(SourceDescription(chunks: [.init(ssrc: 0xAAAA, items: [.cname("glimpse-cname")])])),
            .nack(GenericNACK(senderSSRC: 0xBBBB, mediaSSRC: 0xAAAA, lost: [100, 101, 116, 117, 300])),
            .pictureLossIndication(PictureLossIndication(senderSSRC: 0xBBBB, mediaSSRC: 0xAAAA)),
            .fullIntraRequest(FullIntraRequest(senderSSRC: 0xBBBB, entries: [.init(ssrc: 0xAAAA, sequenceNumber: 3)])),
            .receiverEstimatedMaximumBitrate(ReceiverEstimatedMaximumBitrate(senderSSRC: 0xBBBB, bitrate: 2_500_000, ssrcs: [0xAAAA, 0xCCCC])),
            .goodbye(Goodbye(sources: [0xAAAA, 0xCCCC], reason: "done")),
        ]
        guard let answer = try Aiortc.run(["rtcp_parse": [RTCPPacket.serialize(compound: compound).hex]]) else { return }
        let parsed = try #require((answer["rtcp_parse"] as? [[[String: Any]]])?.first)
        #expect(parsed.map { $0["kind"] as? String } == ["sr", "rr", "sdes", "rtpfb", "psfb", "psfb", "psfb", "bye"])
        guard parsed.count == 8 else { return }
        #expect(parsed[0]["ssrc"] as? Int == 0xAAAA)
        #expect((parsed[0]["ntp"] as? NSNumber)?.uint64Value == NTPTimestamp(seconds: 0xE9A1_2B3C, fraction: 0x8000_0001).rawValue)
        #expect(parsed[0]["rtp"] as? Int == 123_456 && parsed[0]["packets"] as? Int == 99 && parsed[0]["octets"] as? Int == 99999)
        #expect((parsed[0]["reports"] as? [[String: Int]]) == Self.blocks.map(Self.dictionary))
        #expect((parsed[1]["reports"] as? [[String: Int]]) == [Self.dictionary(Self.blocks[0])])
        let chunks = parsed[2]["chunks"] as? [[String: Any]]
        #expect(chunks?.first?["ssrc"] as? Int == 0xAAAA)
        #expect((chunks?.first?["items"] as? [[Any]])?.first?.last as? String == "glimpse-cname")
        #expect(parsed[3]["fmt"] as? Int == 1 && parsed[3]["lost"] as? [Int] == [100, 101, 116, 117, 300])
        #expect(parsed[4]["fmt"] as? Int == 1 && parsed[4]["fci"] as? String == "")
        #expect(parsed[5]["fmt"] as? Int == 4 && parsed[5]["fci"] as? String == "0000aaaa03000000")
        #expect(parsed[6]["bitrate"] as? Int == 2_500_000 && parsed[6]["ssrcs"] as? [Int] == [0xAAAA, 0xCCCC])
        #expect(parsed[7]["sources"] as? [Int] == [0xAAAA, 0xCCCC])
    }

    @Test func weReadAiortcRTCP() throws {
        let reports = Self.blocks.map(Self.dictionary)
        let described: [[String: Any]] = [
            ["kind": "sr", "ssrc": 0xAAAA, "ntp": 0xE9A1_2B3C_8000_0001 as UInt64, "rtp": 123_456, "packets": 99, "octets": 99999,
             "reports": reports],
            ["kind": "rr", "ssrc": 0xBBBB, "reports": reports],
            ["kind": "sdes", "ssrc": 0xAAAA, "cname": "{4f1d-aiortc}"],
            ["kind": "bye", "sources": [0xAAAA]],
            ["kind": "nack", "ssrc": 0xBBBB, "media_ssrc": 0xAAAA, "lost": [10, 12, 26, 27, 28, 1000]],
            ["kind": "pli", "ssrc": 0xBBBB, "media_ssrc": 0xAAAA],
            ["kind": "remb", "ssrc": 0xBBBB, "bitrate": 123_456_789, "ssrcs": [0xAAAA]],
        ]
        guard let answer = try Aiortc.run(["rtcp_build": described]) else { return }
        let built = try #require(answer["rtcp_build"] as? [String])
        let packets = try RTCPPacket.parseCompound(built.flatMap { try [UInt8](hex: $0) })
        #expect(packets.count == 7)
        guard packets.count == 7 else { return }
        #expect(packets[0] == .senderReport(SenderReport(ssrc: 0xAAAA, ntpTime: NTPTimestamp(rawValue: 0xE9A1_2B3C_8000_0001),
                                                         rtpTimestamp: 123_456, packetCount: 99, octetCount: 99999, reports: Self.blocks)))
        #expect(packets[1] == .receiverReport(ReceiverReport(ssrc: 0xBBBB, reports: Self.blocks)))
        #expect(packets[2] == .sourceDescription(SourceDescription(chunks: [.init(ssrc: 0xAAAA, items: [.cname("{4f1d-aiortc}")])])))
        #expect(packets[3] == .goodbye(Goodbye(sources: [0xAAAA])))
        guard case .nack(let nack) = packets[4] else { Issue.record("not a NACK: \(packets[4])"); return }
        #expect(nack.senderSSRC == 0xBBBB && nack.mediaSSRC == 0xAAAA)
        #expect(nack.lostSequenceNumbers == [10, 12, 26, 27, 28, 1000])
        #expect(packets[5] == .pictureLossIndication(PictureLossIndication(senderSSRC: 0xBBBB, mediaSSRC: 0xAAAA)))
        // aiortc rounds the mantissa down as we do: 123 456 789 = 0x75BCD15 → 0x3ADE6 · 2^9 = 123 456 512.
        #expect(packets[6] == .receiverEstimatedMaximumBitrate(ReceiverEstimatedMaximumBitrate(
            senderSSRC: 0xBBBB, bitrate: 0x3ADE6 << 9, ssrcs: [0xAAAA])))
        let ours = RTCPPacket.receiverEstimatedMaximumBitrate(ReceiverEstimatedMaximumBitrate(senderSSRC: 0xBBBB, bitrate: 123_456_789,
                                                                                             ssrcs: [0xAAAA]))
        #expect(ours.bytes.hex == built[6])
    }

    /// A report block as aiortc's `RtcpReceiverInfo` names its fields.
    static func dictionary(_ block: ReceptionReport) -> [String: Int] {
        ["ssrc": Int(block.ssrc), "fraction_lost": Int(block.fractionLost), "packets_lost": Int(block.cumulativeLost),
         "highest_sequence": Int(block.extendedHighestSequenceNumber), "jitter": Int(block.jitter),
         "lsr": Int(block.lastSenderReport), "dlsr": Int(block.delaySinceLastSenderReport)]
    }
}

/// Runs `Tools/interop/aiortc_media.py` with one JSON request.
enum Aiortc {
    static let script: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("Tools/interop/aiortc_media.py")
    }()

    /// Whether python3 can import aiortc (CI installs it through Tools/setup).
    static let isAvailable: Bool = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import aiortc"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// aiortc's answer, or `nil` (after printing why) when aiortc is not installed.
    static func run(_ request: [String: Any], function: String = #function) throws -> [String: Any]? {
        guard isAvailable else {
            print("SKIPPED \(function): python3 cannot import aiortc; install it with Tools/setup to run the aiortc interop tests")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: JSONSerialization.data(withJSONObject: request))
        try input.fileHandleForWriting.close()
        let answer = output.fileHandleForReading.readDataToEndOfFile()
        let diagnostics = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let object = try JSONSerialization.jsonObject(with: answer) as? [String: Any] else {
            throw Failure(description: "aiortc_media.py failed: \(String(decoding: diagnostics, as: UTF8.self))")
        }
        return object
    }
}

extension Sequence<UInt8> {
    var hex: String { map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }
}

extension [UInt8] {
    init(hex: String) throws {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { throw Aiortc.Failure(description: "odd hex length") }
        self = try stride(from: 0, to: digits.count, by: 2).map { index in
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else {
                throw Aiortc.Failure(description: "not hex: \(hex)")
            }
            return byte
        }
    }
}
