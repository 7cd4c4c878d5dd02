/// Cuts what OpenSSL wrote to its memory BIO back into datagrams.
///
/// A memory BIO is a byte stream, so the records of a flight arrive concatenated. Each DTLS record
/// carries its length (RFC 6347 §4.1: 13-byte header, length in bytes 11–12), and OpenSSL already
/// sizes every record to the MTU; records are packed into datagrams of at most `mtu` bytes, several
/// per datagram when they fit (RFC 6347 §4.1.1 allows that), which also means fewer datagrams to lose.
enum DatagramPacker {
    static let recordHeaderLength = 13

    static func datagrams(from stream: [UInt8], mtu: Int) -> [[UInt8]] {
        var datagrams: [[UInt8]] = []
        var current: [UInt8] = []
        var offset = 0
        while offset < stream.count {
            guard stream.count - offset >= recordHeaderLength else {
                // Not a whole record header: cannot happen with OpenSSL; send the rest as it is.
                current.append(contentsOf: stream[offset...])
                break
            }
            let length = Int(stream[offset + 11]) << 8 | Int(stream[offset + 12])
            let end = min(stream.count, offset + recordHeaderLength + length)
            if !current.isEmpty, current.count + (end - offset) > mtu {
                datagrams.append(current)
                current = []
            }
            current.append(contentsOf: stream[offset..<end])
            offset = end
        }
        if !current.isEmpty { datagrams.append(current) }
        return datagrams
    }
}
