import Foundation
import StorageModel
import StorageSystem
import StorageTestSupport
import Testing

/// The namespace lab for real: hosts on two bridges, each with its own /etc; `up` idempotent;
/// `down` removes exactly what `up` made, also after a failed `up`, and nothing it did not make.
/// Traffic is sent only from inside lab namespaces.
@Suite(.serialized, .tags(.lab), .needsLab) struct LabTests {
    static let yaml = """
        cluster: skit
        mountPath: /var/lib/vmstore
        network: [10.98.1.0/24, 10.98.2.0/24]
        hosts:
          - {name: san, addresses: [10.98.1.5, 10.98.2.5], roles: [iscsi-target]}
          - {name: hv1, addresses: [10.98.1.11, 10.98.2.11], roles: [hypervisor]}
          - {name: hv2, address: 10.98.1.12, roles: [hypervisor]}
        iscsi:
          targets:
            - iqn: iqn.2026-11.skit.san:disk
              server: san
              initiators: [hv1, hv2]
              luns: [{lun: 1, backingStore: /srv/iscsi/disk.img, size: 64M}]
          multipath: {alias: disk}

        """

    let layout: LabLayout

    init() throws {
        layout = try LabLayout(spec: SpecLoader.load(yaml: Self.yaml).spec, runRoot: "/run/storagekit/lab-test", dataRoot: "/var/tmp/storagekit-lab-test")
    }

    func on(_ host: String, _ command: [String]) async throws -> CommandResult {
        try await SubprocessRunner().run(Command("nsenter", Array(layout.execArguments(host: layout.host(host), command).dropFirst())))
    }

    func namespaces() async throws -> [String] {
        try await SubprocessRunner().run(Command("ip", ["netns", "list"])).stdout.split(separator: "\n").map { String($0.split(separator: " ")[0]) }
    }

    @Test func upGivesEachHostItsAddressesAndItsOwnEtcAndDownRemovesEverything() async throws {
        let lab = LabController(layout: layout)
        _ = try? await lab.down()
        defer { Task { _ = try? await lab.down() } }

        let first = try await lab.up()
        #expect(first.created.contains { $0.hasPrefix("host hv1") })
        let status = try await lab.status()
        #expect(status.allSatisfy { $0.namespace && $0.mountNamespace })
        #expect(status.first { $0.host == "hv1" }?.addresses == ["eth0 10.98.1.11/24", "eth1 10.98.2.11/24"])

        // Both subnets work, from inside the lab.
        for portal in ["10.98.1.5", "10.98.2.5"] {
            let ping = try await on("hv1", ["ping", "-c", "1", "-W", "2", portal])
            #expect(ping.exitCode == 0, "hv1 → \(portal): \(ping.stdout)\(ping.stderr)")
        }
        // hv2 has no NIC on the second subnet.
        #expect(try await on("hv2", ["ip", "-4", "-o", "addr", "show", "dev", "eth1"]).exitCode != 0)

        // A file written in hv1's /etc is in neither hv2's nor this machine's.
        let marker = "/etc/storagekit-lab-test-\(UUID().uuidString)"
        #expect(try await on("hv1", ["sh", "-c", "echo hv1 > \"$1\"", "sh", marker]).exitCode == 0)
        #expect(try await on("hv1", ["cat", marker]).stdout == "hv1\n")
        #expect(try await on("hv2", ["cat", marker]).exitCode != 0)
        #expect(!FileManager.default.fileExists(atPath: marker))

        // The lab transport runs a command on hv1 as everything else in storagekit will.
        let transport = LabTransport(host: "hv1", layout: layout)
        let addresses = try await transport.run(Command("ip", ["-4", "-o", "addr", "show", "dev", "eth1"]))
        #expect(addresses.stdout.contains("10.98.2.11/24"))

        // Idempotent: a second up creates nothing and keeps hv1's files.
        let second = try await lab.up()
        #expect(second.created.isEmpty, "\(second.created)")
        #expect(try await on("hv1", ["cat", marker]).stdout == "hv1\n")

        let removed = try await lab.down()
        #expect(removed.filter { $0.hasPrefix("namespace") }.count == 3)
        #expect(try await namespaces().filter { $0.hasPrefix("sk-skit-") }.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: layout.runDirectory))
        #expect(try await lab.down().isEmpty, "down twice is a no-op")
    }

    @Test func downAfterAFailedUpCleansUpWhatWasMade() async throws {
        // A runner that fails every `unshare`: up stops half way.
        let failingUnshare = ScriptedRunner { command async throws(SystemError) in
            if command.executable == "unshare" { return CommandResult(command: command, exitCode: 1, stdout: "", stderr: "injected failure") }
            return try await SubprocessRunner().run(command)
        }
        let broken = LabController(layout: layout, runner: failingUnshare)
        _ = try? await LabController(layout: layout).down()
        await #expect(throws: SystemError.self) { try await broken.up() }
        #expect(try await namespaces().contains("sk-skit-san"))
        _ = try await LabController(layout: layout).down()
        #expect(try await namespaces().filter { $0.hasPrefix("sk-skit-") }.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: layout.runDirectory))
    }

    @Test func aNamespaceItDidNotCreateIsNeverTouched() async throws {
        let lab = LabController(layout: layout)
        _ = try? await lab.down()
        let foreign = layout.hosts[1].namespace
        _ = try await SubprocessRunner().run(Command("ip", ["netns", "add", foreign]))
        await #expect(throws: SystemError.notCreatedByUs("network namespace \(foreign)")) { try await lab.up() }
        _ = try await lab.down()
        #expect(try await namespaces().contains(foreign), "down removed a namespace it did not create")
        _ = try await SubprocessRunner().run(Command("ip", ["netns", "del", foreign]))
    }
}
