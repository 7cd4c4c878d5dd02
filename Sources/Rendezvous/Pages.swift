/// The pages the server hands to browsers: plain HTML and JavaScript, nothing loaded from elsewhere.
enum Pages {
    static let index = """
        <!doctype html><meta charset="utf-8"><title>Glimpse</title>
        <p>Glimpse rendezvous server. Open a join link (<code>/s/&lt;session&gt;#&lt;token&gt;</code>) to watch a shared screen.</p>
        """

    /// The browser viewer: joins the session named in the path with the token from the fragment
    /// (`/s/<id>#<token>`) or the query (`/join/<id>?t=<token>`), answers the sharer's offer as a
    /// receive-only peer, and shows the video full-window. It reports what it sees to the server
    /// (`viewerReport`) and in `window.glimpseStats`, so tests and the sharer can tell it works.
    static let viewer = #"""
        <!doctype html>
        <html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
        <title>Glimpse</title>
        <style>
          html, body { margin: 0; height: 100%; background: #000; color: #ddd; font: 14px system-ui, sans-serif; }
          video { position: fixed; inset: 0; width: 100%; height: 100%; object-fit: contain; }
          #status { position: fixed; left: 8px; bottom: 8px; padding: 4px 8px; background: rgba(0,0,0,.6); border-radius: 4px; }
        </style></head>
        <body><video id="video" autoplay playsinline muted></video><div id="status">connecting…</div>
        <script>
        "use strict";
        const config = __GLIMPSE_CONFIG__;
        const sessionID = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
        const joinToken = location.hash.length > 1 ? decodeURIComponent(location.hash.slice(1))
                                                   : new URLSearchParams(location.search).get("t") || "";
        const video = document.getElementById("video");
        const statusLine = document.getElementById("status");
        const canvas = document.createElement("canvas");
        canvas.width = canvas.height = 16;
        const sample = canvas.getContext("2d", { willReadFrequently: true });
        window.glimpseStats = { state: "connecting", framesDecoded: 0, width: 0, height: 0, framesPerSecond: 0, sampledColour: null };

        let socket = null, pc = null, viewerID = null, retry = 1000, ended = false;

        function send(message) {
          if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(Object.assign({ v: 1 }, message)));
        }
        function show(text) { statusLine.textContent = text; }

        function closePeer() { if (pc) { pc.close(); pc = null; } }

        function reconnect(why) {
          closePeer();
          if (socket) { socket.onclose = null; socket.close(); socket = null; }
          if (ended) return;
          show(why + " — reconnecting…");
          window.glimpseStats.state = "reconnecting";
          setTimeout(connect, retry);
          retry = Math.min(retry * 2, 10000);
        }

        function newPeer() {
          closePeer();
          const iceServers = config.stunPort ? [{ urls: "stun:" + location.hostname + ":" + config.stunPort }] : [];
          const peer = new RTCPeerConnection({ iceServers });
          peer.ontrack = event => { video.srcObject = event.streams[0] || new MediaStream([event.track]); video.play().catch(() => {}); };
          peer.onicecandidate = event => {
            if (event.candidate && event.candidate.candidate) {
              send({ type: "candidate", viewerID, candidate: event.candidate.candidate,
                     sdpMid: event.candidate.sdpMid, sdpMLineIndex: event.candidate.sdpMLineIndex });
            } else if (!event.candidate) {
              send({ type: "endOfCandidates", viewerID });
            }
          };
          peer.onconnectionstatechange = () => {
            if (peer !== pc) return;  // a replaced connection's last words
            window.glimpseStats.state = peer.connectionState;
            if (peer.connectionState === "connected") retry = 1000;
            if (peer.connectionState === "failed") reconnect("connection failed");
          };
          pc = peer;
          return peer;
        }

        async function onMessage(message) {
          switch (message.type) {
            case "joined":
              viewerID = message.viewerID;
              show("waiting for the sharer…");
              break;
            case "offer": {
              const peer = newPeer();
              await peer.setRemoteDescription({ type: "offer", sdp: message.sdp });
              const answer = await peer.createAnswer();
              await peer.setLocalDescription(answer);
              send({ type: "answer", viewerID, sdp: peer.localDescription.sdp });
              show("connecting…");
              break;
            }
            case "candidate":
              if (pc) await pc.addIceCandidate({ candidate: message.candidate, sdpMid: message.sdpMid, sdpMLineIndex: message.sdpMLineIndex });
              break;
            case "endOfCandidates":
              if (pc) await pc.addIceCandidate(null).catch(() => {});
              break;
            case "sessionEnded":
              ended = true;
              closePeer();
              show("the sharer ended the session");
              window.glimpseStats.state = "ended";
              break;
            case "error":
              show("error: " + message.message);
              if (message.code === "unknownSession" || message.code === "wrongToken") ended = true;
              break;
          }
        }

        function connect() {
          const scheme = location.protocol === "https:" ? "wss://" : "ws://";
          socket = new WebSocket(scheme + location.host + "/ws");
          socket.onopen = () => send({ type: "join", sessionID, joinToken, viewerName: "Browser" });
          socket.onmessage = event => onMessage(JSON.parse(event.data)).catch(error => show("error: " + error));
          socket.onclose = () => reconnect("signalling lost");
        }

        async function report() {
          if (!pc) return;
          const stats = await pc.getStats();
          let inbound = null;
          stats.forEach(entry => { if (entry.type === "inbound-rtp" && entry.kind === "video") inbound = entry; });
          const s = window.glimpseStats;
          s.state = pc.connectionState;
          if (inbound) {
            s.framesDecoded = inbound.framesDecoded || 0;
            s.width = inbound.frameWidth || 0;
            s.height = inbound.frameHeight || 0;
            s.framesPerSecond = inbound.framesPerSecond || 0;
          }
          if (video.videoWidth > 0) {
            // The centre of the picture, scaled into a small canvas.
            sample.drawImage(video, video.videoWidth / 2 - 8, video.videoHeight / 2 - 8, 16, 16, 0, 0, 16, 16);
            const [r, g, b] = sample.getImageData(8, 8, 1, 1).data;
            s.sampledColour = "#" + [r, g, b].map(x => x.toString(16).padStart(2, "0")).join("");
          }
          show(s.state === "connected" ? `connected · ${s.width}×${s.height} · ${Math.round(s.framesPerSecond)} fps` : s.state + "…");
          send({ type: "viewerReport", viewerID, state: s.state, framesDecoded: s.framesDecoded, width: s.width, height: s.height,
                 framesPerSecond: s.framesPerSecond, sampledColour: s.sampledColour });
        }

        setInterval(() => report().catch(() => {}), 1000);
        if (!sessionID || !joinToken) { show("this link has no session or token"); } else { connect(); }
        </script></body></html>
        """#

    /// Live View: every session in a table, updated from `/api/events`; a click opens the viewer.
    static let liveView = #"""
        <!doctype html>
        <html><head><meta charset="utf-8"><title>Glimpse · Live View</title>
        <style>
          body { font: 14px system-ui, sans-serif; margin: 16px; }
          table { border-collapse: collapse; width: 100%; }
          th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #ddd; vertical-align: top; }
          tbody tr { cursor: pointer; }
          tbody tr:hover { background: #f4f4f4; }
          .dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; }
          .green { background: #2a2; } .blue { background: #36c; } .grey { background: #999; }
          #updated { color: #777; }
        </style></head>
        <body><h1>Live View</h1><p id="updated">connecting…</p>
        <table><thead><tr><th></th><th>session</th><th>name</th><th>device</th><th>location</th><th>viewers</th>
        <th>duration</th><th>resolution</th><th>fps</th><th>bitrate</th></tr></thead><tbody id="rows"></tbody></table>
        <script>
        "use strict";
        const rows = document.getElementById("rows");
        const updated = document.getElementById("updated");
        window.liveRows = [];

        function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }
        function duration(seconds) {
          const h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
          return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s).padStart(2, "0");
        }
        function viewers(list) {
          return list.map(v => v.name + " (" + v.state + (v.rttMilliseconds != null ? ", " + Math.round(v.rttMilliseconds) + " ms" : "")
            + (v.lossFraction != null ? ", " + (v.lossFraction * 100).toFixed(1) + " % loss" : "") + ")").join(", ") || "—";
        }
        function render(sessions) {
          window.liveRows = sessions;
          rows.replaceChildren(...sessions.map(s => {
            const tr = document.createElement("tr");
            tr.dataset.session = s.sessionID;
            tr.className = "status-" + s.status;
            const dot = document.createElement("td");
            dot.innerHTML = '<span class="dot ' + s.status + '"></span>';
            tr.append(dot, cell(s.sessionID), cell(s.name),
              cell(s.device.os + " · " + s.device.hostName + " · " + s.device.screenResolution + " · " + s.device.clientKind),
              cell(s.location.label), cell(viewers(s.viewers)), cell(duration(s.durationSeconds)),
              cell(s.width ? s.width + "×" + s.height : "—"), cell(s.framesPerSecond != null ? s.framesPerSecond.toFixed(0) : "—"),
              cell(s.bitsPerSecond != null ? (s.bitsPerSecond / 1000).toFixed(0) + " kbit/s" : "—"));
            // A browser that blocks the new tab gets the viewer in this one instead of nothing.
            tr.onclick = () => { if (!window.open(s.joinURL, "_blank")) location.href = s.joinURL; };
            return tr;
          }));
          updated.textContent = sessions.length + " session(s) · updated " + new Date().toLocaleTimeString();
        }
        const events = new EventSource("/api/events" + location.search);
        events.onmessage = event => render(JSON.parse(event.data));
        events.onerror = () => { updated.textContent = "disconnected — retrying…"; };
        </script></body></html>
        """#
}
