#!/usr/bin/env python3
"""A sharer built on aiortc, speaking Glimpse signalling to a rendezvous server's /ws.

Used by Tests/RendezvousTests/BrowserViewerTests.swift: it creates a session, and for every viewer
that joins it offers a video track of one solid colour (aiortc's own VP8 encoder), relays
candidates, and reports status every second as a native sharer would.

  python3 aiortc_sharer.py ws://HOST:PORT/ws [--colour '#ff0000'] [--name NAME] [--stun stun:HOST:PORT]

Prints JSON lines on stdout:
  {"type": "session", "sessionID": ..., "joinURL": ..., "sharerToken": ...}
  {"type": "viewer", "viewerID": ...}                       a viewer joined; an offer went out
  {"type": "state", "viewerID": ..., "state": "connected"}  each peer connection state change
  {"type": "viewerReport", ...}                             what the viewer reported it sees
  {"type": "error", "code": ..., "message": ...}
stdin takes JSON lines: {"command": "reconnect", "colour": "#00ff00"} drops the WebSocket, connects
again, resumes the session and offers the new colour to the viewers it is told about. EOF ends the run.
"""
import argparse
import asyncio
import json
import sys
import time

import numpy
import websockets
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from aiortc.sdp import candidate_from_sdp
from av import VideoFrame

WIDTH, HEIGHT = 320, 240


def emit(message):
    print(json.dumps(message), flush=True)


class SolidColourTrack(VideoStreamTrack):
    """Frames of one colour: what the viewer samples must be this colour (within codec error)."""

    def __init__(self, rgb):
        super().__init__()
        self.image = numpy.zeros((HEIGHT, WIDTH, 3), numpy.uint8)
        self.image[:, :] = rgb

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame.from_ndarray(self.image, format="rgb24")
        frame.pts = pts
        frame.time_base = time_base
        return frame


class Sharer:
    def __init__(self, rgb, stun):
        self.socket = None
        self.session = None  # (id, sharer token) once created, for resuming
        self.rgb = rgb
        # Without servers aiortc would ask a public STUN server; the rendezvous server has one.
        self.configuration = RTCConfiguration(iceServers=[RTCIceServer(stun)] if stun else [])
        self.peers = {}
        self.started = time.monotonic()

    async def send(self, message):
        message["v"] = 1
        await self.socket.send(json.dumps(message))

    async def offer(self, viewer_id):
        await self.close_peer(viewer_id)
        pc = RTCPeerConnection(self.configuration)
        self.peers[viewer_id] = pc
        pc.addTrack(SolidColourTrack(self.rgb))

        @pc.on("connectionstatechange")
        def on_state():
            emit({"type": "state", "viewerID": viewer_id, "state": pc.connectionState})

        # aiortc gathers every candidate before setLocalDescription returns: the offer carries them.
        await pc.setLocalDescription(await pc.createOffer())
        await self.send({"type": "offer", "viewerID": viewer_id, "sdp": pc.localDescription.sdp})
        emit({"type": "viewer", "viewerID": viewer_id})

    async def close_peer(self, viewer_id):
        pc = self.peers.pop(viewer_id, None)
        if pc:
            await pc.close()

    async def handle(self, message):
        kind = message["type"]
        if kind == "sessionCreated":
            self.session = (message["sessionID"], message["sharerToken"])
            emit({"type": "session", "sessionID": message["sessionID"], "joinURL": message["joinURL"],
                  "joinToken": message["joinToken"], "sharerToken": message["sharerToken"], "resumed": message["resumed"]})
        elif kind == "peerJoined":
            await self.offer(message["viewerID"])
        elif kind == "peerLeft":
            await self.close_peer(message["viewerID"])
        elif kind == "answer":
            pc = self.peers.get(message["viewerID"])
            if pc:
                await pc.setRemoteDescription(RTCSessionDescription(sdp=message["sdp"], type="answer"))
        elif kind == "candidate":
            pc = self.peers.get(message["viewerID"])
            text = message["candidate"]
            # aiortc cannot resolve mDNS (.local) host candidates; the viewer's checks reach us anyway.
            if pc and ".local" not in text:
                candidate = candidate_from_sdp(text.split(":", 1)[1])
                candidate.sdpMid = message.get("sdpMid")
                candidate.sdpMLineIndex = message.get("sdpMLineIndex")
                await pc.addIceCandidate(candidate)
        elif kind == "viewerReport":
            emit(message)
        elif kind == "error":
            emit({"type": "error", "code": message["code"], "message": message["message"]})

    async def report_status(self):
        while True:
            await asyncio.sleep(1)
            viewers = [{"viewerID": viewer_id, "state": pc.connectionState} for viewer_id, pc in self.peers.items()]
            await self.send({"type": "status", "source": "aiortc test pattern", "width": WIDTH, "height": HEIGHT,
                             "framesPerSecond": 30.0, "bitsPerSecond": 500_000, "active": True, "viewers": viewers})


async def read_commands(queue):
    """stdin lines as JSON commands on `queue`; None at EOF."""
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        await queue.put(json.loads(line) if line.strip() else None)
        if not line:
            return


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--colour", default="#ff0000")
    parser.add_argument("--name", default="aiortc sharer")
    parser.add_argument("--stun", help="stun:HOST:PORT, default the server's own on 3478")
    options = parser.parse_args()

    host = options.url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]
    sharer = Sharer(colour(options.colour), options.stun or f"stun:{host}:3478")
    commands = asyncio.Queue()
    reader = asyncio.ensure_future(read_commands(commands))
    while True:
        async with websockets.connect(options.url) as socket:
            sharer.socket = socket
            if sharer.session is None:
                await sharer.send({"type": "createSession", "displayName": options.name,
                                   "device": {"os": sys.platform, "hostName": "aiortc-host",
                                              "screenResolution": f"{WIDTH}x{HEIGHT}", "clientKind": "aiortc"}})
            else:
                await sharer.send({"type": "resume", "sessionID": sharer.session[0], "sharerToken": sharer.session[1]})

            async def receive():
                async for text in socket:
                    await sharer.handle(json.loads(text))

            tasks = [asyncio.ensure_future(receive()), asyncio.ensure_future(sharer.report_status())]
            command = asyncio.ensure_future(commands.get())
            await asyncio.wait(tasks + [command], return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                task.cancel()
            for viewer_id in list(sharer.peers):
                await sharer.close_peer(viewer_id)
            next_command = command.result() if command.done() else None
            command.cancel()
        if next_command and next_command.get("command") == "reconnect":
            # As after a network change: a new connection that resumes the session, now in another colour.
            sharer.rgb = colour(next_command.get("colour", options.colour))
            continue
        reader.cancel()
        return


def colour(text):
    return [int(text[i:i + 2], 16) for i in (1, 3, 5)]


if __name__ == "__main__":
    asyncio.run(main())
