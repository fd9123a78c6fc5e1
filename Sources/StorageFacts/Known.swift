/// A fact that may be unavailable on this host, with the reason (no kernel initiator in the lab,
/// virsh not installed…): rules turn the reason into a `skip`, never into a pass.
public enum Known<Value: Sendable & Codable & Equatable>: Sendable, Codable, Equatable {
    case known(Value)
    case unknown(String)

    public var value: Value? {
        if case .known(let value) = self { return value }
        return nil
    }

    public var reason: String? {
        if case .unknown(let reason) = self { return reason }
        return nil
    }

    public func map<Other: Sendable & Codable & Equatable>(_ transform: (Value) -> Other) -> Known<Other> {
        switch self {
        case .known(let value): .known(transform(value))
        case .unknown(let reason): .unknown(reason)
        }
    }

    private enum CodingKeys: String, CodingKey { case value, unavailable }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let reason = try container.decodeIfPresent(String.self, forKey: .unavailable) {
            self = .unknown(reason)
        } else {
            self = .known(try container.decode(Value.self, forKey: .value))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .known(let value): try container.encode(value, forKey: .value)
        case .unknown(let reason): try container.encode(reason, forKey: .unavailable)
        }
    }
}
