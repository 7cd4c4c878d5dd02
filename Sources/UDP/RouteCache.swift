#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers
import STUN

/// Remembers which destinations have a route, probed by connecting a throwaway UDP socket (which
/// sends nothing). SwiftNIO closes a datagram channel when a send fails with ENETUNREACH, and ICE
/// routinely tries candidates this host cannot reach, so sends to unroutable addresses are dropped
/// before they reach the socket — as the network would drop them.
final class RouteCache: Sendable {
    private let entries = NIOLockedValueBox<[IPAddress: (routable: Bool, checked: ContinuousClock.Instant)]>([:])
    /// Routes come and go (an interface goes up); an answer is trusted this long.
    private static let lifetime: Duration = .seconds(5)

    func isRoutable(_ ip: IPAddress) -> Bool {
        let now = ContinuousClock.now
        if let entry = entries.withLockedValue({ $0[ip] }), now - entry.checked < Self.lifetime { return entry.routable }
        let routable = Self.probe(ip)
        entries.withLockedValue { $0[ip] = (routable, now) }
        return routable
    }

    private static func probe(_ ip: IPAddress) -> Bool {
        let family = ip.isIPv4 ? AF_INET : AF_INET6
        #if canImport(Glibc)
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        #else
        let fd = socket(family, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { return true }
        defer { close(fd) }
        if ip.isIPv4 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(9).bigEndian
            ip.bytes.withUnsafeBytes { raw in withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyMemory(from: raw) } }
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } == 0
            }
        }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = UInt16(9).bigEndian
        ip.bytes.withUnsafeBytes { raw in withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyMemory(from: raw) } }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } == 0
        }
    }
}
