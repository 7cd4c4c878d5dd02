import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import Signalling

/// The HTTP side of the server: pages, Live View's API and event stream, and the WebSocket reader
/// that turns frames into whole messages for the ``Hub``.
struct Routes: Sendable {
    let hub: Hub
    let store: any SessionStore
    let configuration: RendezvousConfiguration
    let stunPort: UInt16?
    let publicURL: PublicURL

    /// The cookie `/live?token=…` sets, so the page's own requests carry the operator token.
    static let cookieName = "glimpse_operator"

    func router() -> Router<RendezvousContext> {
        let router = Router(context: RendezvousContext.self)
        router.get("/") { _, _ in
            html(Pages.index)
        }
        router.get("/s/:id") { _, _ in viewerPage() }
        router.get("/join/:id") { _, _ in viewerPage() }
        router.get("/live") { request, _ in
            if let refusal = authorize(request) { return refusal }
            var response = html(Pages.liveView)
            // A token with characters a cookie cannot hold still works: the page passes its query on.
            if let token = request.uri.queryParameters["token"].map(String.init),
               let cookie = try? Cookie.validated(name: Self.cookieName, value: token, path: "/",
                                                  secure: configuration.tlsCertificatePath != nil, httpOnly: true, sameSite: .strict) {
                response.setCookie(cookie)
            }
            return response
        }
        router.get("/api/sessions") { request, _ in
            if let refusal = authorize(request) { return refusal }
            return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(data: try await rowsJSON().json)))
        }
        router.get("/api/events") { request, _ in
            if let refusal = authorize(request) { return refusal }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                            body: ResponseBody { writer in try await streamEvents(&writer) })
        }
        return router
    }

    // MARK: - WebSocket

    /// Reads whole text messages (reassembling continuation frames) and hands them to the hub, while
    /// a second task writes what the hub queued for this connection.
    func serveWebSocket(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, address: SocketAddress?) async {
        // Bounded: a client that stops reading loses its oldest-queued replies past this, not the server's memory.
        let (outbox, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let id = await hub.open(outbox: continuation, address: address?.ipAddress)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in outbox {
                    do { try await outbound.write(.text(text)) } catch { break }
                }
            }
            await readMessages(inbound, connection: id)
            await hub.close(id)
        }
    }

    private func readMessages(_ inbound: WebSocketInboundStream, connection id: Hub.ConnectionID) async {
        let limit = configuration.limits.maxMessageBytes
        var message = ByteBuffer()
        var isText = true
        var oversized = false
        do {
            for try await frame in inbound {
                if frame.opcode != .continuation {
                    message.clear()
                    isText = frame.opcode == .text
                    oversized = false
                }
                if !oversized {
                    if message.readableBytes + frame.data.readableBytes > limit {
                        oversized = true
                        message.clear()
                    } else {
                        var data = frame.data
                        message.writeBuffer(&data)
                    }
                }
                guard frame.fin else { continue }
                if oversized {
                    await hub.refuse(id, code: .tooLarge, message: "messages are limited to \(limit) bytes")
                } else if !isText {
                    await hub.refuse(id, code: .malformed, message: "signalling messages are JSON text frames, not binary")
                } else if let text = String(validating: message.readableBytesView, as: UTF8.self) {
                    await hub.receive(text, from: id)
                } else {
                    await hub.refuse(id, code: .invalidUTF8, message: "text frame is not valid UTF-8")
                }
                message.clear()
            }
        } catch {
            // A protocol error or a frame beyond the WebSocket layer's limit: that layer closes.
        }
    }

    // MARK: - Pages

    private func viewerPage() -> Response {
        let config = #"{"stunPort":\#(stunPort.map(String.init) ?? "null")}"#
        return html(Pages.viewer.replacingOccurrences(of: "__GLIMPSE_CONFIG__", with: config))
    }

    private func html(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: - Live View

    /// nil when the request carries the operator token (bearer header, cookie, or `token` query);
    /// otherwise the refusal. Without a configured token Live View does not exist.
    private func authorize(_ request: Request) -> Response? {
        guard let expected = configuration.operatorToken, !expected.isEmpty else {
            return plain(.notFound, "Live View is disabled: start the server with --operator-token\n")
        }
        var offered: [String] = []
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") { offered.append(String(header.dropFirst(7))) }
        if let cookie = request.cookies[Self.cookieName] { offered.append(cookie.value) }
        if let query = request.uri.queryParameters["token"] { offered.append(String(query)) }
        if offered.contains(where: { Secret.equal($0, expected) }) { return nil }
        var refusal = plain(.unauthorized, "operator token required\n")
        refusal.headers[.wwwAuthenticate] = #"Bearer realm="glimpse live view""#
        return refusal
    }

    private func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func rowsJSON() async throws -> (version: Int, json: Data) {
        let (version, sessions) = await store.snapshot()
        let now = Date()
        let url = publicURL.description
        let rows = sessions.map { LiveViewRow($0, now: now, publicURL: url, geolocator: configuration.geolocator) }
        return (version, try Self.encoder.encode(rows))
    }

    /// Server-sent events: one `data:` line with every row, soon after a change (events at most
    /// every `liveViewInterval`, changes looked for every 50 ms) and at least once a second, until
    /// the client goes away.
    private func streamEvents(_ writer: inout any ResponseBodyWriter) async throws {
        let interval = configuration.liveViewInterval
        var sentVersion = -1
        var sentAt = ContinuousClock.now - .seconds(10)
        while !Task.isCancelled {
            let now = ContinuousClock.now
            var due = now - sentAt >= .seconds(1)
            if !due && now - sentAt >= interval { due = await store.version() != sentVersion }
            if due {
                sentAt = now
                let (current, json) = try await rowsJSON()
                var event = ByteBuffer(string: "data: ")
                event.writeBytes(json)
                event.writeString("\n\n")
                try await writer.write(event)
                sentVersion = current
            }
            try await Task.sleep(for: min(interval, .milliseconds(50)))
        }
        try await writer.finish(nil)
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
