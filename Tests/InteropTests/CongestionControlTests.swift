import Foundation
import Testing
import TestSupport

/// Congestion control on a real bottleneck: the sharer's link is shaped to 2 Mbit/s with a token bucket
/// (`tc tbf`, which this kernel has even where netem is missing) while it shares incompressible noise at up
/// to 4 Mbit/s. Loss in the viewer's reception reports must bring the encoded bitrate under the link, and
/// lifting the limit must let it climb again.
@Suite(.serialized, .enabled(if: Namespaces.permitted && FileManager.default.isExecutableFile(atPath: "/usr/bin/Xvfb")
                             && FileManager.default.isExecutableFile(atPath: "/usr/sbin/tc"),
                             "needs root (network namespaces), Xvfb and tc: run Tools/setup as root"))
struct CongestionControlTests {
    /// The `N kbit/s` of each status line `glimpse share` wrote to stderr so far.
    static func bitrates(_ sharer: LineProcess) -> [Int] {
        sharer.errorOutput.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("viewers 1"), let range = line.range(of: #"(\d+) kbit/s"#, options: .regularExpression) else { return nil }
            return Int(line[range].split(separator: " ")[0])
        }
    }

    /// Chromium's feedback (reception reports and REMB) drives the same controller: with a browser viewer
    /// behind the 2 Mbit/s bottleneck the sharer also comes down under it.
    @Test(.enabled(if: BrowserHarness.ready, "needs chromium and python3 with websockets"))
    func chromiumFeedbackBringsTheSharerUnderTheLink() async throws {
        let harness = try await BrowserHarness()
        defer { harness.stop() }
        let link = try await EndToEndTests.share(on: harness, noise: true, bitrate: 4_000_000)
        let sharer = try #require(harness.lastSharer)
        let page = try harness.probe(url: link, until: "window.glimpseStats && window.glimpseStats.framesDecoded > 10")
        _ = try await page.next("", timeout: .seconds(60))
        try await harness.spaces.exec(harness.spaces.names[0], "tc", "qdisc", "add", "dev", "eth0", "root", "tbf", "rate", "2mbit",
                                      "burst", "32kbit", "latency", "100ms")
        let shapedFrom = Self.bitrates(sharer).count
        try await Task.sleep(for: .seconds(20))
        let shaped = Array(Self.bitrates(sharer)[shapedFrom...])
        print("congestion chromium shaped_kbps=\(shaped)")
        let settled = shaped.suffix(5)
        #expect(settled.count == 5 && settled.reduce(0, +) / settled.count < 2000, "shaped: \(shaped)")
    }

    @Test func sharerSettlesUnderATwoMegabitLinkAndRisesWhenItClears() async throws {
        let spaces = try await Namespaces.twoHosts()
        var processes: [LineProcess] = []
        defer {
            for process in processes.reversed() { process.kill() }
            spaces.remove()
        }
        let xvfb = try Xvfb(width: 1024, height: 768)
        let display = xvfb.display
        let server = try spaces.spawn(in: 0, [glimpseExecutable, "serve", "--host", "10.0.0.1", "--http-port", "8080", "--stun-port", "3478"])
        processes.append(server)
        _ = try await server.next("listening", timeout: .seconds(20))
        let pattern = try spaces.spawn(in: 0, [glimpseExecutable, "test-pattern", "--display", display, "--noise", "--fps", "15"])
        processes.append(pattern)
        _ = try await pattern.next("window ", timeout: .seconds(10))
        let sharer = try spaces.spawn(in: 0, [glimpseExecutable, "share", "--server", "http://10.0.0.1:8080", "--display", display,
                                              "--window", "Glimpse test pattern", "--fps", "15", "--bitrate", "4000000"])
        processes.append(sharer)
        let link = try await sharer.next("link ", timeout: .seconds(20))
        let viewer = try spaces.spawn(in: 1, [glimpseExecutable, "view", link, "--frames", "100000"])
        processes.append(viewer)
        _ = try await viewer.next("state connected", timeout: .seconds(30))

        // Unlimited first: the encoder reaches far beyond 2 Mbit/s.
        try await Task.sleep(for: .seconds(6))
        let free = Self.bitrates(sharer).suffix(3)
        // Then a 2 Mbit/s bottleneck on the sharer's side of the link.
        try await spaces.exec(spaces.names[0], "tc", "qdisc", "add", "dev", "eth0", "root", "tbf", "rate", "2mbit",
                              "burst", "32kbit", "latency", "100ms")
        let shapedFrom = Self.bitrates(sharer).count
        try await Task.sleep(for: .seconds(20))
        let shaped = Array(Self.bitrates(sharer)[shapedFrom...])
        // And the bottleneck goes away.
        try await spaces.exec(spaces.names[0], "tc", "qdisc", "del", "dev", "eth0", "root")
        let clearedFrom = Self.bitrates(sharer).count
        try await Task.sleep(for: .seconds(25))
        let cleared = Array(Self.bitrates(sharer)[clearedFrom...])
        withExtendedLifetime(xvfb) {}

        print("congestion free_kbps=\(Array(free)) shaped_kbps=\(shaped) cleared_kbps=\(cleared)")
        #expect(free.allSatisfy { $0 > 2500 }, "the noise should load the encoder beyond the link: \(free)")
        // Settled: the last five seconds under the link rate (encoder overshoot allowed for single seconds).
        let settled = shaped.suffix(5)
        #expect(settled.count == 5 && settled.reduce(0, +) / settled.count < 2000, "shaped: \(shaped)")
        // Rising again: the last seconds above what the shaped link allowed.
        #expect((cleared.suffix(3).max() ?? 0) > 2000, "cleared: \(cleared)")
        #expect(!viewer.output.contains("ended"))
    }
}
