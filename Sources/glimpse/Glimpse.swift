import ArgumentParser

/// The `glimpse` command: peer-to-peer screen sharing.
@main
struct Glimpse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glimpse",
        abstract: "Peer-to-peer screen sharing over WebRTC.",
        subcommands: [ServeCommand.self, ShareCommand.self, ViewCommand.self, WindowsCommand.self, STUNServerCommand.self,
                      ICECommand.self, TestPatternCommand.self]
    )
}
