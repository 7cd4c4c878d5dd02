import FuzzDriver
import Glibc
import ICE
import STUN

// Parses arbitrary bytes as STUN; a message that parses must re-encode to one that parses the same.
// The same bytes then go to the two servers of STUN traffic, the Binding server and an ICE agent
// with a check list, as a request from a peer: whatever they answer must itself be valid STUN.
let peer = TransportAddress("192.0.2.2", port: 4000)!
let local = TransportAddress("192.0.2.1", port: 5000)!
var agent = ICEAgent(role: .controlled, credentials: ICECredentials(ufrag: "fuzz", pwd: "fuzzfuzzfuzzfuzzfuzzfuzz"), tieBreaker: 7)
agent.gather(bases: [local], at: .now)
agent.setRemoteCredentials(ICECredentials(ufrag: "peer", pwd: "peerpeerpeerpeerpeerpeer"), at: .now)
agent.addRemoteCandidate(ICECandidate(type: .host, address: peer, priority: 1, foundation: "1"), at: .now)
while agent.poll() != nil {}

exit(fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var server = BindingServer()
    if let answer = server.respond(to: bytes, from: peer) {
        precondition((try? Message(parsing: answer)) != nil, "the Binding server answered with invalid STUN")
    }
    var copy = agent
    copy.handle(datagram: bytes, from: peer, to: local, at: .now)
    copy.handleTimeout(at: .now)
    while let output = copy.poll() {
        if case .transmit(let transmit) = output {
            precondition((try? Message(parsing: transmit.bytes)) != nil, "the ICE agent sent invalid STUN")
        }
    }
    guard let message = try? Message(parsing: bytes) else { return 0 }
    _ = message.verifyIntegrity(key: [1, 2, 3])
    let again = try? Message(parsing: message.encode(integrity: .sha1(key: [1]), fingerprint: true))
    precondition(again?.attributes == message.attributes, "re-encoded message did not parse to the same attributes")
    return 0
})
