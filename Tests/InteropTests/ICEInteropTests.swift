import Foundation
import TestSupport
import Testing

/// Forwards the signalling lines (`credentials`, `candidate`, `end-of-candidates`) each ICE peer
/// prints to the other peer, as a rendezvous server would, until cancelled.
func relaySignalling(between a: LineProcess, and b: LineProcess) -> Task<Void, Never> {
    Task {
        var forwarded = [0, 0]
        let peers = [a, b]
        while !Task.isCancelled {
            for (i, peer) in peers.enumerated() {
                let lines = peer.output
                for line in lines[forwarded[i]...]
                where line.hasPrefix("credentials ") || line.hasPrefix("candidate ") || line == "end-of-candidates" {
                    try? peers[1 - i].send(line)
                }
                forwarded[i] = lines.count
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// Connects two line-speaking ICE peers, then checks data passes both ways over the selected pair.
func expectConnectedWithData(_ a: LineProcess, _ b: LineProcess) async throws {
    #expect(try await a.next("state ", timeout: .seconds(30)) { $0 == "connected" } == "connected")
    #expect(try await b.next("state ", timeout: .seconds(30)) { $0 == "connected" } == "connected")
    try a.send("send ping")
    try b.send("send pong")
    #expect(try await b.next("data ") == "ping")
    #expect(try await a.next("data ") == "pong")
}

extension LineProcess {
    /// The next line starting with `prefix` whose remainder satisfies `predicate`, without the prefix.
    func next(_ prefix: String, timeout: Duration = .seconds(20), where predicate: (String) -> Bool) async throws -> String {
        String(try await next(timeout: timeout) { $0.hasPrefix(prefix) && predicate(String($0.dropFirst(prefix.count))) }
            .dropFirst(prefix.count))
    }
}

@Suite(.serialized) struct ICEInteropTests {
    static let aioicePeer = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Tools/interop/aioice_peer.py").standardized.path

    /// Glimpse and aioice (PyPI), an implementation we did not write, over loopback in both roles.
    @Test(.enabled(if: LineProcess.pythonCanImport("aioice"), "python3 cannot import aioice: run Tools/setup"),
          arguments: ["controlling", "controlled"])
    func glimpseConnectsToAioice(glimpseRole: String) async throws {
        let theirRole = glimpseRole == "controlling" ? "controlled" : "controlling"
        let glimpse = try LineProcess([glimpseExecutable, "ice", "--role", glimpseRole, "--address", "127.0.0.1"])
        let aioice = try LineProcess(["python3", Self.aioicePeer, "--role", theirRole, "--address", "127.0.0.1"])
        let relay = relaySignalling(between: glimpse, and: aioice)
        defer { relay.cancel() }
        try await expectConnectedWithData(glimpse, aioice)
        let selected = try #require(glimpse.firstLine("selected "))
        #expect(selected.hasPrefix("127.0.0.1:"))
        await glimpse.finish()
        await aioice.finish()
    }

    /// Two Glimpse processes on two network stacks joined by a veth link.
    @Test(.enabled(if: Namespaces.permitted, "cannot create network namespaces (needs root)"))
    func twoNamespacesConnect() async throws {
        let spaces = try await Namespaces.twoHosts()
        defer { spaces.remove() }
        let a = try spaces.spawn(in: 0, [glimpseExecutable, "ice", "--role", "controlling"])
        let b = try spaces.spawn(in: 1, [glimpseExecutable, "ice", "--role", "controlled"])
        let relay = relaySignalling(between: a, and: b)
        defer { relay.cancel() }
        try await expectConnectedWithData(a, b)
        #expect(a.firstLine("selected ") == "10.0.0.1:\(try await port(of: a, "10.0.0.1")) 10.0.0.2:\(try await port(of: b, "10.0.0.2"))")
        await a.finish()
        await b.finish()
    }

    /// A peer behind a NAT learns its server-reflexive address from a STUN server (ours or coturn)
    /// and connects to a peer on the public side, which can reach it only through the mapping.
    @Test(.enabled(if: Namespaces.permitted && Namespaces.hasNFTables, "needs root and nftables for the NAT"),
          arguments: ["glimpse", "coturn"])
    func peerBehindNATConnectsThroughItsServerReflexiveCandidate(server: String) async throws {
        let spaces = try await Namespaces.natted()
        defer { spaces.remove() }
        let stun = try spaces.spawn(in: 2, server == "glimpse"
            ? [glimpseExecutable, "stun-server", "--host", "10.0.2.2", "--port", "3478"]
            : Coturn.command(ip: "10.0.2.2", port: 3478))
        defer { stun.kill() }
        let inside = try spaces.spawn(in: 0, [glimpseExecutable, "ice", "--role", "controlling", "--stun", "10.0.2.2:3478"])
        let outside = try spaces.spawn(in: 2, [glimpseExecutable, "ice", "--role", "controlled"])
        let relay = relaySignalling(between: inside, and: outside)
        defer { relay.cancel() }
        let srflx = String(try await inside.anyLine(timeout: .seconds(15)) { $0.hasPrefix("candidate ") && $0.contains("typ srflx") }
            .dropFirst("candidate ".count))
        #expect(srflx.contains(" 10.0.2.1 "))
        #expect(srflx.contains("raddr 10.0.1.2"))
        try await expectConnectedWithData(inside, outside)
        #expect(try #require(outside.firstLine("selected ")).hasSuffix(" 10.0.2.1:" + srflx.split(separator: " ")[5]))
        await inside.finish()
        await outside.finish()
    }

    /// Consent freshness on real sockets: the peer is killed and the survivor notices within the timeout.
    @Test(.enabled(if: Namespaces.permitted, "cannot create network namespaces (needs root)"))
    func killedPeerIsDetectedByConsentFreshness() async throws {
        let spaces = try await Namespaces.twoHosts()
        defer { spaces.remove() }
        let a = try spaces.spawn(in: 0, [glimpseExecutable, "ice", "--role", "controlling", "--consent-timeout", "3"])
        let b = try spaces.spawn(in: 1, [glimpseExecutable, "ice", "--role", "controlled", "--consent-timeout", "3"])
        let relay = relaySignalling(between: a, and: b)
        defer { relay.cancel() }
        try await expectConnectedWithData(a, b)
        b.kill()
        let killed = ContinuousClock.now
        #expect(try await a.next("state ", timeout: .seconds(10)) { $0 == "failed" } == "failed")
        #expect(ContinuousClock.now - killed < .seconds(5))
        #expect(a.output.contains("state disconnected"))
        await a.finish()
    }

    /// The port a glimpse peer's host candidate on `ip` uses, from its printed candidates.
    private func port(of peer: LineProcess, _ ip: String) async throws -> String {
        let line = try #require(peer.output.first { $0.hasPrefix("candidate ") && $0.contains(" \(ip) ") && $0.contains("typ host") })
        return String(line.split(separator: " ")[6])
    }
}
