// Registers many synthetic sessions (WebSocket clients, no media) with a rendezvous server running
// in a child process, then measures Live View: the /api/sessions response time, the latency from a
// sharer's status report to the event stream carrying it (while every session reports once a
// second), and the server's resident memory. Prints `name value unit` lines.
//
//     BenchRendezvous [sessions]        (default 1000)
//     BenchRendezvous --serve           (the child: a server on a free loopback port)
import Foundation
import Logging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Rendezvous
import Signalling
import SignallingClient

let operatorToken = "bench-operator-token"

if CommandLine.arguments.dropFirst().first == "--serve" {
    var configuration = RendezvousConfiguration()
    configuration.host = "127.0.0.1"
    configuration.httpPort = 0
    configuration.stunPort = nil
    configuration.operatorToken = operatorToken
    configuration.limits.maxSessions = 100_000
    var logger = Logger(label: "bench.rendezvous")
    logger.logLevel = .warning
    let server = try await RendezvousServer.start(configuration, logger: logger)
    FileHandle.standardOutput.write(Data("listening \(server.httpPort)\n".utf8))
    try await server.wait()
    exit(0)
}

let sessions = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 1000

func report(_ name: String, _ value: Double, _ unit: String) {
    FileHandle.standardOutput.write(Data("\(name) \(String(format: "%.3f", value)) \(unit)\n".utf8))
}

func residentKilobytes(_ pid: Int32) -> Double {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))]
}

// MARK: The server, in a child process so its memory is its own.

let child = Process()
child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
child.arguments = ["--serve"]
let childOutput = Pipe()
child.standardOutput = childOutput
try child.run()
var firstLine = Data()
while !firstLine.contains(0x0A) {
    let byte = childOutput.fileHandleForReading.readData(ofLength: 1)
    guard !byte.isEmpty else { fatalError("server did not start") }
    firstLine.append(byte)
}
let port = Int(String(decoding: firstLine, as: UTF8.self).split(separator: " ")[1].trimmingCharacters(in: .whitespacesAndNewlines))!
let base = "http://127.0.0.1:\(port)"
try await Task.sleep(for: .milliseconds(200))
report("rendezvous_rss_idle", residentKilobytes(child.processIdentifier) / 1024, "MiB")

// MARK: Registration

let device = DeviceInfo(os: "Linux", hostName: "bench", screenResolution: "1920x1080", clientKind: "bench")
let registrationStart = ContinuousClock.now
let sharers: [SignallingClient] = try await withThrowingTaskGroup(of: SignallingClient.self) { group in
    var clients: [SignallingClient] = []
    var started = 0
    // At most 100 handshakes in flight, as a crowd arriving rather than a single burst.
    for _ in 0..<min(100, sessions) {
        started += 1
        let index = started
        group.addTask {
            let client = try await SignallingClient.connect(to: "ws://127.0.0.1:\(port)/ws")
            try await client.send(.createSession(CreateSession(displayName: "sharer \(index)", device: device)))
            for await message in client.messages { if case .sessionCreated = message { break } }
            return client
        }
    }
    while let client = try await group.next() {
        clients.append(client)
        if started < sessions {
            started += 1
            let index = started
            group.addTask {
                let client = try await SignallingClient.connect(to: "ws://127.0.0.1:\(port)/ws")
                try await client.send(.createSession(CreateSession(displayName: "sharer \(index)", device: device)))
                for await message in client.messages { if case .sessionCreated = message { break } }
                return client
            }
        }
    }
    return clients
}
let registration = seconds(ContinuousClock.now - registrationStart)
report("rendezvous_sessions", Double(sharers.count), "sessions")
report("rendezvous_registration_rate", Double(sessions) / registration, "sessions/s")
report("rendezvous_rss_loaded", residentKilobytes(child.processIdentifier) / 1024, "MiB")

// MARK: Background load: every sharer but the first reports once a second, spread over the second.
// The first carries the markers below, which the load must not overwrite before they are seen.

func status(_ source: String) -> Message {
    .status(StatusReport(source: source, width: 1920, height: 1080, framesPerSecond: 30, bitsPerSecond: 2_000_000, active: true, viewers: []))
}
let load = Task {
    while !Task.isCancelled {
        let round = ContinuousClock.now
        for (index, sharer) in sharers.enumerated() where index > 0 {
            try? await sharer.send(status("window \(index)"))
            if index % 50 == 49 { try? await Task.sleep(until: round + .milliseconds(1000 * (index + 1) / sharers.count), clock: .continuous) }
        }
        try? await Task.sleep(until: round + .seconds(1), clock: .continuous)
    }
}

// MARK: /api/sessions

var apiTimes: [Double] = []
var apiBytes = 0
for _ in 0..<20 {
    var request = URLRequest(url: URL(string: base + "/api/sessions")!)
    request.setValue("Bearer \(operatorToken)", forHTTPHeaderField: "Authorization")
    let start = ContinuousClock.now
    let (body, _) = try await URLSession.shared.data(for: request)
    apiTimes.append(seconds(ContinuousClock.now - start) * 1000)
    apiBytes = body.count
}
report("liveview_api_median", percentile(apiTimes, 0.5), "ms")
report("liveview_api_p95", percentile(apiTimes, 0.95), "ms")
report("liveview_api_body", Double(apiBytes) / 1024, "KiB")

// MARK: Event stream: from a status report to the event that carries it.

final class EventWatcher: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var pending = Data()
    private var waiting: (marker: String, continuation: CheckedContinuation<Void, Never>)?

    func expect(_ marker: String) async {
        await withCheckedContinuation { continuation in
            lock.withLock { waiting = (marker, continuation) }
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.withLock {
            pending.append(data)
            while let end = pending.firstIndex(of: 0x0A) {
                let line = pending[pending.startIndex..<end]
                pending = Data(pending[(end + 1)...])
                if let (marker, continuation) = waiting, line.range(of: Data(marker.utf8)) != nil {
                    waiting = nil
                    continuation.resume()
                }
            }
        }
    }
}

let watcher = EventWatcher()
let streaming = URLSession(configuration: .default, delegate: watcher, delegateQueue: nil)
var eventsRequest = URLRequest(url: URL(string: base + "/api/events")!)
eventsRequest.setValue("Bearer \(operatorToken)", forHTTPHeaderField: "Authorization")
eventsRequest.timeoutInterval = 600
let stream = streaming.dataTask(with: eventsRequest)
stream.resume()
try await Task.sleep(for: .seconds(1))
var eventTimes: [Double] = []
for round in 0..<40 {
    let marker = "marker-\(round)-\(UUID().uuidString.prefix(8))"
    let sharer = sharers[0]
    // A random phase against the stream's 250 ms coalescing ticks, so the figures are not its best or worst case.
    try await Task.sleep(for: .milliseconds(Int.random(in: 0..<250)))
    let start = ContinuousClock.now
    async let seen: Void = watcher.expect(marker)
    try await Task.sleep(for: .milliseconds(5))  // the watcher is registered before the report can arrive
    try await sharer.send(status(marker))
    await seen
    eventTimes.append(seconds(ContinuousClock.now - start) * 1000 - 5)
}
stream.cancel()
report("liveview_event_latency_median", percentile(eventTimes, 0.5), "ms")
report("liveview_event_latency_p95", percentile(eventTimes, 0.95), "ms")
report("rendezvous_rss_reporting", residentKilobytes(child.processIdentifier) / 1024, "MiB")

load.cancel()
for sharer in sharers { await sharer.close() }
child.terminate()
child.waitUntilExit()
