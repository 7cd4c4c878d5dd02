#!/usr/bin/env python3
"""A viewer built on aiortc (PyPI), speaking Glimpse signalling: an independent receiver and VP8 decoder
for what `glimpse share` sends.

  python3 aiortc_viewer.py JOIN_LINK [--frames N] [--point X,Y ...]

It joins the session, answers the sharer's offer, decodes frames with aiortc's own VP8 decoder, and
after N frames prints one JSON line and exits:
  {"type": "frames", "count": N, "width": W, "height": H, "pixels": [[r,g,b], ...]}
with the RGB values of the last frame at the given points (fractions of width and height, e.g. 0.25,0.5).
"""
import argparse
import asyncio
import json
import urllib.parse

import websockets
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.sdp import candidate_from_sdp


def emit(message):
    print(json.dumps(message), flush=True)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("link")
    parser.add_argument("--frames", type=int, default=10)
    parser.add_argument("--point", action="append", default=[])
    args = parser.parse_args()

    link = urllib.parse.urlsplit(args.link)
    session_id = link.path.rstrip("/").split("/")[-1]
    token = link.fragment or urllib.parse.parse_qs(link.query)["t"][0]
    ws_url = ("wss" if link.scheme == "https" else "ws") + "://" + link.netloc + "/ws"
    points = [tuple(float(v) for v in p.split(",")) for p in args.point]

    done = asyncio.get_running_loop().create_future()
    pc = None
    async with websockets.connect(ws_url) as socket:
        async def send(message):
            message["v"] = 1
            await socket.send(json.dumps(message))

        async def consume(track):
            count = 0
            while count < args.frames:
                frame = await track.recv()
                count += 1
            rgb = frame.reformat(format="rgb24")
            plane = rgb.planes[0]
            data, stride = bytes(plane), plane.line_size
            pixels = []
            for fx, fy in points:
                x, y = int(fx * rgb.width), int(fy * rgb.height)
                pixels.append(list(data[y * stride + 3 * x:y * stride + 3 * x + 3]))
            emit({"type": "frames", "count": count, "width": rgb.width, "height": rgb.height, "pixels": pixels})
            done.set_result(True)

        async def signalling():
            nonlocal pc
            async for text in socket:
                message = json.loads(text)
                kind = message["type"]
                if kind == "offer":
                    pc = RTCPeerConnection()

                    @pc.on("track")
                    def on_track(track):
                        asyncio.ensure_future(consume(track))

                    @pc.on("connectionstatechange")
                    def on_state():
                        emit({"type": "state", "state": pc.connectionState})

                    await pc.setRemoteDescription(RTCSessionDescription(sdp=message["sdp"], type="offer"))
                    await pc.setLocalDescription(await pc.createAnswer())
                    await send({"type": "answer", "viewerID": message["viewerID"], "sdp": pc.localDescription.sdp})
                elif kind == "candidate" and pc is not None:
                    candidate = candidate_from_sdp(message["candidate"].split(":", 1)[1])
                    candidate.sdpMid = message.get("sdpMid")
                    candidate.sdpMLineIndex = message.get("sdpMLineIndex")
                    await pc.addIceCandidate(candidate)
                elif kind == "error":
                    emit({"type": "error", "message": message["message"]})

        await send({"type": "join", "sessionID": session_id, "joinToken": token, "viewerName": "aiortc"})
        reader = asyncio.ensure_future(signalling())
        await done
        reader.cancel()
    if pc is not None:
        await pc.close()


asyncio.run(main())
