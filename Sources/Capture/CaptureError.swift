/// Why a capture could not start or a frame could not be taken.
public enum CaptureError: Error, Equatable, Sendable {
    /// `XOpenDisplay` failed for this display name (nil: `$DISPLAY`).
    case cannotOpenDisplay(String?)
    /// The screen's pixels are not 32-bit little-endian BGRX, the only layout captured.
    case unsupportedPixelFormat(depth: Int, bitsPerPixel: Int)
    /// No top-level window's title contains this text.
    case windowNotFound(title: String)
    /// The window is gone (destroyed, or never existed).
    case windowClosed(window: UInt)
    /// The window exists but is not on screen (unmapped or minimized), so it has no pixels to take.
    case windowNotViewable(window: UInt)
    /// The rectangle asked for has no part on the screen.
    case regionOutsideScreen
    /// The connection to the X server broke (the server exited); open a new ``X11Display``.
    case connectionLost
    /// The X server refused a request; `code` is the X error code (e.g. 8 BadMatch).
    case xError(code: UInt8, request: UInt8)
}
