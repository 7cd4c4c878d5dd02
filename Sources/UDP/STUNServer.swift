import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import STUN

/// A STUN Binding server on real UDP sockets: ``BindingServer`` driven by one ``UDPEndpoint`` per
/// listening address (typically one IPv4 and one IPv6 wildcard address).
public final class STUNServer: Sendable {
    /// The bound sockets' addresses, with the ports the kernel chose for port 0.
    public var localAddresses: [TransportAddress] { endpoints.withLockedValue { $0.map(\.localAddress) } }

    /// What the server did with the datagrams it received.
    public var counters: BindingServer.Counters { server.withLockedValue { $0.counters } }

    private let server: NIOLockedValueBox<BindingServer>
    private let endpoints = NIOLockedValueBox<[UDPEndpoint]>([])

    private init(software: String?) {
        server = NIOLockedValueBox(BindingServer(software: software))
    }

    /// Binds every address and starts answering.
    /// - Parameters:
    ///   - addresses: where to listen; port 0 picks a free port per address.
    ///   - software: the SOFTWARE value of responses.
    public static func start(on addresses: [TransportAddress], software: String? = "glimpse",
                             group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> STUNServer {
        let stunServer = STUNServer(software: software)
        do {
            for address in addresses {
                // The handler needs the endpoint to answer through, which exists only once bound; a
                // request that arrives in between goes unanswered and the client retransmits.
                let bound = NIOLockedValueBox<UDPEndpoint?>(nil)
                let endpoint = try await UDPEndpoint.bind(to: address, group: group) { [weak stunServer] datagram, source in
                    guard let stunServer, let endpoint = bound.withLockedValue({ $0 }) else { return }
                    stunServer.answer(datagram, from: source, on: endpoint)
                }
                bound.withLockedValue { $0 = endpoint }
                stunServer.endpoints.withLockedValue { $0.append(endpoint) }
            }
        } catch {
            await stunServer.close()
            throw error
        }
        return stunServer
    }

    /// Stops answering and closes the sockets.
    public func close() async {
        for endpoint in endpoints.withLockedValue({ $0 }) { await endpoint.close() }
    }

    private func answer(_ datagram: [UInt8], from source: TransportAddress, on endpoint: UDPEndpoint) {
        guard let response = server.withLockedValue({ $0.respond(to: datagram, from: source) }) else { return }
        endpoint.send(response, to: source)
    }
}
