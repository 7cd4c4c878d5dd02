import CSRTP

/// libsrtp's global state: `srtp_init` must run once per process before any session exists.
/// A global `let` is initialised lazily and exactly once, thread-safely, by the Swift runtime.
private let libsrtpInitStatus: srtp_err_status_t = srtp_init()

enum LibSRTP {
    /// Initialises libsrtp on first use; later calls only return the first result.
    static func ensureInitialized() -> srtp_err_status_t { libsrtpInitStatus }
}
