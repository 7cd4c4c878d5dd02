#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its network-order bytes (4 or 16 of them).
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6, network byte order.
    public let bytes: [UInt8]

    /// Wraps raw address bytes; `nil` unless there are exactly 4 or 16.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses dotted-quad IPv4 or RFC 5952 IPv6 text (`"192.0.2.1"`, `"::1"`).
    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self.bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    /// The unspecified address of a family (0.0.0.0 or ::): bind to it to listen on every interface.
    public static func unspecified(ipv4: Bool) -> IPAddress {
        IPAddress(uncheckedBytes: [UInt8](repeating: 0, count: ipv4 ? 4 : 16))
    }

    private init(uncheckedBytes: [UInt8]) {
        bytes = uncheckedBytes
    }

    public var isIPv4: Bool { bytes.count == 4 }

    /// Loopback: 127.0.0.0/8 or ::1.
    public var isLoopback: Bool {
        isIPv4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// IPv6 link-local (fe80::/10); such addresses need a scope id to be usable.
    public var isLinkLocal: Bool {
        isIPv4 ? (bytes[0] == 169 && bytes[1] == 254) : (bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80)
    }

    /// RFC 1918 / RFC 4193 private ranges, plus loopback and link-local.
    public var isPrivate: Bool {
        if isLoopback || isLinkLocal { return true }
        if isIPv4 {
            return bytes[0] == 10
                || (bytes[0] == 172 && bytes[1] & 0xF0 == 16)
                || (bytes[0] == 192 && bytes[1] == 168)
                || (bytes[0] == 100 && bytes[1] & 0xC0 == 64)  // RFC 6598 shared address space
        }
        return bytes[0] & 0xFE == 0xFC
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = isIPv4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard ok else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An IP address and UDP port: what STUN calls a transport address.
public struct TransportAddress: Hashable, Sendable, CustomStringConvertible {
    public var ip: IPAddress
    public var port: UInt16

    public init(ip: IPAddress, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    /// `"192.0.2.1"`, `"::1"` plus a port; `nil` for text that is not an address.
    public init?(_ host: String, port: UInt16) {
        guard let ip = IPAddress(host) else { return nil }
        self.init(ip: ip, port: port)
    }

    /// `1.2.3.4:5` or `[::1]:5`.
    public var description: String {
        ip.isIPv4 ? "\(ip):\(port)" : "[\(ip)]:\(port)"
    }
}
