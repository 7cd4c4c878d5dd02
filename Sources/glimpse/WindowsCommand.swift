import ArgumentParser
import Capture

/// `glimpse windows`: the X11 windows a capture can follow.
struct WindowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "windows",
        abstract: "List the X11 windows on screen: id, geometry and title.",
        discussion: "Example: glimpse windows --display :1   (ids are hexadecimal, as xwininfo prints them)"
    )

    @Option(help: "X display to ask, e.g. :1; default: $DISPLAY.")
    var display: String?

    func run() throws {
        let connection: X11Display
        do {
            connection = try X11Display(display)
        } catch {
            throw ValidationError("cannot open X display \(display ?? "$DISPLAY")")
        }
        for window in connection.listWindows() {
            let frame = window.frame
            print("0x\(String(window.id, radix: 16))  \(frame.width)x\(frame.height)+\(frame.x)+\(frame.y)  \(window.title)")
        }
    }
}
