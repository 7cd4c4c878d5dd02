/// Why a text is not an acceptable session description, or why no answer can be built for an offer.
public enum SDPError: Error, Equatable, Sendable {
    /// Line `number` (1-based, as counted in the input) could not be understood.
    case invalidLine(number: Int, text: String, reason: String)
    /// A line every session description must carry (`v=`, `o=`, `s=`, `t=`) is absent.
    case missingLine(type: Character)
    /// A single value parsed on its own (a trickled candidate, a fingerprint) could not be understood.
    case invalidValue(text: String, reason: String)
    /// The offer is well formed but cannot be answered (e.g. a media section without `a=mid`).
    case unanswerableOffer(reason: String)
}

/// A line's value could not be understood; the parser adds the line number and text.
struct ValueError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
