/// The SDP `a=setup` attribute value (RFC 4145 §4) that decides the DTLS roles (RFC 5763 §5).
public enum SetupRole: String, Sendable, CaseIterable {
    /// The endpoint will be either; an offer MUST use this (RFC 5763 §5).
    case actpass
    /// The endpoint initiates the handshake: it is the DTLS client.
    case active
    /// The endpoint waits for the handshake: it is the DTLS server.
    case passive

    /// The value an answerer puts in its answer to this offer: `active` unless the offerer
    /// insists on being active itself (RFC 5763 §5 recommends answering `active`).
    public var answer: SetupRole {
        self == .active ? .passive : .active
    }
}

/// Which end of the DTLS handshake this endpoint plays.
public enum DTLSRole: Sendable, Equatable {
    /// Sends the ClientHello.
    case client
    /// Answers the ClientHello.
    case server

    /// The local DTLS role once offer and answer are known: the `active` side is the client.
    /// - Parameters:
    ///   - offer: the offer's `a=setup` value.
    ///   - answer: the answer's `a=setup` value; it must be `active` or `passive` and compatible with the offer.
    ///   - localIsOfferer: whether this endpoint sent the offer.
    public init(offer: SetupRole, answer: SetupRole, localIsOfferer: Bool) throws(DTLSError) {
        let compatible =
            switch (offer, answer) {
            case (.actpass, .active), (.actpass, .passive), (.active, .passive), (.passive, .active): true
            default: false
            }
        guard compatible else { throw .invalidSetupRoles(offer: offer, answer: answer) }
        let answererIsClient = answer == .active
        self = answererIsClient != localIsOfferer ? .client : .server
    }
}
