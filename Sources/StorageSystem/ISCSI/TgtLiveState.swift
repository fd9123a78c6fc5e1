import StorageFacts
import StorageModel

/// tgtd's live state on a host, read with tgtadm and parsed.
public struct TgtLiveState: Sendable {
    public var targets: [TgtLiveTarget]
    public var accounts: [String]
    public var portals: [Portal]

    public static func read(_ files: HostFiles) async throws(SystemError) -> TgtLiveState {
        let shown = try await files.run(["tgtadm", "--lld", "iscsi", "--op", "show", "--mode", "target"], "reading tgtd's targets")
        let targets: [TgtLiveTarget]
        do {
            targets = try TgtadmShowParser.parse(shown.stdout)
        } catch {
            throw SystemError.hostCommand(host: files.host, what: "reading tgtd's targets", reason: error.description)
        }
        let accounts = try await files.run(["tgtadm", "--lld", "iscsi", "--op", "show", "--mode", "account"], "reading tgtd's CHAP accounts")
        let portals = try await files.run(["tgtadm", "--lld", "iscsi", "--op", "show", "--mode", "portal"], "reading tgtd's portals")
        do {
            return TgtLiveState(targets: targets, accounts: try TgtadmListParser.accounts(accounts.stdout), portals: try TgtadmListParser.portals(portals.stdout))
        } catch {
            throw SystemError.hostCommand(host: files.host, what: "reading tgtd's accounts and portals", reason: error.description)
        }
    }
}
