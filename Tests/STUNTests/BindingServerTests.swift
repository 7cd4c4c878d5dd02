import Testing
@testable import STUN

@Suite struct BindingServerTests {
    static let clients = [TransportAddress("192.0.2.7", port: 40000)!, TransportAddress("2001:db8::7", port: 5)!]

    @Test(arguments: clients)
    func bindingRequestLearnsTheSourceAddress(client: TransportAddress) throws {
        var server = BindingServer()
        let request = Message(method: .binding, class: .request)
        let answer = server.respond(to: request.encode(fingerprint: true), from: client)
        let bytes = try #require(answer)
        let response = try Message(parsing: bytes)
        #expect(response.messageClass == .successResponse && response.method == .binding)
        #expect(response.transactionID == request.transactionID)
        #expect(response.xorMappedAddress == client)
        #expect(response.software == "glimpse")
        #expect(response.hasFingerprint)
        #expect(server.counters == { var c = BindingServer.Counters(); c.answered = 1; return c }())
    }

    @Test func unknownComprehensionRequiredAttributesGet420() throws {
        var server = BindingServer(software: nil)
        let request = Message(method: .binding, class: .request, attributes: [.other(type: 0x7F01, value: [1])])
        let answer = server.respond(to: request.encode(), from: Self.clients[0])
        let response = try Message(parsing: #require(answer))
        #expect(response.messageClass == .errorResponse)
        #expect(response.errorCode?.code == 420)
        #expect(response.unknownAttributes == [0x7F01])
        #expect(response.software == nil)
        #expect(server.counters.rejected == 1)
    }

    @Test func otherMethodsAndMalformedRequestsGet400() throws {
        var server = BindingServer()
        let allocate = Message(method: STUNMethod(rawValue: 0x003), class: .request)
        let first = server.respond(to: allocate.encode(), from: Self.clients[0])
        let refused = try Message(parsing: #require(first))
        #expect(refused.errorCode?.code == 400 && refused.method == allocate.method)

        var broken = Message(method: .binding, class: .request, attributes: [.software("x")]).encode(fingerprint: true)
        broken[broken.count - 1] ^= 0xFF  // FINGERPRINT no longer matches
        let second = server.respond(to: broken, from: Self.clients[0])
        let malformed = try Message(parsing: #require(second))
        #expect(malformed.errorCode?.code == 400)
        #expect(malformed.transactionID.bytes == Array(broken[8..<20]))
        #expect(server.counters.rejected == 2)
    }

    @Test func indicationsResponsesAndNonSTUNGetNothing() {
        var server = BindingServer()
        let indication = Message(method: .binding, class: .indication).encode()
        let response = Message(method: .binding, class: .successResponse).encode()
        var brokenResponse = response
        brokenResponse[3] = 4  // length points past the end
        for datagram in [indication, response, brokenResponse, [0x16, 0xFE, 0xFD], [], [UInt8](repeating: 0, count: 20)] {
            #expect(server.respond(to: datagram, from: Self.clients[0]) == nil)
        }
        #expect(server.counters.dropped == 6)
        #expect(server.counters.answered == 0 && server.counters.rejected == 0)
    }
}
