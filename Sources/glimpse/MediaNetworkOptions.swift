import ArgumentParser
import Foundation
import ICE
import STUN

/// Where `share` and `view` send media from, and which STUN server tells them their public address.
struct MediaNetworkOptions: ParsableArguments {
    @Option(help: "STUN server HOST:PORT for a public (server-reflexive) address (repeatable; IPv6 as [::1]:3478); default: the rendezvous host on port 3478.")
    var stun: [String] = []

    @Option(help: "Local IP address for media (repeatable); default: every usable interface.")
    var address: [String] = []

    /// The ICE configuration: the given STUN servers, else the rendezvous server's own (when its URL names an IP).
    func iceConfiguration(rendezvous url: String) throws -> ICEConfiguration {
        var servers = try stun.map { text in
            guard let server = TransportAddress(hostPort: text) else { throw ValidationError("'\(text)' is not HOST:PORT") }
            return server
        }
        if servers.isEmpty, let host = URLComponents(string: url)?.host?.trimmingCharacters(in: CharacterSet(charactersIn: "[]")),
           let server = TransportAddress(host, port: 3478) {
            servers = [server]
        }
        return ICEConfiguration(stunServers: servers)
    }

    /// The local IPs to gather on; nil for every usable interface.
    func addresses() throws -> [IPAddress]? {
        guard !address.isEmpty else { return nil }
        return try address.map { text in
            guard let ip = IPAddress(text) else { throw ValidationError("'\(text)' is not an IP address") }
            return ip
        }
    }
}
