import SDP

/// Which end of the DTLS handshake this endpoint plays.
public enum DTLSRole: Sendable, Equatable {
    /// Sends the ClientHello.
    case client
    /// Answers the ClientHello.
    case server

    /// The local DTLS role once offer and answer are known (RFC 5763 §5): the `active` side is the client.
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
