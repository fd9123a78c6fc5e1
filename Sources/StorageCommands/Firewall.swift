import ArgumentParser
import StorageModel
import StorageSystem

struct Firewall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "storagekit's own firewall rules (iptables chain or nftables table): apply, then confirm.",
        subcommands: [ApplyRules.self, Confirm.self])

    struct ApplyRules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Load storagekit's firewall rules (other rules untouched) after saving the ones they replace.",
            discussion: """
                The backend is the spec's `firewall.backend`, decided on each host for `auto` \
                (the plan says which and why). iptables: the STORAGEKIT chain is replaced \
                (`iptables-restore --noflush`, after `--test`), and INPUT jumps to it once. \
                nftables: `table inet storagekit` is loaded with `nft -f` after `nft -c`. \
                firewalld: the policy /etc/firewalld/policies/storagekit.xml is checked by \
                firewall-offline-cmd, then firewalld reloads.

                With --confirm-within N (default 60 on ssh hosts) the rules as they were come \
                back by themselves after N seconds unless `storagekit firewall confirm` runs: a \
                systemd timer, or a detached process in the lab. Kept rules are saved where the \
                backend loads them at boot.
                """)
        @OptionGroup var options: SpecOptions
        @OptionGroup var change: ChangeOptions
        @Option(help: ArgumentHelp("Seconds before the old rules come back unless confirmed (0: no timer).", valueName: "seconds"))
        var confirmWithin: Int?

        func run() async throws {
            try await ChangeCommand(options: options, change: change, scope: .firewall, firewallConfirmation: .within(seconds: confirmWithin)).run()
        }
    }

    struct Confirm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep the rules of the last `firewall apply --confirm-within`: cancel the rollback timer and save them.",
            discussion: """
                Exit status 0: the rules stand as applied (confirmed now, confirmed before, or the \
                last apply had nothing to confirm: it changed nothing, or ran without \
                --confirm-within). Exit status 1: they do not, because the timer already put the \
                old rules back (said with when), or no apply is on record on that host.
                """)
        @OptionGroup var options: SpecOptions
        @Option(help: ArgumentHelp("Confirm on this host only (repeatable).", valueName: "name")) var host: [String] = []
        @Flag(help: "Print one JSON document: [{host, confirmed, reason}].") var json = false
        @Flag(help: "Only say whether a rollback is pending; confirm nothing.") var dryRun = false

        struct Result: Encodable {
            let host: String
            let confirmed: Bool
            /// Why nothing was confirmed (nil when something was).
            var reason: String?
        }

        func run() async throws {
            let (loaded, _) = try options.loadValidated(printWarnings: false)
            let spec = loaded.spec
            let names = host.isEmpty ? ChangeScope.firewall.defaultHosts(spec) : host
            try RootRequirement.check(names.compactMap(spec.host(named:)), changing: !dryRun)
            var missing = false
            var results: [Result] = []
            defer { if json { try? Console.json(results) } }
            for name in names {
                guard let specHost = spec.host(named: name) else {
                    Console.error("error: no host named \"\(name)\" in the spec")
                    throw ExitCode(2)
                }
                do {
                    let context = try HostContext.make(spec, host: specHost)
                    let firewall = FirewallApplier(context: context)
                    if dryRun {
                        let pending = try await firewall.pending()
                        results.append(Result(host: name, confirmed: pending))
                        if !json { print(pending ? "\(name): a rollback is pending; `firewall confirm` would keep the rules" : "\(name): no rollback is pending") }
                        continue
                    }
                    guard let nothing = try await firewall.confirmAny() else {
                        results.append(Result(host: name, confirmed: true))
                        if !json { print("\(name): firewall rules kept and saved") }
                        continue
                    }
                    let message = nothing.message(host: name)
                    results.append(Result(host: name, confirmed: false, reason: message))
                    if nothing.exitCode != 0 { missing = true }
                    if !json { nothing.exitCode == 0 ? print(message) : Console.error(message) }
                } catch {
                    Console.error("error: \(name): \(error)")
                    throw ExitCode(1)
                }
            }
            if missing { throw ExitCode(1) }
        }
    }
}
