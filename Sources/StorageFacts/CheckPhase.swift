/// A phase of `storagekit check`, the key of its `phasesMs` (the JSON keys are the raw values).
public enum CheckPhase: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
    /// Until every hypervisor answered, was given up, or the round's time was over.
    case facts
    /// Canary reads: the early ones made while hosts were still out, plus the round after.
    case canaryReads
    /// Writers removing the canaries their reader did not.
    case canaryRemoval
    /// The slowest hypervisor's own facts time (a part of `facts`, not a phase after it).
    case slowestHost
    /// Judging the facts.
    case rules
    /// `check --rehearse`: the canary VM's migrations.
    case rehearse
}
