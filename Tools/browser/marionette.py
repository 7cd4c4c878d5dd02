#!/usr/bin/env python3
"""A minimal Marionette client for headless Firefox, and a JSON-lines bridge for Swift tests.

Marionette is Firefox's remote protocol: length-prefixed JSON over TCP (`<len>:<json>`), commands
`[0, id, name, params]`, replies `[1, id, error, result]`. It only listens on loopback, so run
Firefox and this client in the same network namespace.

Bridge mode (`marionette.py --bridge`): starts `$FIREFOX` (default firefox-esr) headless on a blank page, then reads one
JSON object per line on stdin and answers one per line on stdout:
  {"evaluate": "<js expression, promises awaited>"}  ->  {"value": "<string or JSON>"} | {"error": "..."}
  {"html": "<page source>"}                          ->  {"value": "loaded"}
EOF: quits Firefox.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

PORT = 2828

# Evaluates arguments[0] in the page's global scope and reports through Marionette's async callback.
EVALUATE = """
const [expression, done] = arguments;
Promise.resolve().then(() => (0, eval)(expression)).then(
  value => done({value: typeof value === 'string' ? value : JSON.stringify(value)}),
  error => done({error: String(error && error.message || error)}));
"""


def launch_firefox(profile, binary=os.environ.get("FIREFOX", "firefox-esr")):
    """Starts headless Firefox with Marionette on PORT and a quiet fresh profile."""
    os.makedirs(profile, exist_ok=True)
    with open(os.path.join(profile, "user.js"), "w") as f:
        for name, value in [("marionette.port", PORT), ("browser.shell.checkDefaultBrowser", False),
                            ("datareporting.policy.dataSubmissionEnabled", False),
                            ("toolkit.telemetry.reportingpolicy.firstRun", False)]:
            f.write(f"user_pref({json.dumps(name)}, {json.dumps(value)});\n")
    return subprocess.Popen([binary, "--headless", "--marionette", "--no-remote", "--profile", profile],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Marionette:
    def __init__(self, port=PORT, timeout=60):
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        self.buffer = b""
        self.counter = 0
        self._receive()  # the server's hello
        self.call("WebDriver:NewSession", {"capabilities": {}})
        self.call("WebDriver:SetTimeouts", {"script": timeout * 1000})

    def _receive(self):
        while b":" not in self.buffer:
            self._fill()
        length, _, rest = self.buffer.partition(b":")
        self.buffer = rest
        while len(self.buffer) < int(length):
            self._fill()
        message, self.buffer = self.buffer[:int(length)], self.buffer[int(length):]
        return json.loads(message)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("Firefox closed the Marionette connection")
        self.buffer += chunk

    def call(self, command, params):
        self.counter += 1
        body = json.dumps([0, self.counter, command, params]).encode()
        self.sock.sendall(str(len(body)).encode() + b":" + body)
        while True:
            reply = self._receive()
            if reply[1] == self.counter:
                break
        if reply[2]:
            raise RuntimeError(f"{command}: {reply[2]}")
        return reply[3]

    def navigate(self, url):
        self.call("WebDriver:Navigate", {"url": url})

    def evaluate(self, expression):
        """The expression's value (awaited) as a string; raises with the page's error text."""
        outcome = self.call("WebDriver:ExecuteAsyncScript", {"script": EVALUATE, "args": [expression]})["value"]
        if "error" in outcome:
            raise RuntimeError(outcome["error"])
        return outcome["value"]

    def quit(self):
        try:
            self.call("Marionette:Quit", {"flags": ["eForceQuit"]})
        except (OSError, RuntimeError):
            pass


def bridge():
    directory = tempfile.mkdtemp(prefix="glimpse-firefox-")
    firefox = launch_firefox(os.path.join(directory, "profile"))
    try:
        client = Marionette()
        for line in sys.stdin:
            request = json.loads(line)
            try:
                if "html" in request:
                    page = os.path.join(directory, "page.html")
                    with open(page, "w") as f:
                        f.write(request["html"])
                    client.navigate("file://" + page)
                    reply = {"value": "loaded"}
                else:
                    reply = {"value": client.evaluate(request["evaluate"])}
            except RuntimeError as error:
                reply = {"error": str(error)}
            print(json.dumps(reply), flush=True)
        client.quit()
    finally:
        try:
            firefox.wait(timeout=10)
        except subprocess.TimeoutExpired:
            firefox.kill()
            firefox.wait()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--bridge"]:
        bridge()
    else:
        sys.exit(__doc__)
