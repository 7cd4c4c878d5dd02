import FuzzDriver
import Glibc
import RTP

// Parses arbitrary bytes as a compound RTCP packet; what parses must serialize to bytes that parse to
// the same packets. A NACK rebuilt from its expanded sequence numbers must name the same numbers.
exit(fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let packets = try? RTCPPacket.parseCompound(bytes) else { return 0 }
    let again = try? RTCPPacket.parseCompound(RTCPPacket.serialize(compound: packets))
    precondition(again == packets, "serialized compound did not parse to the same packets")
    for packet in packets {
        switch packet {
        case .nack(let nack):
            let lost = nack.lostSequenceNumbers
            let rebuilt = GenericNACK(senderSSRC: nack.senderSSRC, mediaSSRC: nack.mediaSSRC, lost: lost)
            precondition(Set(rebuilt.lostSequenceNumbers) == Set(lost), "NACK rebuilt from its numbers names others")
        case .transportFeedback(let feedback):
            precondition(feedback.arrivals.count <= feedback.statuses.count, "more arrivals than statuses")
        case .senderReport(let report):
            for block in report.reports { _ = block.roundTripTime(arrival: report.ntpTime) }
        default:
            break
        }
    }
    return 0
})
