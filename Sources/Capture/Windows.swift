import CX11

/// A top-level window as listed by ``X11Display/listWindows()``.
public struct WindowInfo: Hashable, Sendable {
    public var id: WindowID
    /// `_NET_WM_NAME`, else `WM_NAME`; empty when the window has neither.
    public var title: String
    /// The window's inside (border excluded) in root-window coordinates.
    public var frame: CaptureRect
}

/// A rectangle in pixels; for windows and regions, in root-window coordinates.
public struct CaptureRect: Hashable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The part of `self` inside `other`, nil when they do not overlap.
    public func intersection(_ other: CaptureRect) -> CaptureRect? {
        let left = max(x, other.x), top = max(y, other.y)
        let right = min(x + width, other.x + other.width), bottom = min(y + height, other.y + other.height)
        guard right > left, bottom > top else { return nil }
        return CaptureRect(x: left, y: top, width: right - left, height: bottom - top)
    }
}

// Predefined atoms (X11/Xatom.h defines them as casts, which Swift does not import).
private let atomString: Atom = 31
private let atomWindow: Atom = 33
private let atomWMName: Atom = 39
private let mapStateViewable: Int32 = 2 // IsViewable

extension X11Display {
    /// The top-level windows on screen (mapped), in stacking order from bottom to top when no window manager
    /// lists them: the window manager's `_NET_CLIENT_LIST` if it keeps one, else the root's descendants that
    /// carry a title (the first titled window on each branch, as a window manager's frame has none).
    public func listWindows() -> [WindowInfo] {
        let candidates = clientList() ?? titledDescendants(of: root)
        return candidates.compactMap { window in
            guard let frame = try? viewableFrame(of: window) else { return nil }
            return WindowInfo(id: window, title: title(of: window) ?? "", frame: frame)
        }
    }

    /// The window's inside in root coordinates.
    ///
    /// - Throws: ``CaptureError/windowClosed(window:)`` when it no longer exists,
    ///   ``CaptureError/windowNotViewable(window:)`` when it is not mapped.
    func viewableFrame(of window: WindowID) throws(CaptureError) -> CaptureRect {
        try viewableState(of: window).frame
    }

    /// The window's inside in root coordinates, with the depth and visual its pixels have.
    func viewableState(of window: WindowID) throws(CaptureError) -> DrawableState {
        var attributes = XWindowAttributes()
        var x: Int32 = 0, y: Int32 = 0
        var child: Window = 0
        let (ok, error) = trapping {
            XGetWindowAttributes(display, window, &attributes) != 0
                && XTranslateCoordinates(display, window, root, 0, 0, &x, &y, &child) != 0
        }
        guard !isConnectionLost else { throw .connectionLost }
        guard ok, error == nil else { throw .windowClosed(window: window) }
        guard attributes.map_state == mapStateViewable, let visual = attributes.visual else {
            throw .windowNotViewable(window: window)
        }
        return DrawableState(frame: CaptureRect(x: Int(x), y: Int(y), width: Int(attributes.width), height: Int(attributes.height)),
                             depth: attributes.depth, visual: visual)
    }

    /// The window's title: `_NET_WM_NAME` (UTF-8), else `WM_NAME` (Latin-1 when typed STRING).
    public func title(of window: WindowID) -> String? {
        if let name = property(of: window, named: atom("_NET_WM_NAME"), format: 8) {
            return String(decoding: name.bytes, as: UTF8.self)
        }
        guard let name = property(of: window, named: atomWMName, format: 8) else { return nil }
        if name.type == atomString { return String(name.bytes.map { Character(Unicode.Scalar($0)) }) }
        // COMPOUND_TEXT is ASCII for ASCII titles; anything else is read as UTF-8.
        return String(decoding: name.bytes, as: UTF8.self)
    }

    /// The window that has the input focus as the window manager reports it (`_NET_ACTIVE_WINDOW`); nil
    /// without a window manager that keeps it, or when no window is active.
    public func activeWindow() -> WindowID? {
        guard let value = property(of: root, named: atom("_NET_ACTIVE_WINDOW"), format: 32), value.type == atomWindow,
              let first = value.longs.first, first != 0 else { return nil }
        return WindowID(bitPattern: first)
    }

    private func clientList() -> [WindowID]? {
        guard let list = property(of: root, named: atom("_NET_CLIENT_LIST"), format: 32), list.type == atomWindow else {
            return nil
        }
        return list.longs.map { WindowID(bitPattern: $0) }
    }

    private func titledDescendants(of window: WindowID) -> [WindowID] {
        var rootReturn: Window = 0, parent: Window = 0
        var children: UnsafeMutablePointer<Window>?
        var count: UInt32 = 0
        let (ok, error) = trapping { XQueryTree(display, window, &rootReturn, &parent, &children, &count) != 0 }
        defer { if let children { XFree(children) } }
        guard ok, error == nil, let children else { return [] }
        var found: [WindowID] = []
        for child in UnsafeBufferPointer(start: children, count: Int(count)) {
            var attributes = XWindowAttributes()
            let (viewable, error) = trapping {
                XGetWindowAttributes(display, child, &attributes) != 0 && attributes.map_state == mapStateViewable
            }
            guard viewable, error == nil else { continue }
            if title(of: child) != nil {
                found.append(child)
            } else {
                found += titledDescendants(of: child)
            }
        }
        return found
    }

    func atom(_ name: String) -> Atom {
        XInternAtom(display, name, 0)
    }

    /// A property's raw value; nil when absent or not in `format` (8 or 32 bits per item).
    private func property(of window: WindowID, named name: Atom, format: Int32) -> PropertyValue? {
        var type: Atom = 0
        var actualFormat: Int32 = 0
        var count: UInt = 0, remaining: UInt = 0
        var data: UnsafeMutablePointer<UInt8>?
        // AnyPropertyType (0); the length is in 32-bit units and large enough for any title or client list.
        let (status, error) = trapping {
            XGetWindowProperty(display, window, name, 0, 1 << 20, 0, 0, &type, &actualFormat, &count, &remaining, &data)
        }
        defer { if let data { XFree(data) } }
        guard status == 0, error == nil, let data, type != 0, actualFormat == format else { return nil }
        if format == 8 { return PropertyValue(type: type, bytes: Array(UnsafeBufferPointer(start: data, count: Int(count))), longs: []) }
        // Xlib hands out 32-bit items as C longs, which are 64 bits wide on LP64 systems.
        let longs = UnsafeRawPointer(data).bindMemory(to: CLong.self, capacity: Int(count))
        return PropertyValue(type: type, bytes: [], longs: Array(UnsafeBufferPointer(start: longs, count: Int(count))))
    }
}

private struct PropertyValue {
    var type: Atom
    var bytes: [UInt8]
    var longs: [CLong]
}

/// Where a drawable is and the form of its pixels.
struct DrawableState {
    var frame: CaptureRect
    var depth: Int32
    var visual: UnsafeMutablePointer<Visual>
}
