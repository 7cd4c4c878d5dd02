#!/usr/bin/env python3
"""aiortc's side of the RTP/VP8 interop tests (Tests/VP8Tests/AiortcInteropTests.swift).

Reads one JSON request on stdin and writes one JSON answer on stdout. Bytes travel as hex strings.
Each key of the request is a job; the answer has the same keys:

  vp8_parse:     [payload]                  -> aiortc's VpxPayloadDescriptor.parse and vp8_depayload of each
  vp8_packetize: [{frame, picture_id}]      -> aiortc's Vp8Encoder._packetize payloads for each frame
  rtp_parse:     {extensions, packets}      -> RtpPacket.parse of each packet with the given extmap ids
  rtp_build:     {extensions, packets}      -> RtpPacket.serialize of each described packet
  rtcp_parse:    [compound]                 -> RtcpPacket.parse of each compound, packet by packet
  rtcp_build:    [{kind, ...}]              -> bytes of each packet aiortc builds
"""
import json
import sys

try:
    from aiortc.codecs.vpx import Vp8Encoder, VpxPayloadDescriptor, vp8_depayload
except ImportError:  # aiortc before 1.6 kept VP8 in its own module
    from aiortc.codecs.vp8 import Vp8Encoder, VpxPayloadDescriptor, vp8_depayload
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters, RTCRtpParameters
from aiortc.rtp import (
    HeaderExtensionsMap,
    RtcpByePacket,
    RtcpPacket,
    RtcpPsfbPacket,
    RtcpReceiverInfo,
    RtcpRrPacket,
    RtcpRtpfbPacket,
    RtcpSdesPacket,
    RtcpSenderInfo,
    RtcpSourceInfo,
    RtcpSrPacket,
    RtpPacket,
    pack_remb_fci,
    unpack_remb_fci,
)

URIS = {
    "abs_send_time": "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "transport_sequence_number": "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
    "mid": "urn:ietf:params:rtp-hdrext:sdes:mid",
}


def extensions_map(ids):
    extmap = HeaderExtensionsMap()
    extmap.configure(RTCRtpParameters(headerExtensions=[
        RTCRtpHeaderExtensionParameters(id=ident, uri=URIS[name]) for name, ident in ids.items()
    ]))
    return extmap


def vp8_parse(payload):
    data = bytes.fromhex(payload)
    descriptor, rest = VpxPayloadDescriptor.parse(data)
    return {
        "partition_start": descriptor.partition_start,
        "partition_id": descriptor.partition_id,
        "picture_id": descriptor.picture_id,
        "tl0picidx": descriptor.tl0picidx,
        "tid": list(descriptor.tid) if descriptor.tid is not None else None,
        "keyidx": descriptor.keyidx,
        "data": rest.hex(),
        "depayloaded": vp8_depayload(data).hex(),
    }


def rtp_parse(job):
    extmap = extensions_map(job["extensions"])
    answers = []
    for hexed in job["packets"]:
        packet = RtpPacket.parse(bytes.fromhex(hexed), extmap)
        answers.append({
            "marker": packet.marker,
            "payload_type": packet.payload_type,
            "sequence_number": packet.sequence_number,
            "timestamp": packet.timestamp,
            "ssrc": packet.ssrc,
            "csrc": packet.csrc,
            "payload": packet.payload.hex(),
            "padding_size": packet.padding_size,
            "abs_send_time": packet.extensions.abs_send_time,
            "transport_sequence_number": packet.extensions.transport_sequence_number,
            "mid": packet.extensions.mid,
        })
    return answers


def rtp_build(job):
    extmap = extensions_map(job["extensions"])
    answers = []
    for described in job["packets"]:
        packet = RtpPacket(payload_type=described["payload_type"], marker=described["marker"],
                           sequence_number=described["sequence_number"], timestamp=described["timestamp"],
                           ssrc=described["ssrc"], payload=bytes.fromhex(described["payload"]))
        packet.csrc = described["csrc"]
        packet.padding_size = described["padding_size"]
        packet.extensions.abs_send_time = described.get("abs_send_time")
        packet.extensions.transport_sequence_number = described.get("transport_sequence_number")
        packet.extensions.mid = described.get("mid")
        answers.append(packet.serialize(extmap).hex())
    return answers


def report_block(block):
    return {"ssrc": block.ssrc, "fraction_lost": block.fraction_lost, "packets_lost": block.packets_lost,
            "highest_sequence": block.highest_sequence, "jitter": block.jitter, "lsr": block.lsr, "dlsr": block.dlsr}


def rtcp_parse(hexed):
    answers = []
    for packet in RtcpPacket.parse(bytes.fromhex(hexed)):
        if isinstance(packet, RtcpSrPacket):
            info = packet.sender_info
            answers.append({"kind": "sr", "ssrc": packet.ssrc, "ntp": info.ntp_timestamp, "rtp": info.rtp_timestamp,
                            "packets": info.packet_count, "octets": info.octet_count,
                            "reports": [report_block(r) for r in packet.reports]})
        elif isinstance(packet, RtcpRrPacket):
            answers.append({"kind": "rr", "ssrc": packet.ssrc, "reports": [report_block(r) for r in packet.reports]})
        elif isinstance(packet, RtcpSdesPacket):
            answers.append({"kind": "sdes", "chunks": [
                {"ssrc": c.ssrc, "items": [[t, v.decode("utf8")] for t, v in c.items]} for c in packet.chunks]})
        elif isinstance(packet, RtcpByePacket):
            answers.append({"kind": "bye", "sources": packet.sources})
        elif isinstance(packet, RtcpRtpfbPacket):
            # aiortc does not wrap PID + d + 1 at 16 bits; the test keeps away from the wrap.
            answers.append({"kind": "rtpfb", "fmt": packet.fmt, "ssrc": packet.ssrc, "media_ssrc": packet.media_ssrc,
                            "lost": packet.lost})
        elif isinstance(packet, RtcpPsfbPacket):
            answer = {"kind": "psfb", "fmt": packet.fmt, "ssrc": packet.ssrc, "media_ssrc": packet.media_ssrc,
                      "fci": packet.fci.hex()}
            if packet.fmt == 15:
                answer["bitrate"], answer["ssrcs"] = unpack_remb_fci(packet.fci)
            answers.append(answer)
    return answers


def rtcp_build(described):
    kind = described["kind"]
    if kind == "sr":
        packet = RtcpSrPacket(ssrc=described["ssrc"], sender_info=RtcpSenderInfo(
            ntp_timestamp=described["ntp"], rtp_timestamp=described["rtp"], packet_count=described["packets"],
            octet_count=described["octets"]), reports=[RtcpReceiverInfo(**r) for r in described["reports"]])
    elif kind == "rr":
        packet = RtcpRrPacket(ssrc=described["ssrc"], reports=[RtcpReceiverInfo(**r) for r in described["reports"]])
    elif kind == "sdes":
        packet = RtcpSdesPacket(chunks=[RtcpSourceInfo(ssrc=described["ssrc"], items=[(1, described["cname"].encode())])])
    elif kind == "bye":
        packet = RtcpByePacket(sources=described["sources"])
    elif kind == "nack":
        packet = RtcpRtpfbPacket(fmt=1, ssrc=described["ssrc"], media_ssrc=described["media_ssrc"], lost=described["lost"])
    elif kind == "pli":
        packet = RtcpPsfbPacket(fmt=1, ssrc=described["ssrc"], media_ssrc=described["media_ssrc"])
    elif kind == "remb":
        packet = RtcpPsfbPacket(fmt=15, ssrc=described["ssrc"], media_ssrc=0,
                                fci=pack_remb_fci(described["bitrate"], described["ssrcs"]))
    else:
        raise ValueError(f"unknown packet kind {kind}")
    return bytes(packet).hex()


def main():
    request = json.load(sys.stdin)
    answer = {}
    if "vp8_parse" in request:
        answer["vp8_parse"] = [vp8_parse(p) for p in request["vp8_parse"]]
    if "vp8_packetize" in request:
        answer["vp8_packetize"] = [[p.hex() for p in Vp8Encoder._packetize(bytes.fromhex(job["frame"]), job["picture_id"])]
                                   for job in request["vp8_packetize"]]
    if "rtp_parse" in request:
        answer["rtp_parse"] = rtp_parse(request["rtp_parse"])
    if "rtp_build" in request:
        answer["rtp_build"] = rtp_build(request["rtp_build"])
    if "rtcp_parse" in request:
        answer["rtcp_parse"] = [rtcp_parse(c) for c in request["rtcp_parse"]]
    if "rtcp_build" in request:
        answer["rtcp_build"] = [rtcp_build(d) for d in request["rtcp_build"]]
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
