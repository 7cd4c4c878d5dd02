import CShims

enum OpenSSLErrors {
    /// Empties this thread's OpenSSL error queue and returns its text ("; "-joined), or `fallback` if it was empty.
    static func drain(or fallback: String) -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        let count = glimpse_ERR_drain(&buffer, buffer.count)
        guard count > 0 else { return fallback }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
