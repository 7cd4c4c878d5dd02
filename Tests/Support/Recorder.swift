import NIOConcurrencyHelpers

/// What a component under test reported through its event callback, with the time each arrived.
public final class Recorder<Event: Sendable>: Sendable {
    private let box = NIOLockedValueBox<[(at: ContinuousClock.Instant, event: Event)]>([])

    public init() {}

    public func record(_ event: Event) { box.withLockedValue { $0.append((.now, event)) } }

    public var events: [Event] { box.withLockedValue { $0.map(\.event) } }
    public var timedEvents: [(at: ContinuousClock.Instant, event: Event)] { box.withLockedValue { $0 } }
}

/// Polls `condition` every 10 ms until it holds (true) or `timeout` passes (false).
public func eventually(_ timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws -> Bool {
    let end = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < end else { return false }
        try await Task.sleep(for: .milliseconds(10))
    }
    return true
}
