#!/usr/bin/env python3
"""Forwards TCP connections from 127.0.0.1:LISTEN to 127.0.0.1:TARGET, so a test can cut a connection
(kill the proxy) and restore the path (start it again). Prints "listening" once it accepts.
Usage: tcp_proxy.py LISTEN_PORT TARGET_PORT"""
import asyncio
import sys


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


async def main():
    listen, target = int(sys.argv[1]), int(sys.argv[2])

    async def accept(client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target)
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer), return_exceptions=True)

    server = await asyncio.start_server(accept, "127.0.0.1", listen, reuse_address=True)
    print("listening", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
