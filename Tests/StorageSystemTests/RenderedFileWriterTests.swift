import Foundation
import StorageRender
import Testing
@testable import StorageSystem

@Suite struct RenderedFileWriterTests {
    let fstabBlock = RenderedFile(
        path: "/etc/fstab", content: "# BEGIN storagekit lab\nnfs1:/srv /mnt nfs _netdev 0 0\n# END storagekit lab\n",
        kind: .managedBlock(begin: "# BEGIN storagekit lab", end: "# END storagekit lab"), purpose: "fstab")

    @Test func managedBlockIsAppendedThenReplacedLeavingOtherLinesAlone() throws {
        let fs = InMemoryFileSystem(files: ["/etc/fstab": "UUID=1 / ext4 defaults 0 1\n"])
        let writer = RenderedFileWriter(fileSystem: fs)
        _ = try writer.write([fstabBlock])
        #expect(try fs.read("/etc/fstab") == "UUID=1 / ext4 defaults 0 1\n" + fstabBlock.content)

        var changed = fstabBlock
        changed.content = "# BEGIN storagekit lab\nnfs2:/srv /mnt nfs _netdev 0 0\n# END storagekit lab\n"
        let second = try writer.write([changed])
        #expect(try fs.read("/etc/fstab") == "UUID=1 / ext4 defaults 0 1\n" + changed.content)
        #expect(second.first?.changed == true)
    }

    @Test func secondWriteOfTheSameFilesChangesNothing() throws {
        let fs = InMemoryFileSystem()
        let writer = RenderedFileWriter(fileSystem: fs)
        let files = [RenderedFile(path: "/etc/exports", mode: 0o644, content: "/srv *(ro)\n", purpose: "x"), fstabBlock]
        #expect(try writer.write(files).allSatisfy(\.changed))
        #expect(try writer.write(files).allSatisfy { !$0.changed })
    }

    @Test func reportsModeAndSha256OfWhatIsOnDisk() throws {
        let fs = InMemoryFileSystem()
        let written = try RenderedFileWriter(fileSystem: fs).write([
            RenderedFile(path: "/etc/tgt/conf.d/lab.conf", mode: 0o600, content: "abc", purpose: "x")
        ])
        #expect(written.first?.mode == "0600")
        // sha256("abc")
        #expect(written.first?.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try fs.status("/etc/tgt/conf.d/lab.conf")?.mode == 0o600)
    }

    @Test func localFileSystemWritesUnderItsRootAtomicallyWithTheMode() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sk-fs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fs = LocalFileSystem(root: root)
        try fs.write("/etc/iscsi/initiatorname.iscsi", contents: "InitiatorName=iqn.x\n", mode: 0o600)
        #expect(try String(contentsOfFile: root + "/etc/iscsi/initiatorname.iscsi", encoding: .utf8) == "InitiatorName=iqn.x\n")
        #expect(try fs.status("/etc/iscsi/initiatorname.iscsi") == FileStatus(mode: 0o600, size: 20))
        #expect(try fs.read("/etc/missing") == nil)
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/etc/iscsi") == ["initiatorname.iscsi"])
    }

    /// `render --root out` once built "/out/etc" (directories at the top of the machine's file
    /// system) and then failed to write "out/etc/exports".
    @Test func aRelativeRootIsUnderTheWorkingDirectoryNotUnderSlash() {
        let cwd = FileManager.default.currentDirectoryPath
        #expect(LocalFileSystem(root: "out/nfs1/").root == cwd + "/out/nfs1")
        #expect(LocalFileSystem(root: "out").hostPath("/etc/exports") == cwd + "/out/etc/exports")
        #expect(LocalFileSystem(root: "/tmp/x").root == "/tmp/x")
        #expect(LocalFileSystem().hostPath("/etc/exports") == "/etc/exports")
    }

    @Test func previewFileSystemNeverTouchesItsBase() throws {
        let base = InMemoryFileSystem(files: ["/etc/fstab": "old\n"])
        let preview = PreviewFileSystem(base: base)
        try preview.write("/etc/fstab", contents: "new\n", mode: 0o644)
        #expect(try preview.read("/etc/fstab") == "new\n")
        #expect(try base.read("/etc/fstab") == "old\n")
    }
}

@Suite struct SecretFilesTests {
    @Test func inspectsModeAndLengthAndReadsTheFirstLineOnly() {
        let fs = InMemoryFileSystem()
        try? fs.write("/etc/storagekit/a.chap", contents: "s3cret-s3cret\nignored\n", mode: 0o600)
        try? fs.write("/etc/storagekit/b.chap", contents: "s3cret-s3cret\n", mode: 0o644)
        let secrets = SecretFiles(fileSystem: fs)
        #expect(secrets.inspect("/etc/storagekit/a.chap") == .ok(length: 13))
        #expect(secrets.inspect("/etc/storagekit/b.chap") == .readableByOthers(mode: 0o644, length: 13))
        #expect(secrets.inspect("/etc/storagekit/none.chap") == .missing)
        #expect(secrets.read(["/etc/storagekit/a.chap", "/nope"]) == ["/etc/storagekit/a.chap": "s3cret-s3cret"])
    }
}

@Suite struct SubprocessRunnerTests {
    @Test func returnsExitCodeAndOutputAsValues() async throws {
        let result = try await SubprocessRunner().run(Command("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"]))
        #expect(result.exitCode == 3)
        #expect(result.stdout == "out\n")
        #expect(result.stderr == "err\n")
    }

    @Test func passesSecretsOnStdinNotArgv() async throws {
        let result = try await SubprocessRunner().run(Command("/bin/cat", [], stdin: "secret"))
        #expect(result.stdout == "secret")
        #expect(!Command("/bin/cat", [], stdin: "secret").description.contains("secret"))
    }

    @Test func killsACommandPastItsDeadline() async throws {
        let start = ContinuousClock.now
        await #expect(throws: SystemError.self) {
            try await SubprocessRunner().run(Command("/bin/sleep", ["30"], timeout: .milliseconds(300)))
        }
        // Far below the 30 s of the command, with room for a loaded machine of two cores.
        #expect(ContinuousClock.now - start < .seconds(15))
    }

    @Test func aMissingExecutableSaysSo() async throws {
        await #expect(throws: SystemError.notInstalled("storagekit-no-such-tool")) {
            try await SubprocessRunner().run(Command("storagekit-no-such-tool"))
        }
    }
}
