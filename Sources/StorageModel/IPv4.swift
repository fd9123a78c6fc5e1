/// A dotted-quad IPv4 address.
public struct IPv4Address: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let value: UInt32

    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber),
                part.count == 1 || part.first != "0", let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        self.value = value
    }

    public var description: String {
        [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xff) }.joined(separator: ".")
    }
}

/// An IPv4 network in CIDR notation, e.g. `10.20.0.0/24`.
public struct IPv4Network: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let address: IPv4Address
    public let prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])),
            parts[1].allSatisfy(\.isNumber), let prefix = Int(parts[1]), (0...32).contains(prefix)
        else { return nil }
        self.address = address
        self.prefix = prefix
    }

    var mask: UInt32 { prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix) }

    /// False when host bits are set (`10.20.0.5/24`): usually a typo for the network or the host.
    /// Addresses in the network, network and broadcast included (2^(32-prefix)).
    public var size: Int { 1 << (32 - prefix) }

    public var isNetworkAddress: Bool { address.value & ~mask == 0 }

    public var networkAddress: IPv4Address { IPv4Address(raw: address.value & mask) }

    public func contains(_ other: IPv4Address) -> Bool { other.value & mask == address.value & mask }

    public var description: String { "\(address)/\(prefix)" }

    /// The highest address of the network that is not the broadcast (`.254` of a /24).
    public var lastHostAddress: IPv4Address { IPv4Address(raw: (address.value | ~mask) &- 1) }

    /// The address `offset` below the last host address.
    public func hostAddress(belowLast offset: UInt32) -> IPv4Address { IPv4Address(raw: lastHostAddress.value &- offset) }
}

extension IPv4Address {
    init(raw: UInt32) { self.value = raw }
}
