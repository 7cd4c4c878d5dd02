#!/usr/bin/env python3
"""Decodes a VP8 RTP packet dump with code Glimpse did not write (Tests/VP8Tests/IndependentDecoderTests.swift).

Usage: vp8_decode.py DUMP OUTDIR

DUMP holds RTP packets, each preceded by its length as a 4-byte big-endian integer, in sending order.
aiortc parses each packet (RtpPacket.parse), strips the VP8 payload descriptor (vp8_depayload) and
rebuilds frames in its JitterBuffer; each frame is decoded twice: by aiortc's Vp8Decoder (libvpx through
PyAV) and by FFmpeg's own VP8 decoder (PyAV codec "vp8"), which shares no code with libvpx.
Writes OUTDIR/aiortc.i420 and OUTDIR/ffvp8.i420 (tightly packed Y, U, V planes per frame) and prints one
JSON line: {"frames": [{"timestamp", "width", "height"}...]}.
"""
import json
import os
import struct
import sys

import av

try:
    from aiortc.codecs.vpx import Vp8Decoder, vp8_depayload
except ImportError:  # aiortc before 1.6 kept VP8 in its own module
    from aiortc.codecs.vp8 import Vp8Decoder, vp8_depayload
from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket


def planes(frame):
    """The frame's Y, U, V planes without row padding."""
    out = bytearray()
    for plane in frame.planes:
        data = bytes(plane)
        for row in range(plane.height):
            out += data[row * plane.line_size:row * plane.line_size + plane.width]
    return bytes(out)


def main():
    dump, outdir = sys.argv[1], sys.argv[2]
    with open(dump, "rb") as f:
        blob = f.read()
    packets = []
    offset = 0
    while offset < len(blob):
        (length,) = struct.unpack_from("!I", blob, offset)
        packets.append(RtpPacket.parse(blob[offset + 4:offset + 4 + length]))
        offset += 4 + length

    # The jitter buffer hands out a frame when the next one starts; a last empty packet flushes the final frame.
    last = packets[-1]
    packets.append(RtpPacket(payload_type=last.payload_type, sequence_number=(last.sequence_number + 1) & 0xFFFF,
                             timestamp=(last.timestamp + 1) & 0xFFFFFFFF, ssrc=last.ssrc, payload=b"\x10\x00"))
    jitter = JitterBuffer(capacity=1024, is_video=True)
    aiortc_decoder = Vp8Decoder()
    ffvp8 = av.CodecContext.create("vp8", "r")
    frames = []
    with open(os.path.join(outdir, "aiortc.i420"), "wb") as ours, open(os.path.join(outdir, "ffvp8.i420"), "wb") as theirs:
        for packet in packets:
            packet._data = vp8_depayload(packet.payload)
            _, encoded = jitter.add(packet)
            if encoded is None:
                continue
            decoded = aiortc_decoder.decode(encoded)
            independent = ffvp8.decode(av.Packet(encoded.data))
            assert len(decoded) == 1 and len(independent) == 1, "one picture per frame"
            picture = decoded[0]
            frames.append({"timestamp": encoded.timestamp, "width": picture.width, "height": picture.height})
            ours.write(planes(picture.reformat(format="yuv420p")))
            theirs.write(planes(independent[0].reformat(format="yuv420p")))
    print(json.dumps({"frames": frames}))


if __name__ == "__main__":
    main()
