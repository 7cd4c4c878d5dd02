#!/usr/bin/env python3
"""An aioice agent (PyPI) speaking the line protocol of `glimpse ice`, so tests can connect the two.

Prints `credentials UFRAG PWD`, `candidate candidate:...`, `end-of-candidates`, `state connected|failed`,
`selected LOCAL REMOTE`, `data TEXT`; reads `credentials`, `candidate`, `end-of-candidates`, `send TEXT`.
Usage: aioice_peer.py --role controlling|controlled [--address 127.0.0.1]
"""
import argparse
import asyncio
import sys

import aioice
import aioice.ice


def out(*words):
    print(*words, flush=True)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--role", choices=["controlling", "controlled"], required=True)
    parser.add_argument("--address", default="127.0.0.1")
    args = parser.parse_args()

    # aioice leaves out 127.0.0.1 when it lists interfaces; the test decides which address to use.
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: [args.address]
    conn = aioice.Connection(ice_controlling=args.role == "controlling", components=1, use_ipv6=False)
    await conn.gather_candidates()
    out("credentials", conn.local_username, conn.local_password)
    for candidate in conn.local_candidates:
        out("candidate", "candidate:" + candidate.to_sdp())
    out("end-of-candidates")

    async def connect():
        try:
            await conn.connect()
        except ConnectionError:
            out("state failed")
            return
        pair = conn._nominated[1]
        out("state connected")
        out("selected", "%s:%d" % pair.local_addr, "%s:%d" % pair.remote_addr)
        while True:
            try:
                data = await conn.recv()
            except ConnectionError:
                out("state closed")
                return
            out("data", data.decode())

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    tasks = []
    while line := await reader.readline():
        verb, _, rest = line.decode().strip().partition(" ")
        if verb == "credentials":
            conn.remote_username, conn.remote_password = rest.split(" ")
            tasks.append(asyncio.create_task(connect()))
        elif verb == "candidate":
            await conn.add_remote_candidate(aioice.Candidate.from_sdp(rest.removeprefix("candidate:")))
        elif verb == "end-of-candidates":
            await conn.add_remote_candidate(None)
        elif verb == "send":
            await conn.send(rest.encode())
    await conn.close()


asyncio.run(main())
