import CX11
import Synchronization

/// An X window id.
public typealias WindowID = UInt

/// A connection to an X server; closes it when released.
///
/// Xlib connections are not thread-safe: use one from a single thread at a time (each capturer opens its own).
/// Opening the first display installs a process-wide X error handler that records errors instead of exiting,
/// as Xlib's default handler does; a request that fails then surfaces as a thrown ``CaptureError``.
public final class X11Display {
    let display: OpaquePointer
    /// The screen's root window.
    public let root: WindowID
    let screen: Int32

    /// Opens `name` (e.g. ":1"), or `$DISPLAY` when nil.
    public init(_ name: String? = nil) throws(CaptureError) {
        _ = Self.installErrorHandler
        guard let display = name.map({ XOpenDisplay($0) }) ?? XOpenDisplay(nil) else { throw .cannotOpenDisplay(name) }
        self.display = display
        // Xlib's default ends the process when the connection breaks; mark the display dead instead.
        XSetIOErrorExitHandler(display, { display, _ in
            guard let display else { return }
            XErrors.lost.withLock { _ = $0.insert(UInt(bitPattern: display)) }
        }, nil)
        screen = XDefaultScreen(display)
        root = XRootWindow(display, screen)
    }

    deinit {
        XCloseDisplay(display)
        XErrors.shared.withLock { _ = $0.removeValue(forKey: UInt(bitPattern: display)) }
        XErrors.lost.withLock { _ = $0.remove(UInt(bitPattern: display)) }
    }

    /// The screen's size in pixels.
    public var screenSize: (width: Int, height: Int) {
        (Int(XDisplayWidth(display, screen)), Int(XDisplayHeight(display, screen)))
    }

    /// Whether the connection to the server broke (the server exited or the socket closed); every request
    /// on it fails from then on.
    public var isConnectionLost: Bool {
        XErrors.lost.withLock { $0.contains(UInt(bitPattern: display)) }
    }

    /// Runs `body` (Xlib calls on this display), waits until the server has answered everything sent, and
    /// returns the first X error those calls caused, if any, with the body's result.
    func trapping<T>(_ body: () -> T) -> (result: T, error: XErrorRecord?) {
        let key = UInt(bitPattern: display)
        XErrors.shared.withLock { _ = $0.removeValue(forKey: key) }
        let result = body()
        XSync(display, 0)
        return (result, XErrors.shared.withLock { $0.removeValue(forKey: key) })
    }

    /// XInitThreads must come before any other Xlib call for several connections to be used from several
    /// threads (tests run in parallel); the handler replaces Xlib's, which would exit the process.
    private static let installErrorHandler: Void = {
        XInitThreads()
        // The default I/O error handler only prints; the exit handler set per display decides the rest.
        XSetIOErrorHandler { _ in 0 }
        XSetErrorHandler { display, event in
            guard let display, let event else { return 0 }
            let record = XErrorRecord(code: event.pointee.error_code, request: event.pointee.request_code,
                                      resource: UInt(event.pointee.resourceid))
            XErrors.shared.withLock { errors in
                let key = UInt(bitPattern: display)
                if errors[key] == nil { errors[key] = record }
            }
            return 0
        }
    }()
}

/// One X error as the handler saw it.
struct XErrorRecord: Sendable {
    var code: UInt8
    var request: UInt8
    var resource: UInt
}

/// The first unread error of each display, keyed by its Display pointer (the handler has no other context).
enum XErrors {
    static let shared = Mutex<[UInt: XErrorRecord]>([:])
    /// Displays whose connection broke.
    static let lost = Mutex<Set<UInt>>([])
}
