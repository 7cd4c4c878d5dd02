import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Wraps the HTTP/WebSocket child channel so that a connection which has not had a complete request
/// answered within `timeout` of being accepted is closed. Hummingbird's own idle timeout starts only
/// once a request head has been parsed, so a client that sends half a request (or nothing) would
/// otherwise hold its socket forever.
struct RequestDeadlineChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let timeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(RequestDeadlineHandler(timeout: timeout))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Sits below the HTTP codec: the first bytes the server writes (a response head, or the WebSocket
/// upgrade's 101) mean a whole request arrived, which lifts the deadline.
private final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) { loopBound.value.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { lift() }

    func channelInactive(context: ChannelHandlerContext) {
        lift()
        context.fireChannelInactive()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lift()
        context.write(data, promise: promise)
    }

    private func lift() {
        deadline?.cancel()
        deadline = nil
    }
}
