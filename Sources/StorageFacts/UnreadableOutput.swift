/// A tool's output, or a file, that a parser cannot read: said as such, never taken for
/// "nothing there" (an empty list would read as a false "not mounted", "no guests").
public struct UnreadableOutput: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was read: `virsh dumpxml web`, `/etc/libvirt/qemu/web.xml`, `qemu-img info …`.
    public var source: String
    /// Why, with the line when the reader knows it.
    public var reason: String

    public init(_ source: String, _ reason: String) {
        self.source = source
        self.reason = reason
    }

    public var description: String { "cannot read \(source): \(reason)" }
}
