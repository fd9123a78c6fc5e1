import StorageFacts

// Tests write a tool's state words as the tool prints them (`"UpToDate"`, `"LOGGED_IN"`), as in
// the fixtures they read; the sources name them by case.
extension DRBDConnectionState: ExpressibleByStringLiteral {
    public init(stringLiteral word: String) { self.init(word) }
}

extension DRBDReplicationState: ExpressibleByStringLiteral {
    public init(stringLiteral word: String) { self.init(word) }
}

extension DRBDRole: ExpressibleByStringLiteral {
    public init(stringLiteral word: String) { self.init(word) }
}

extension DRBDDiskState: ExpressibleByStringLiteral {
    public init(stringLiteral word: String) { self.init(word) }
}

extension ISCSISessionState: ExpressibleByStringLiteral {
    public init(stringLiteral word: String) { self.init(word) }
}

extension ISCSIConnectionState: ExpressibleByStringLiteral {
    public init(stringLiteral word: String) { self.init(word) }
}
