import Foundation
import StorageFacts
import StorageModel
import StorageTestSupport
import Testing
@testable import StorageSystem

/// The pure parts of `deploy`: the loader's cache, the packages it names, the ELF headers of a
/// real binary, and which builds may go to hosts.
@Suite struct DeployPartsTests {
    @Test func debian12sLoaderCacheHasWhatTheReleaseBuildNeeds() throws {
        let cached = try LoaderCache.sonames(TestFixtures.text("deploy/ldconfig-p-debian12.txt"))
        let needs = ["libnfs.so.13", "libiscsi.so.7", "libxml2.so.2", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libc.so.6", "ld-linux-x86-64.so.2"]
        #expect(LoaderCache.missing(needs, cached: cached).isEmpty)
        #expect(LoaderCache.missing(needs + ["libnfs.so.14"], cached: cached) == ["libnfs.so.14"])
    }

    @Test func only64BitEntriesCount() throws {
        let listing = "2 libs found in cache `/etc/ld.so.cache'\n\tlibnfs.so.13 (libc6) => /lib/i386-linux-gnu/libnfs.so.13\n\tlibc.so.6 (libc6,x86-64, OS ABI: Linux 3.2.0) => /lib64/libc.so.6\n"
        #expect(try LoaderCache.sonames(listing) == ["libc.so.6"])
    }

    @Test func outputThatIsNotTheCacheIsSaidNotReadAsEmpty() {
        #expect(throws: ToolOutputError(tool: "ldconfig -p", text: "no \"libs found in cache\" header (ldconfig: Can't open cache file /etc/ld.so.cache)")) {
            try LoaderCache.sonames("ldconfig: Can't open cache file /etc/ld.so.cache\n")
        }
        #expect(throws: ToolOutputError(tool: "ldconfig -p", line: 2, text: "garbage", reason: "not `soname (flags) => path`")) { try LoaderCache.sonames("3 libs found in cache `/etc/ld.so.cache'\ngarbage\n") }
    }

    @Test func theLoadersOwnComplaintNamesTheLibrary() {
        let said = "/usr/local/bin/.storagekit.deploy-1: error while loading shared libraries: libnfs.so.13: cannot open shared object file: No such file or directory\n"
        #expect(LoaderCache.unloadable(said) == "libnfs.so.13")
        #expect(LoaderCache.unloadable("Segmentation fault") == nil)
    }

    @Test func packagesAreNamedPerDistribution() {
        #expect(RuntimePackages.installCommand(["libnfs.so.13", "libiscsi.so.7"], on: .debian) == "apt-get install libnfs13 libiscsi7")
        #expect(RuntimePackages.installCommand(["libnfs.so.13"], on: .rhel) == "dnf install libnfs")
        #expect(RuntimePackages.installCommand(["libfoo.so.1"], on: .debian) == "install the packages that provide libfoo.so.1")
    }

    @Test func aRealBinarysHeaders() throws {
        let image = try ELFImage.read(path: "/bin/sh")
        #expect(image.needed.contains("libc.so.6"))
        #expect(image.buildID?.count == 40, "Debian links with a sha1 build id")
        #expect(image.hasStaticSwiftRuntime)
        let own = try ELFImage.read(path: "/proc/self/exe")
        #expect(own.buildID != nil && own.buildID != image.buildID)
    }

    @Test func whatIsNotAnELFFileSaysWhy() {
        #expect(throws: SystemError.binary("x", reason: "is not an ELF file")) { try ELFImage.parse(Data("#!/bin/sh\necho hi\n".utf8) + Data(count: 64), path: "x") }
        var truncated = try! Data(contentsOf: URL(fileURLWithPath: "/bin/sh"))
        truncated = truncated.prefix(80)
        #expect(throws: SystemError.self) { try ELFImage.parse(truncated, path: "/bin/sh") }
    }

    @Test func onlyAReleaseBuildWithTheRuntimeLinkedInGoesToHosts() {
        let release = BuildInfo(version: "0.1.0", buildID: "ab", configuration: .release, swiftRuntime: .static, needs: [])
        #expect(release.unfitForHosts == nil)
        var debug = release
        debug.configuration = .debug
        debug.swiftRuntime = .dynamic
        #expect(debug.unfitForHosts?.hasPrefix("this storagekit is a debug build, linked to the Swift runtime of this machine's toolchain") == true)
        #expect(debug.unfitForHosts?.contains("swift build -c release --static-swift-stdlib") == true)
    }
}
