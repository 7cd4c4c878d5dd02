#!/usr/bin/env python3
"""Prints the RGB values of a PNG at the given points, decoded with Python's own zlib: an independent
check of the PNGs `glimpse view --output` writes. Usage: png_pixels.py FILE X,Y [X,Y ...]
Output: one JSON object {"width":W,"height":H,"pixels":[[r,g,b],...]}."""
import json
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, idat, header = 8, b"", None
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        crc = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])[0]
        assert zlib.crc32(kind + body) == crc, "bad CRC in %s" % kind
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    width, height, depth, colour = header[:4]
    assert depth == 8 and colour == 2, "only 8-bit RGB"
    raw = zlib.decompress(idat)
    stride = 1 + 3 * width
    rows, previous = [], bytearray(3 * width)
    for y in range(height):
        kind, line = raw[y * stride], bytearray(raw[y * stride + 1:(y + 1) * stride])
        for i in range(len(line)):
            left = line[i - 3] if i >= 3 else 0
            up = previous[i]
            corner = previous[i - 3] if i >= 3 else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(line)
        previous = line
    return width, height, rows


width, height, rows = decode(sys.argv[1])
points = [tuple(int(v) for v in p.split(",")) for p in sys.argv[2:]]
print(json.dumps({"width": width, "height": height,
                  "pixels": [list(rows[y][3 * x:3 * x + 3]) for x, y in points]}))
