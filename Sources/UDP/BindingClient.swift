import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import STUN

/// Errors of a Binding transaction run on a socket.
public enum BindingClientError: Error, Equatable, Sendable {
    /// No response after every retransmission (RFC 8489 §6.2.1).
    case timedOut
    /// The server answered with an error response.
    case errorResponse(ErrorCode)
    /// A success response without XOR-MAPPED-ADDRESS (or MAPPED-ADDRESS).
    case noMappedAddress
}

/// Asks a STUN server which address it sees this host's socket as (the server-reflexive address),
/// running a ``ClientTransaction`` with its retransmissions on a fresh UDP socket.
public enum BindingClient {
    /// Sends a Binding request from `local` to `server` and returns the mapped address.
    /// - Parameters:
    ///   - local: where to bind; the wildcard address of the server's family by default.
    ///   - rto: initial retransmission timeout (RFC 8489 recommends 500 ms).
    ///   - maxTransmissions: Rc.
    public static func mappedAddress(from local: TransportAddress? = nil, server: TransportAddress,
                                     rto: Duration = .milliseconds(500), maxTransmissions: Int = 7,
                                     group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton)
        async throws -> TransportAddress {
        let request = Message(method: .binding, class: .request)
        let run = Run(transaction: ClientTransaction(request: request.encode(fingerprint: true), transactionID: request.transactionID,
                                                     now: .now, rto: rto, maxTransmissions: maxTransmissions))
        let wildcard = TransportAddress(ip: .unspecified(ipv4: server.ip.isIPv4), port: 0)
        let endpoint = try await UDPEndpoint.bind(to: local ?? wildcard, group: group) { datagram, source in
            guard source == server, let response = try? Message(parsing: datagram) else { return }
            run.received(response)
        }
        defer { Task { await endpoint.close() } }
        return try await withCheckedThrowingContinuation { continuation in
            run.start(on: endpoint, to: server, continuation: continuation)
        }
    }

    /// The transaction and its caller, shared between the socket's handler and its timers.
    private final class Run: Sendable {
        private struct State {
            var transaction: ClientTransaction
            var continuation: CheckedContinuation<TransportAddress, any Error>?
        }

        private let state: NIOLockedValueBox<State>

        init(transaction: ClientTransaction) {
            state = NIOLockedValueBox(State(transaction: transaction))
        }

        func start(on endpoint: UDPEndpoint, to server: TransportAddress, continuation: CheckedContinuation<TransportAddress, any Error>) {
            let request = state.withLockedValue { state in
                state.continuation = continuation
                return state.transaction.request
            }
            endpoint.send(request, to: server)
            armTimer(on: endpoint, to: server)
        }

        func received(_ response: Message) {
            let result: Result<TransportAddress, BindingClientError>? = state.withLockedValue { state in
                guard state.transaction.handleResponse(response, at: .now) else { return nil }
                if response.messageClass == .errorResponse {
                    return .failure(.errorResponse(response.errorCode ?? .badRequest))
                }
                guard let mapped = response.xorMappedAddress ?? response.mappedAddress else { return .failure(.noMappedAddress) }
                return .success(mapped)
            }
            if let result { finish(result) }
        }

        private func armTimer(on endpoint: UDPEndpoint, to server: TransportAddress) {
            guard let deadline = state.withLockedValue({ $0.transaction.deadline }) else { return }
            endpoint.schedule(at: deadline) { [self] in
                let action = state.withLockedValue { $0.transaction.handleTimeout(at: .now) }
                switch action {
                case .retransmit(let request)?:
                    endpoint.send(request, to: server)
                    armTimer(on: endpoint, to: server)
                case .timedOut?:
                    finish(.failure(.timedOut))
                case nil:
                    armTimer(on: endpoint, to: server)
                }
            }
        }

        private func finish(_ result: Result<TransportAddress, BindingClientError>) {
            let continuation = state.withLockedValue { state in
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(with: result.mapError { $0 })
        }
    }
}
