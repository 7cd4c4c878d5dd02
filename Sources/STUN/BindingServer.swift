/// A STUN server for the Binding method (RFC 8489 §6.3), sans-IO: a datagram and its source in, at
/// most one response out. Peers use it to learn their server-reflexive address.
///
/// Requests get a success response with XOR-MAPPED-ADDRESS; requests that carry comprehension-required
/// attributes it does not understand get 420 with UNKNOWN-ATTRIBUTES; requests that are STUN but
/// malformed, or ask for another method, get 400. Indications, responses and anything that is not
/// STUN get no answer. Every outcome is counted.
public struct BindingServer: Sendable {
    /// What happened to the datagrams seen so far.
    public struct Counters: Sendable, Equatable {
        /// Binding requests answered with the mapped address.
        public internal(set) var answered = 0
        /// Requests answered with an error (400 or 420).
        public internal(set) var rejected = 0
        /// Datagrams that got no answer: not STUN, or not a request.
        public internal(set) var dropped = 0

        public init() {}
    }

    /// SOFTWARE put into every response (RFC 8489 §14.14); nil leaves it out.
    public var software: String?
    public private(set) var counters = Counters()

    public init(software: String? = "glimpse") {
        self.software = software
    }

    /// The response to send back to `source`, or nil when the datagram gets none.
    public mutating func respond(to datagram: some Collection<UInt8>, from source: TransportAddress) -> [UInt8]? {
        let bytes = Array(datagram)
        let message: Message
        do {
            message = try Message(parsing: bytes)
        } catch {
            // A readable request header is enough to tell the client what went wrong (§6.3.1).
            guard let header = RequestHeader(bytes) else {
                counters.dropped += 1
                return nil
            }
            counters.rejected += 1
            return errorResponse(.badRequest, method: header.method, transactionID: header.transactionID)
        }
        guard message.messageClass == .request else {
            counters.dropped += 1
            return nil
        }
        guard message.unknownComprehensionRequired.isEmpty else {
            counters.rejected += 1
            return errorResponse(.unknownAttribute, method: message.method, transactionID: message.transactionID,
                                 extra: [.unknownAttributes(message.unknownComprehensionRequired)])
        }
        guard message.method == .binding else {
            counters.rejected += 1
            return errorResponse(.badRequest, method: message.method, transactionID: message.transactionID)
        }
        counters.answered += 1
        let response = Message(method: .binding, class: .successResponse, transactionID: message.transactionID,
                               attributes: [.xorMappedAddress(source)] + softwareAttribute)
        return response.encode(fingerprint: true)
    }

    private var softwareAttribute: [Attribute] { software.map { [.software($0)] } ?? [] }

    private func errorResponse(_ error: ErrorCode, method: STUNMethod, transactionID: TransactionID,
                               extra: [Attribute] = []) -> [UInt8] {
        Message(method: method, class: .errorResponse, transactionID: transactionID,
                attributes: [.errorCode(error)] + extra + softwareAttribute).encode(fingerprint: true)
    }
}

/// The fixed header of a datagram that claims to be a STUN request, read without trusting the rest.
private struct RequestHeader {
    let method: STUNMethod
    let transactionID: TransactionID

    init?(_ bytes: [UInt8]) {
        guard Message.isProbablySTUN(bytes) else { return nil }
        let type = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        guard STUNClass(messageType: type) == .request else { return nil }
        method = STUNMethod(messageType: type)
        transactionID = TransactionID(uncheckedBytes: Array(bytes[8..<20]))
    }
}
