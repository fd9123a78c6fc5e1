extension Duration {
    /// The duration in milliseconds: probe timings, poll timeouts, deadlines given in ms.
    public var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
