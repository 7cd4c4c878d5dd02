import Foundation
import HummingbirdWSClient
import Logging
import NIOSSL
import Signalling

/// A signalling connection to the rendezvous server's `/ws` endpoint over WebSocket, for the native
/// `glimpse share` and `glimpse view`: send ``Message``s, read the server's as an async sequence.
///
///     let client = try await SignallingClient.connect(to: "ws://rendezvous.example:8080/ws")
///     try await client.send(.createSession(CreateSession(displayName: "Ana", device: device)))
///     for await message in client.messages { … }
public final class SignallingClient: Sendable {
    /// What the server sends, in order; finishes when the connection closes.
    public let messages: AsyncStream<Message>

    private let writer: WebSocketOutboundWriter
    private let connection: Task<Void, Never>

    private init(messages: AsyncStream<Message>, writer: WebSocketOutboundWriter, connection: Task<Void, Never>) {
        self.messages = messages
        self.writer = writer
        self.connection = connection
    }

    /// Opens the WebSocket and returns once the upgrade succeeded.
    /// - Parameters:
    ///   - url: `ws://host:port/ws` or `wss://…`.
    ///   - maxFrameSize: the largest frame either side may send (an SDP offer fits in the default).
    ///   - tlsConfiguration: for `wss://`; the default trusts the system's certificate authorities.
    public static func connect(to url: String, maxFrameSize: Int = 1 << 16, tlsConfiguration: TLSConfiguration? = nil,
                               logger: Logger = Logger(label: "glimpse.signalling")) async throws -> SignallingClient {
        let (messages, inbound) = AsyncStream<Message>.makeStream()
        let (opened, open) = AsyncThrowingStream<WebSocketOutboundWriter, any Error>.makeStream()
        let connection = Task {
            do {
                try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: maxFrameSize),
                                                 tlsConfiguration: tlsConfiguration, logger: logger) { frames, writer, _ in
                    open.yield(writer)
                    for try await message in frames.messages(maxSize: maxFrameSize) {
                        guard case .text(let text) = message else { continue }
                        do {
                            inbound.yield(try Message(parsing: text))
                        } catch {
                            logger.warning("unreadable signalling message", metadata: ["error": "\(error)"])
                        }
                    }
                }
                open.finish()
            } catch {
                open.finish(throwing: error)
            }
            inbound.finish()
        }
        var iterator = opened.makeAsyncIterator()
        guard let writer = try await iterator.next() else { throw SignallingClientError.closedBeforeOpening }
        return SignallingClient(messages: messages, writer: writer, connection: connection)
    }

    /// Sends one message as a text frame.
    public func send(_ message: Message) async throws {
        try await writer.write(.text(message.encoded))
    }

    /// Sends any text as one frame: for diagnostics and for testing how a server treats bad input.
    public func send(text: String) async throws {
        try await writer.write(.text(text))
    }

    /// Closes the connection (normal closure) and waits until it is down.
    public func close() async {
        try? await writer.close(.normalClosure, reason: nil)
        await connection.value
    }
}

public enum SignallingClientError: Error, Sendable {
    /// The server accepted the upgrade and closed at once.
    case closedBeforeOpening
}
