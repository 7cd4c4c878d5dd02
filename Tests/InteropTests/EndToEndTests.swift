import Foundation
import TestSupport
import Testing

/// The whole path, as a user runs it: Xvfb with `glimpse test-pattern`, `glimpse serve` and
/// `glimpse share` on one host (network namespace), the viewer on another — headless Chromium,
/// `glimpse view`, or aiortc. Each checks the four quadrant colours of the pattern it decoded.
@Suite(.serialized, .enabled(if: BrowserHarness.ready && FileManager.default.isExecutableFile(atPath: "/usr/bin/Xvfb"),
                             "needs root (network namespaces), Xvfb, chromium, and python3 with aiortc and websockets: run Tools/setup as root"))
struct EndToEndTests {
    /// Quadrant centres as fractions of the picture (below the timestamp strip and moving bar), and
    /// their colours: red, green, yellow, blue.
    static let points: [(Double, Double)] = [(0.25, 0.375), (0.75, 0.375), (0.25, 0.75), (0.75, 0.75)]
    static let colours: [(Int, Int, Int)] = [(255, 0, 0), (0, 255, 0), (255, 255, 0), (0, 0, 255)]

    /// Where tests leave what a person may want to look at (the browser screenshot).
    static let artifacts: URL = {
        let url = productsDirectory.appendingPathComponent("test-artifacts")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Within what VP8 at a screen-sharing bitrate and two YUV conversions leave of a flat colour.
    static func close(_ rgb: [Int], to expected: (Int, Int, Int)) -> Bool {
        rgb.count == 3 && abs(rgb[0] - expected.0) < 40 && abs(rgb[1] - expected.1) < 40 && abs(rgb[2] - expected.2) < 40
    }

    /// Starts Xvfb, the test pattern and `glimpse share` in namespace 0; returns the join link.
    static func share(on harness: BrowserHarness, width: Int = 640, height: Int = 360, fps: Int = 15, name: String = "Ana",
                      noise: Bool = false, bitrate: Int = 2_500_000) async throws -> String {
        // Xvfb listens on a Unix socket only, which every namespace sees; it picks a free display itself.
        let xvfb = try Xvfb()
        harness.displays.append(xvfb)
        let display = xvfb.display
        let pattern = try harness.spaces.spawn(in: 0, [glimpseExecutable, "test-pattern", "--display", display,
                                                       "--width", "\(width)", "--height", "\(height)", "--fps", "\(fps)"]
                                                       + (noise ? ["--noise"] : []))
        harness.track(pattern)
        harness.lastPattern = pattern
        _ = try await pattern.next("window ", timeout: .seconds(10))
        let sharer = try harness.spaces.spawn(in: 0, [glimpseExecutable, "share", "--server", "http://10.0.0.1:\(BrowserHarness.httpPort)",
                                                      "--display", display, "--window", "Glimpse test pattern", "--fps", "\(fps)",
                                                      "--name", name, "--bitrate", "\(bitrate)"])
        harness.track(sharer)
        harness.lastSharer = sharer
        return try await sharer.next("link ", timeout: .seconds(20))
    }

    @Test func browserViewerShowsTheSharedPattern() async throws {
        let harness = try await BrowserHarness()
        defer { harness.stop() }
        let link = try await Self.share(on: harness)
        let opened = ContinuousClock.now
        let page = try harness.probe(url: link, until: """
            (() => { const v = document.querySelector('video');
              if (!v || !v.videoWidth || !window.glimpseStats || window.glimpseStats.framesDecoded < 5) return false;
              const c = document.createElement('canvas'); c.width = v.videoWidth; c.height = v.videoHeight;
              const g = c.getContext('2d'); g.drawImage(v, 0, 0);
              const at = (fx, fy) => Array.from(g.getImageData(Math.floor(fx * c.width), Math.floor(fy * c.height), 1, 1).data.slice(0, 3));
              return JSON.stringify({width: v.videoWidth, height: v.videoHeight, frames: window.glimpseStats.framesDecoded,
                pixels: [\(Self.points.map { "at(\($0.0), \($0.1))" }.joined(separator: ", "))]}); })()
            """, screenshot: Self.artifacts.appendingPathComponent("browser-viewer.png").path)
        let seen = try json(try await page.next("", timeout: .seconds(60)))
        let stats = try json(try #require(seen["value"] as? String))
        print("e2e browser time_to_first_frames_ms \(Int((ContinuousClock.now - opened) / .milliseconds(1)))")
        #expect(stats["width"] as? Int == 640 && stats["height"] as? Int == 360)
        #expect((stats["frames"] as? Int ?? 0) >= 5)
        let pixels = try #require(stats["pixels"] as? [[Int]])
        for (pixel, colour) in zip(pixels, Self.colours) {
            #expect(Self.close(pixel, to: colour), "sampled \(pixel), expected \(colour)")
        }
    }

    @Test func nativeViewerAcrossNamespacesWritesMatchingSnapshots() async throws {
        let harness = try await BrowserHarness()
        defer { harness.stop() }
        let link = try await Self.share(on: harness)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("glimpse-view-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let viewer = try harness.spaces.spawn(in: 1, [glimpseExecutable, "view", link, "--output", directory,
                                                      "--snapshot-every", "10", "--frames", "21", "--name", "native"])
        harness.track(viewer)
        var snapshots: [String] = []
        for _ in 0..<3 { snapshots.append(try await viewer.next("snapshot ", timeout: .seconds(30))) }
        let last = try #require(snapshots.last?.split(separator: " "))
        #expect(last[1] == "640x360")
        let points = Self.points.map { "\(Int($0.0 * 640)),\(Int($0.1 * 360))" }
        let decoder = try LineProcess(["python3", BrowserHarness.script("png_pixels.py"), String(last[0])] + points)
        let decoded = try json(try await decoder.next("", timeout: .seconds(10)))
        #expect(decoded["width"] as? Int == 640)
        let pixels = try #require(decoded["pixels"] as? [[Int]])
        for (pixel, colour) in zip(pixels, Self.colours) {
            #expect(Self.close(pixel, to: colour), "sampled \(pixel), expected \(colour)")
        }
    }

    @Test func aiortcViewerDecodesOurStream() async throws {
        let harness = try await BrowserHarness()
        defer { harness.stop() }
        let link = try await Self.share(on: harness)
        let viewer = try harness.spaces.spawn(in: 1, ["python3", BrowserHarness.script("aiortc_viewer.py"), link, "--frames", "10"]
                                              + Self.points.flatMap { ["--point", "\($0.0),\($0.1)"] })
        harness.track(viewer)
        let result = try json(try await viewer.next(timeout: .seconds(60)) { $0.contains("\"frames\"") })
        #expect(result["width"] as? Int == 640 && result["height"] as? Int == 360)
        let pixels = try #require(result["pixels"] as? [[Int]])
        for (pixel, colour) in zip(pixels, Self.colours) {
            #expect(Self.close(pixel, to: colour), "sampled \(pixel), expected \(colour)")
        }
    }
}

func json(_ line: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
}

/// Measurements rather than tests (run by `Tools/latency-report`, which sets GLIMPSE_REPORTS=1): time from
/// opening the link to the first decoded frame in Chromium, and glass-to-glass latency — the age of the
/// test pattern's timestamp strip in each decoded frame — at 1920×1080 and 30 fps, for Chromium and
/// `glimpse view`. Prints `latency <viewer> p50_ms=… p99_ms=… frames=…` lines.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["GLIMPSE_REPORTS"] == "1" && BrowserHarness.ready,
                             "a measurement: run Tools/latency-report"))
struct LatencyReport {
    static func percentiles(_ values: [Int]) -> (p50: Int, p99: Int) {
        let sorted = values.sorted()
        return (sorted[sorted.count / 2], sorted[min(sorted.count - 1, sorted.count * 99 / 100)])
    }

    @Test func glassToGlass() async throws {
        let harness = try await BrowserHarness()
        defer { harness.stop() }
        let link = try await EndToEndTests.share(on: harness, width: 1920, height: 1080, fps: 30)
        let opened = ContinuousClock.now
        // Reads the strip at every presented frame for 10 s, then returns the ages in milliseconds.
        let page = try harness.probe(url: link, until: """
            (() => {
              const v = document.querySelector('video');
              if (!v || !v.videoWidth) return false;
              if (!window.glimpseLatency) {
                window.glimpseLatency = {first: Date.now(), ages: []};
                const c = document.createElement('canvas'); c.width = 32 * 16; c.height = 16;
                const g = c.getContext('2d', {willReadFrequently: true});
                const read = () => {
                  g.drawImage(v, 0, 0, 32 * 16, 16, 0, 0, 32 * 16, 16);
                  const d = g.getImageData(0, 0, 32 * 16, 16).data;
                  let value = 0;
                  for (let bit = 0; bit < 32; bit++) value = value * 2 + (d[(8 * 32 * 16 + bit * 16 + 8) * 4] > 128 ? 1 : 0);
                  window.glimpseLatency.ages.push((Date.now() % 4294967296) - value);
                  v.requestVideoFrameCallback(read);
                };
                v.requestVideoFrameCallback(read);
              }
              const l = window.glimpseLatency;
              return Date.now() - l.first > 10000 && JSON.stringify(l.ages.filter(a => a >= 0 && a < 10000));
            })()
            """)
        let value = try json(try await page.next("", timeout: .seconds(90)))
        let text = try #require(value["value"] as? String)
        let ages = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Int])
        let browser = Self.percentiles(ages)
        print("latency chromium_1080p30 p50_ms=\(browser.p50) p99_ms=\(browser.p99) frames=\(ages.count)"
              + " link_to_measured_ms=\(Int((ContinuousClock.now - opened) / .milliseconds(1)))")

        let viewer = try harness.spaces.spawn(in: 1, [glimpseExecutable, "view", link, "--latency", "--frames", "300"])
        harness.track(viewer)
        var native: [Int] = []
        while native.count < 280 { native.append(Int(try await viewer.next("latency_ms ", timeout: .seconds(30)))!) }
        let percentiles = Self.percentiles(native.suffix(250).filter { $0 >= 0 })
        print("latency glimpse_view_1080p30 p50_ms=\(percentiles.p50) p99_ms=\(percentiles.p99) frames=\(native.count)")
        #expect(!ages.isEmpty && !native.isEmpty)
    }
}

/// Live View with real sharers: `glimpse share` processes on their own Xvfb displays, one drawing
/// (active, green), one whose picture is frozen by stopping its test pattern (idle, blue); rows follow
/// idle → active when it resumes, and a sharer that is killed turns grey and leaves the list.
@Suite(.serialized, .enabled(if: BrowserHarness.ready && FileManager.default.isExecutableFile(atPath: "/usr/bin/Xvfb"),
                             "needs root (network namespaces), Xvfb, chromium, and python3 with aiortc and websockets: run Tools/setup as root"))
struct LiveViewEndToEndTests {
    /// `/api/sessions` as the operator sees it, fetched from inside the server's namespace.
    static func rows(_ harness: BrowserHarness) async throws -> [[String: Any]] {
        let fetch = try harness.spaces.spawn(in: 0, ["python3", "-c", """
            import urllib.request
            request = urllib.request.Request("http://10.0.0.1:\(BrowserHarness.httpPort)/api/sessions",
                                             headers={"Authorization": "Bearer \(BrowserHarness.operatorToken)"})
            print(urllib.request.urlopen(request, timeout=5).read().decode())
            """])
        let line = try await fetch.next(timeout: .seconds(10)) { $0.hasPrefix("[") }
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [[String: Any]])
    }

    static func waitForRows(_ harness: BrowserHarness, timeout: Duration = .seconds(30),
                            until predicate: ([[String: Any]]) -> Bool) async throws -> [[String: Any]] {
        let end = ContinuousClock.now + timeout
        var rows = try await Self.rows(harness)
        while !predicate(rows), ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(500))
            rows = try await Self.rows(harness)
        }
        return rows
    }

    static func status(_ rows: [[String: Any]], name: String) -> String? {
        rows.first { ($0["name"] as? String)?.contains(name) == true }?["status"] as? String
    }

    @Test func rowsFollowRealSharers() async throws {
        let harness = try await BrowserHarness()
        defer { harness.stop() }
        _ = try await EndToEndTests.share(on: harness, name: "Active Ana")
        let idleLink = try await EndToEndTests.share(on: harness, name: "Idle Ben")
        #expect(idleLink.contains("/s/"))
        let pattern = try #require(harness.lastPattern)
        pattern.signal(SIGSTOP)  // Ben's screen stops changing
        var rows = try await Self.waitForRows(harness) { Self.status($0, name: "Idle Ben") == "blue" && Self.status($0, name: "Active Ana") == "green" }
        #expect(Self.status(rows, name: "Active Ana") == "green")
        #expect(Self.status(rows, name: "Idle Ben") == "blue")
        let ana = try #require(rows.first { ($0["name"] as? String)?.contains("Active Ana") == true })
        #expect((ana["name"] as? String)?.contains("Glimpse test pattern") == true)
        #expect(ana["width"] as? Int == 640 && ana["height"] as? Int == 360)

        pattern.signal(SIGCONT)  // and changes again
        rows = try await Self.waitForRows(harness) { Self.status($0, name: "Idle Ben") == "green" }
        #expect(Self.status(rows, name: "Idle Ben") == "green")

        try #require(harness.lastSharer).kill()  // Ben's sharer dies without a goodbye
        rows = try await Self.waitForRows(harness, timeout: .seconds(45)) { Self.status($0, name: "Idle Ben") == nil }
        #expect(Self.status(rows, name: "Idle Ben") == nil)
        #expect(Self.status(rows, name: "Active Ana") == "green")
    }
}
