import ArgumentParser
import Logging
import STUN
import UDP

/// `glimpse stun-server`: answers STUN Binding requests so peers learn their public address.
struct STUNServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stun-server",
        abstract: "Run a STUN binding server (RFC 8489) on UDP.",
        discussion: "Example: glimpse stun-server --port 3478   (listens on 0.0.0.0 and :: unless --host is given)"
    )

    @Option(help: "UDP port to listen on.")
    var port: UInt16 = 3478

    @Option(help: "Address to listen on (repeatable); default: every IPv4 and IPv6 interface.")
    var host: [String] = []

    func run() async throws {
        let logger = Logger(label: "glimpse.stun-server")
        let hosts = host.isEmpty ? ["0.0.0.0", "::"] : host
        var addresses: [TransportAddress] = []
        for text in hosts {
            guard let address = TransportAddress(text, port: port) else {
                throw ValidationError("'\(text)' is not an IPv4 or IPv6 address")
            }
            addresses.append(address)
        }
        let server = try await STUNServer.start(on: addresses)
        logger.notice("STUN server listening", metadata: ["addresses": "\(server.localAddresses)"])
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
    }
}
