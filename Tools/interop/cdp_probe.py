#!/usr/bin/env python3
"""Opens a page in a running Chromium over the DevTools protocol and waits for a JavaScript value.

Used by Tests/RendezvousTests/BrowserTests.swift, inside the network namespace Chromium runs in:

  python3 cdp_probe.py --port 9222 --url URL --until 'EXPR' [--timeout 60] [--reuse] [--screenshot FILE.png]

Opens URL in a new tab (or, with --reuse, waits for a tab showing it, e.g. one the page itself opened), evaluates EXPR every 200 ms
(as if from a user gesture, so EXPR may click things that open windows) until it returns something truthy, and prints
{"type": "value", "value": <that value>} (or {"type": "timeout", "last": ...}) as one JSON line.
With --screenshot it saves a PNG of the tab at that moment first.
"""
import argparse
import base64
import asyncio
import json
import time
import urllib.parse
import urllib.request

import websockets


def http_json(port, path, method="GET"):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--until", required=True)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--reuse", action="store_true", help="watch the tab already showing URL instead of opening one")
    parser.add_argument("--screenshot")
    options = parser.parse_args()

    deadline = time.monotonic() + options.timeout
    while True:  # Chromium takes a moment to open its debugging port
        try:
            http_json(options.port, "/json/version")
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)
    if options.reuse:
        # Never open one instead: a tab this probe opened would prove nothing about the one expected.
        while True:
            tabs = [t for t in http_json(options.port, "/json/list") if t.get("type") == "page" and t.get("url") == options.url]
            if tabs:
                tab = tabs[0]
                break
            if time.monotonic() > deadline:
                print(json.dumps({"type": "timeout", "last": "no tab shows " + options.url}), flush=True)
                return
            await asyncio.sleep(0.2)
    else:
        tab = http_json(options.port, "/json/new?" + urllib.parse.quote(options.url, safe=""), method="PUT")
    async with websockets.connect(tab["webSocketDebuggerUrl"], max_size=None) as socket:
        ident = 0
        last = None
        while time.monotonic() < deadline:
            ident += 1
            await socket.send(json.dumps({"id": ident, "method": "Runtime.evaluate",
                                          "params": {"expression": options.until, "returnByValue": True,
                                                                     "userGesture": True}}))
            while True:
                reply = json.loads(await socket.recv())
                if reply.get("id") == ident:
                    break
            result = reply.get("result", {}).get("result", {})
            last = result.get("value", result.get("description"))
            if last:
                if options.screenshot:
                    ident += 1
                    await socket.send(json.dumps({"id": ident, "method": "Page.captureScreenshot", "params": {"format": "png"}}))
                    while True:
                        reply = json.loads(await socket.recv())
                        if reply.get("id") == ident:
                            break
                    with open(options.screenshot, "wb") as file:
                        file.write(base64.b64decode(reply["result"]["data"]))
                print(json.dumps({"type": "value", "value": last}), flush=True)
                return
            await asyncio.sleep(0.2)
        print(json.dumps({"type": "timeout", "last": last}), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
