import StorageModel
import StorageTestSupport
import Testing
@testable import StorageSystem

@Suite struct TransportTests {
    static let hostile = ["plain", "two words", "semi;colon", "$(id)", "`id`", "it's", "\"quoted\"", "new\nline", "*", "", "-n", "ünï"]

    @Test func sshQuotesEveryArgumentSoTheRemoteShellSeesTheSameWords() async throws {
        let ssh = SSHTransport(host: "hv1", destination: "root@10.20.0.11")
        let argv = ssh.sshArguments(for: Command("printf", ["%s\\0"] + Self.hostile))
        #expect(argv.contains("BatchMode=yes"))
        #expect(argv.contains("ControlMaster=auto"))
        let destination = try #require(argv.firstIndex(of: "root@10.20.0.11"))
        #expect(argv[destination - 1] == "--")
        // What the remote shell would run, run by a local shell: the words come back unchanged.
        let remote = argv[destination + 1]
        let result = try await SubprocessRunner().run(Command("/bin/sh", ["-c", remote]))
        #expect(result.stdout.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init) == Self.hostile)
    }

    @Test func sshsOwnFailureIsNotBlamedOnTheCommand() async throws {
        let runner = ScriptedRunner { CommandResult(command: $0, exitCode: 255, stdout: "", stderr: "ssh: connect to host 10.20.0.11 port 22: Connection refused\n") }
        let ssh = SSHTransport(host: "hv1", destination: "root@10.20.0.11", runner: runner)
        await #expect(throws: SystemError.launchFailed("true", reason: "ssh to root@10.20.0.11 failed: ssh: connect to host 10.20.0.11 port 22: Connection refused")) {
            try await ssh.run(Command("true"))
        }
        #expect(runner.commands.first?.executable == "ssh")
    }

    @Test func secretsTravelOnStdinNotInTheRemoteCommand() async throws {
        let runner = ScriptedRunner { CommandResult(command: $0, exitCode: 0, stdout: "", stderr: "") }
        let ssh = SSHTransport(host: "san1", destination: "root@10.20.0.5", runner: runner)
        _ = try await ssh.run(Command("tgtadm", ["--mode", "account"], stdin: "s3cret"))
        #expect(runner.commands.first?.stdin == "s3cret")
        #expect(!(runner.commands.first?.arguments.joined().contains("s3cret") ?? true))
    }

    @Test func labTransportWrapsTheCommandInTheHostsNamespaces() async throws {
        let spec = ClusterSpec(cluster: "t", mountPath: "/v", networks: ["10.97.0.0/24"],
                               hosts: [Host(name: "hv1", addresses: ["10.97.0.11"], roles: [.hypervisor], transport: .lab)])
        let layout = try LabLayout(spec: spec)
        let runner = ScriptedRunner { CommandResult(command: $0, exitCode: 0, stdout: "ok", stderr: "") }
        let transport = try Transports.make(for: spec.hosts[0], layout: layout, runner: runner)
        let result = try await transport.run(Command("iscsi-ls", ["iscsi://10.97.0.5/"]))
        #expect(result.command.executable == "iscsi-ls")
        #expect(runner.commands.first.map { [$0.executable] + $0.arguments } == [
            "nsenter", "--mount=/run/storagekit/lab/t/hv1.mnt", "--uts=/run/storagekit/lab/t/hv1.uts", "--net=/run/netns/sk-t-hv1", "--", "iscsi-ls", "iscsi://10.97.0.5/",
        ])
    }

    @Test func theSpecChoosesTheTransport() throws {
        let text = "cluster: t\nmountPath: /v\nnetwork: 10.97.0.0/24\nhosts:\n  - {name: a, address: 10.97.0.1, roles: [hypervisor], transport: lab}\n  - {name: b, address: 10.97.0.2, roles: [hypervisor]}\nnfs: {server: a, exports: [{path: /srv/x, clients: [10.97.0.0/24]}]}\n"
        let spec = try SpecLoader.load(yaml: text).spec
        #expect(spec.hosts.map(\.transport) == [.lab, .ssh])
        #expect((try Transports.make(for: spec.hosts[1], labs: []) as? SSHTransport)?.destination == "root@10.97.0.2")
        let bad = try SpecLoader.load(yaml: text.replacingOccurrences(of: "transport: lab", with: "transport: sshh"))
        #expect(bad.diagnostics.first?.fix == "did you mean \"ssh\"?")
    }
}
