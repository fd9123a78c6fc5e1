import Foundation
import StorageCheck
import StorageModel
import StorageSystem
import StorageTestSupport
import Testing
import StorageFacts
@testable import StorageGathering

@Suite struct FactsGatheringTests {
    static func fixture(_ name: String) throws -> String {
        try TestFixtures.text("kernel-guest/\(name)")
    }

    /// A host whose storagekit refuses the request and ends, saying `stderr`.
    static func endingHost(_ name: String, stderr: String = "loading\nerror: the spec sent for facts does not load: bad") -> ScriptedTransport {
        ScriptedTransport(host: name, session: { ScriptedSession(command: $0) { _ in .ended(exitCode: 2, signal: nil, stderr: stderr) } }) {
            CommandResult(command: $0, exitCode: 0, stdout: "{}", stderr: "")
        }
    }

    @Test func cpuinfoOSReleaseSeboolPasswdAndBridgesParse() {
        let cpu = SystemFactsParsers.cpu("processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: vmx fpu sse2\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\nflags\t\t: svm\n")
        #expect(cpu.vendor == "GenuineIntel" && cpu.flags == ["fpu", "sse2", "vmx"])
        let os = SystemFactsParsers.osRelease("PRETTY_NAME=\"Rocky Linux 9.4 (Blue Onyx)\"\nID=\"rocky\"\nVERSION_ID=\"9.4\"\n")
        #expect(os.id == "rocky" && os.version == "9.4")
        #expect(SystemFacts(osID: "rocky", osVersion: "9.4").osRelease == "rocky 9.4")
        #expect(SystemFactsParsers.sebool("virt_use_nfs --> off\n") == false)
        #expect(SystemFactsParsers.sebool("virt_use_nfs --> on\n") == true)
        #expect(SystemFactsParsers.passwd("libvirt-qemu:x:64055:108:Libvirt Qemu,,,:/var/lib/libvirt:/usr/sbin/nologin\n") == UserFacts(name: "libvirt-qemu", uid: 64055, gid: 108))
        #expect(SystemFactsParsers.passwd("") == nil)
        let bridges = SystemFactsParsers.bridges("""
            7: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff
            4: virbr0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000\\    link/ether 52:54:00:ab:cd:ef brd ff:ff:ff:ff:ff:ff
            """)
        #expect(bridges == ["br0", "virbr0"])
    }

    @Test func libvirtDisksKeepSourceCacheAndTargetAndTheirCDROMsAreFilesNotDisks() throws {
        let parsed = try LibvirtDomainParser.parse("""
            <domain type='kvm'>
              <name>web1</name>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2' cache='none' io='native'/>
                  <source file='/var/lib/vmstore/web1.qcow2'/>
                  <target dev='vda' bus='virtio'/>
                </disk>
                <disk type='block' device='disk'>
                  <driver name='qemu' type='raw'/>
                  <source dev='/dev/mapper/vmstore-1'/>
                  <target dev='vdb' bus='virtio'/>
                </disk>
                <disk type='file' device='cdrom'>
                  <source file='/iso/debian.iso'/>
                  <target dev='sda' bus='sata'/>
                </disk>
                <interface type='bridge'><source bridge='br0'/></interface>
              </devices>
            </domain>
            """)
        #expect(parsed.name == "web1")
        #expect(parsed.disks == [
            DiskFacts(source: "/var/lib/vmstore/web1.qcow2", cache: "none", target: "vda"),
            DiskFacts(source: "/dev/mapper/vmstore-1", cache: nil, target: "vdb"),
        ])
        #expect(parsed.files == [GuestFile(.cdrom, "/iso/debian.iso")])
    }

    @Test func xenConfigsGiveTheGuestsDisksInBothSyntaxes() {
        let parsed = XenConfigParser.parse("""
            # /etc/xen/web1.cfg
            name = "web1"
            memory = 1024
            disk = [ 'file:/xen/images/web1.img,xvda,w',  # the root disk
                     'tap:aio:/xen/images/web1-data.img,xvdb,w',
                     '/var/lib/vmstore/web1-swap.raw,raw,xvdc,rw',
                     'format=raw, vdev=xvdd, access=rw, target=/dev/mapper/vmstore-1' ]
            vif = [ 'bridge=xenbr0' ]
            """)
        #expect(parsed.name == "web1")
        #expect(parsed.disks == [
            DiskFacts(source: "/xen/images/web1.img", target: "xvda"),
            DiskFacts(source: "/xen/images/web1-data.img", target: "xvdb"),
            DiskFacts(source: "/var/lib/vmstore/web1-swap.raw", target: "xvdc"),
            DiskFacts(source: "/dev/mapper/vmstore-1", target: "xvdd"),
        ])
        #expect(XenConfigParser.parse("name='x'\ndisk=['phy:/dev/vg/x,hda,w']\n").disks == [DiskFacts(source: "/dev/vg/x", target: "hda")])
    }

    @Test func kernelFactsComeFromIscsiadmMultipathAndFindmntOutputsCapturedInAGuest() async throws {
        let (session, multipath, findmnt) = (try Self.fixture("iscsiadm-session-P3.txt"), try Self.fixture("multipath-ll.txt"), try Self.fixture("findmnt-nfs41.json"))
        let runner = ScriptedRunner { command throws(SystemError) in
            switch command.executable {
            case "iscsiadm": return CommandResult(command: command, exitCode: 0, stdout: session, stderr: "")
            case "multipath": return CommandResult(command: command, exitCode: 0, stdout: multipath, stderr: "")
            case "findmnt": return CommandResult(command: command, exitCode: 0, stdout: findmnt, stderr: "")
            default: throw .notInstalled(command.executable)
            }
        }
        var spec = CheckFixtures.spec
        spec.hosts = spec.hosts.map { host in var host = host; host.transport = .ssh; return host }
        let collector = HostFactsCollector(spec: spec, host: spec.host(named: "hv2")!, secrets: [:], probeTimeout: .seconds(1), version: "t", runner: runner)
        let kernel = await collector.kernelFacts()
        let sessions = try #require(kernel.sessions.value)
        #expect(Set(sessions.map { $0.portal }) == ["10.99.1.5:3260", "10.99.2.5:3260"])
        #expect(sessions.allSatisfy { $0.sessionState == .loggedIn && $0.target == "iqn.2026-11.lab.san:vmstore" })
        let maps = try #require(kernel.multipath.value)
        #expect(maps.map { $0.alias }.sorted() == ["vmstore-1", "vmstore-2"])
        #expect(maps.allSatisfy { $0.activePaths == 2 })
        #expect(kernel.mounts.value?.map { "\($0.target) \($0.source) \($0.fstype)" } == ["/mnt/storage4 10.99.1.9:/srv/vmstore nfs4"])
        // The options, for path.mount.options.
        #expect(kernel.mounts.value?.first.map { ["vers=4.1", "hard", "local_lock=none"].allSatisfy($0.options.contains) } == true)

        // No iscsiadm: the reason, never an empty list that would read as "no sessions".
        let bare = HostFactsCollector(spec: spec, host: spec.host(named: "hv2")!, secrets: [:], probeTimeout: .seconds(1), version: "t",
                                      runner: ScriptedRunner { command throws(SystemError) in throw .notInstalled(command.executable) })
        #expect(await bare.kernelFacts().sessions == .unknown("iscsiadm is not installed (open-iscsi)"))
        // iscsiadm's exit 21 is "no active sessions": known, empty.
        let none = HostFactsCollector(spec: spec, host: spec.host(named: "hv2")!, secrets: [:], probeTimeout: .seconds(1), version: "t",
                                      runner: ScriptedRunner { CommandResult(command: $0, exitCode: 21, stdout: "", stderr: "iscsiadm: No active sessions.\n") })
        #expect(await none.kernelFacts().sessions == .known([]))
        // Lab hosts do not even ask.
        let lab = HostFactsCollector(spec: CheckFixtures.labSpec, host: CheckFixtures.labSpec.host(named: "hv2")!, secrets: [:], probeTimeout: .seconds(1), version: "t", runner: runner)
        #expect(await lab.kernelFacts().sessions.reason?.hasPrefix("lab host") == true)
    }

    @Test func aHostThatNeverAnswersIsSilentWhenTheTimeoutEndsNotWhenItDoes() async throws {
        let spec = CheckFixtures.spec
        let gatherer = ClusterFactsGatherer(
            spec: spec, specYAML: CheckFixtures.yaml, secrets: [:], hosts: spec.hypervisors.filter { $0.name == "hv1" }, timeout: .milliseconds(500),
            transport: { host in StuckTransport(host: host.name) }, storagekit: { _ in ["storagekit"] })
        let started = ContinuousClock.now
        let facts = await gatherer.gather()
        let elapsed = ContinuousClock.now - started
        // Far below the 30 s the host takes, with room for a loaded machine of two cores, where
        // other tests' work can hold both of Swift's cooperative threads for seconds.
        #expect(elapsed < .seconds(15), "waited \(elapsed) for a host that takes \(StuckTransport.delay) s")
        guard case .silent(let reason)? = facts.hosts["hv1"] else { Issue.record("hv1 should be silent"); return }
        #expect(reason == "did not answer within 0.5 s")
    }

    @Test func everyRoundGoesToOneSessionPerHostAndTheSessionsAreClosedAtTheEnd() async throws {
        let spec = CheckFixtures.spec
        let server = FakeServer()
        let transports = spec.hypervisors.map { server.sessionHost($0.name) }
        let gatherer = ClusterFactsGatherer(
            spec: spec, specYAML: CheckFixtures.yaml, secrets: [:], hosts: spec.hypervisors, timeout: .seconds(5),
            transport: { host in transports.first { $0.host == host.name }! }, storagekit: { _ in ["/opt/sk/storagekit"] })
        let facts = await gatherer.gather()
        #expect(facts.hosts.values.allSatisfy { $0.facts != nil })
        #expect(Set(facts.canaryReads.map { "\($0.reader)<\($0.writer)" }) == ["hv1<hv2", "hv2<hv1"])
        // Each canary's one reader removed it once read: no removal round.
        #expect(Set(server.removedBy) == ["hv1:/.c-hv2", "hv2:/.c-hv1"])
        for transport in transports {
            #expect(transport.sessions.map(\.argv) == [["/opt/sk/storagekit", "facts", "--session"]], "\(transport.host)")
            #expect(transport.commands.isEmpty, "\(transport.host) was also asked with one process per request")
            #expect(transport.sessions.allSatisfy { $0.closed }, "\(transport.host)'s session was left open")
        }
        // gather from each, then reads that remove (hv1 and hv2 share the export): all through the sessions.
        #expect(server.requests.filter { $0.request.mode == .gather }.count == spec.hypervisors.count)
        #expect(server.requests.filter { $0.request.mode != .gather }.count == 2)
        #expect(server.requests.filter { $0.request.mode == .removeCanaries }.isEmpty)
        // The spec went once per session, with the facts request.
        #expect(server.requests.filter { $0.request.mode != .gather }.allSatisfy { $0.request.specYAML.isEmpty })
    }

    @Test func aLateHostDoesNotCostARemovalRoundReadsThatCannotChangeAreMadeAndRemovedEarly() async throws {
        let spec = CheckFixtures.spec
        let server = FakeServer()
        let timeout = Duration.seconds(4)
        let transports = spec.hypervisors.map { host in
            guard host.name == "hv3" else { return server.sessionHost(host.name) }
            // hv3 answers only once hv1 has read hv2's canary, which is settled at half time
            // (no host between them); hv2's read of hv1 waits for hv3, which is between.
            return ScriptedTransport(host: "hv3", session: { command in
                ScriptedSession(command: command) { line in
                    _ = try? await waitUntil("an early canary read", timeout: .milliseconds(3500), every: .milliseconds(20)) {
                        server.requests.contains { $0.request.mode == .readCanaries }
                    }
                    var asked = command
                    asked.stdin = line
                    return .line(server.answer("hv3", asked))
                }
            }, reply: { CommandResult(command: $0, exitCode: 1, stdout: "", stderr: "no") })
        }
        let gatherer = ClusterFactsGatherer(
            spec: spec, specYAML: CheckFixtures.yaml, secrets: [:], hosts: spec.hypervisors, timeout: timeout,
            transport: { host in transports.first { $0.host == host.name }! }, storagekit: { _ in ["storagekit"] })
        let facts = await gatherer.gather()
        #expect(facts.hosts.values.allSatisfy { $0.facts != nil })
        let order = server.requests.map { "\($0.request.host):\($0.request.mode)" }
        let early = try #require(order.firstIndex(of: "hv1:readCanaries"), "\(order)")
        let late = try #require(order.firstIndex(of: "hv3:gather"), "\(order)")
        #expect(early < late, "hv1 read before hv3 answered: \(order)")
        #expect(order.filter { $0 == "hv2:readCanaries" }.count == 1, "\(order)")
        #expect(Set(facts.canaryReads.map { "\($0.reader)<\($0.writer)" }) == ["hv1<hv2", "hv2<hv1"])
        #expect(Set(server.removedBy) == ["hv1:/.c-hv2", "hv2:/.c-hv1"])
        #expect(server.requests.filter { $0.request.mode == .removeCanaries }.isEmpty, "\(order)")
    }

    @Test func aSessionThatEndsBeforeAnsweringMakesTheHostSilentWithItsLastWords() async throws {
        let spec = CheckFixtures.spec
        let gatherer = ClusterFactsGatherer(
            spec: spec, specYAML: CheckFixtures.yaml, secrets: [:], hosts: spec.hypervisors.filter { $0.name == "hv1" }, timeout: .seconds(5),
            transport: { host in Self.endingHost(host.name) }, storagekit: { _ in ["storagekit"] })
        let facts = await gatherer.gather()
        guard case .silent(let reason)? = facts.hosts["hv1"] else { Issue.record("hv1 should be silent"); return }
        #expect(reason == "storagekit facts failed there (exit 2): error: the spec sent for facts does not load: bad")

        // An older storagekit there, without sessions: say so, not its usage text.
        let old = ClusterFactsGatherer(
            spec: spec, specYAML: CheckFixtures.yaml, secrets: [:], hosts: spec.hypervisors.filter { $0.name == "hv1" }, timeout: .seconds(5),
            transport: { host in Self.endingHost(host.name, stderr: "Error: Unknown option '--session'\nUsage: storagekit facts [--spec <file>]\n  See 'storagekit facts --help' for more information.") },
            storagekit: { _ in ["storagekit"] })
        guard case .needsDeploy(let older)? = await old.gather().hosts["hv1"] else { Issue.record("hv1 should need deploy"); return }
        #expect(older == "its storagekit is older than this one (no `facts --session`)")
        let context = CheckContext(spec: spec, facts: ClusterFacts(hosts: ["hv1": .needsDeploy(reason: older)]), specFile: "c.yaml", hypervisors: spec.hypervisors.filter { $0.name == "hv1" })
        let finding = ReadinessRules.evaluate(context).first { $0.check == CheckID.hostFacts }
        #expect(finding?.status == .fail && finding?.fix == "storagekit deploy --host hv1 --spec c.yaml", "\(String(describing: finding))")
    }

    @Test func canariesAreReadByTheirRingNeighbourWhichRemovesThem() async throws {
        let spec = CheckFixtures.spec
        let server = FakeServer()
        let gatherer = ClusterFactsGatherer(
            spec: spec, specYAML: CheckFixtures.yaml, secrets: ["/etc/storagekit/chap.secret": "s3cret"], hosts: spec.hypervisors, timeout: .seconds(5),
            transport: { host in server.answeringHost(host.name) }, storagekit: { _ in ["storagekit"] })
        let facts = await gatherer.gather()
        #expect(facts.hosts.values.allSatisfy { $0.facts != nil })
        #expect(Set(facts.canaryReads.map { "\($0.reader)<\($0.writer)" }) == ["hv1<hv2", "hv2<hv1"])
        #expect(facts.canaryReads.allSatisfy { $0.content == server.written[$0.path] })
        #expect(Set(server.removedBy) == ["hv1:/.c-hv2", "hv2:/.c-hv1"])
        // The secret went on stdin, never into argv.
        #expect(server.requests.allSatisfy { !$0.argv.joined().contains("s3cret") })
        #expect(server.requests.contains { $0.request.secrets["/etc/storagekit/chap.secret"] == "s3cret" })
        let findings = ReadinessRules.evaluate(CheckContext(spec: spec, facts: facts, specFile: "c.yaml"))
        #expect(findings.with(.nfsCanaryShared, .pass).first.map { Set($0.hosts) } == ["hv1", "hv2"])
    }
}
