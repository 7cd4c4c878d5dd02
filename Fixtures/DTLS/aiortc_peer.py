"""aiortc's real RTCDtlsTransport (DTLS via pyOpenSSL, SRTP via pylibsrtp) on a loopback UDP socket.

Driven by Tests/DTLSTests/AiortcInteropTests.swift through JSON lines:
  stdout  {"type": "ready", "port": P, "fingerprint": "AA:..."}   aiortc's sha-256 fingerprint
  stdin   {"port": Q, "fingerprint": "AA:...", "role": "client"|"server"}   the Glimpse peer; aiortc's DTLS role
  stdout  {"type": "state", "state": "connected"|"failed", ...}
  then aiortc sends 3 SRTP packets (SSRC 0xA10C, payload "aiortc-<n>") and one SRTCP sender report,
  and reports each packet it unprotects: {"type": "rtp"|"rtcp", ...}. EOF on stdin ends the run.

ICE is out of scope here: a minimal stand-in provides the three things RTCDtlsTransport uses of its
RTCIceTransport (`role`, `_send`, `_recv`) over a plain asyncio datagram endpoint on 127.0.0.1.
"""

import asyncio
import json
import sys

from aiortc.rtcdtlstransport import (
    RTCCertificate,
    RTCDtlsFingerprint,
    RTCDtlsParameters,
    RTCDtlsTransport,
)
from aiortc.rtp import RtcpSenderInfo, RtcpSrPacket, RtpPacket

AIORTC_SSRC = 0xA10C
GLIMPSE_SSRC = 0x61177
PAYLOAD_TYPE = 96


def emit(message):
    print(json.dumps(message), flush=True)


class LoopbackIceTransport:
    """What RTCDtlsTransport needs of an ICE transport: a role and datagram send/receive."""

    def __init__(self, role):
        self.role = role
        self.remote = None
        self.udp = None
        self.queue = asyncio.Queue()

    async def _send(self, data):
        self.udp.sendto(data, self.remote)

    async def _recv(self):
        data = await self.queue.get()
        if data is None:
            raise ConnectionError("transport closed")
        return data


class Datagrams(asyncio.DatagramProtocol):
    def __init__(self, queue):
        self.queue = queue

    def datagram_received(self, data, addr):
        self.queue.put_nowait(data)


class Receiver:
    """Registered with the transport's RTP router: gets what aiortc unprotected and parsed."""

    async def _handle_rtp_packet(self, packet, arrival_time_ms):
        emit({"type": "rtp", "ssrc": packet.ssrc, "sequence": packet.sequence_number,
              "payload": packet.payload.hex()})

    async def _handle_rtcp_packet(self, packet):
        emit({"type": "rtcp", "kind": type(packet).__name__, "ssrc": getattr(packet, "ssrc", None)})

    def _handle_disconnect(self):
        pass


async def read_line():
    return await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def main():
    loop = asyncio.get_running_loop()
    ice = LoopbackIceTransport(role="controlling")
    ice.udp, _ = await loop.create_datagram_endpoint(lambda: Datagrams(ice.queue), local_addr=("127.0.0.1", 0))
    certificate = RTCCertificate.generateCertificate()
    dtls = RTCDtlsTransport(ice, [certificate])
    sha256 = next(f.value for f in dtls.getLocalParameters().fingerprints if f.algorithm == "sha-256")
    emit({"type": "ready", "port": ice.udp.get_extra_info("sockname")[1], "fingerprint": sha256})

    peer = json.loads(await read_line())
    ice.remote = ("127.0.0.1", peer["port"])
    dtls._set_role(peer["role"])
    receiver = Receiver()
    dtls._rtp_router.register_receiver(receiver, ssrcs=[GLIMPSE_SSRC], payload_types=[PAYLOAD_TYPE])

    remote = RTCDtlsParameters(fingerprints=[RTCDtlsFingerprint(algorithm="sha-256", value=peer["fingerprint"])])
    await asyncio.wait_for(dtls.start(remote), timeout=20)
    if dtls.state != "connected":
        emit({"type": "state", "state": dtls.state})
        return
    emit({"type": "state", "state": "connected", "profile": dtls._ssl.get_selected_srtp_profile().decode()})

    for sequence in (1, 2, 3):
        packet = RtpPacket(payload_type=PAYLOAD_TYPE, sequence_number=sequence, timestamp=90 * sequence,
                           ssrc=AIORTC_SSRC, payload=f"aiortc-{sequence}".encode())
        await dtls._send_rtp(packet.serialize())
    report = RtcpSrPacket(ssrc=AIORTC_SSRC, sender_info=RtcpSenderInfo(
        ntp_timestamp=1 << 32, rtp_timestamp=270, packet_count=3, octet_count=24))
    await dtls._send_rtp(bytes(report))

    await read_line()  # EOF: the test is done
    await dtls.stop()
    ice.queue.put_nowait(None)


if __name__ == "__main__":
    asyncio.run(main())
