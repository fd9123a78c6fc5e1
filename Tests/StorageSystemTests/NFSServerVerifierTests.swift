import StorageModel
import Testing
@testable import StorageSystem

/// Which host `setup nfs` verifies the export from: a client, through the firewall.
@Suite struct NFSServerVerifierTests {
    /// The iSCSI server comes first and sits in the storage network too, but is no NFS client.
    static func spec(clients: [String]) -> ClusterSpec {
        ClusterSpec(
            cluster: "t", mountPath: "/v", networks: ["10.96.10.0/24"],
            hosts: [
                Host(name: "san", addresses: ["10.96.10.5"], roles: [.iscsiTarget]),
                Host(name: "nfs", addresses: ["10.96.10.6"], roles: [.nfsServer]),
                Host(name: "hv1", addresses: ["10.96.10.11"], roles: [.hypervisor]),
                Host(name: "hv2", addresses: ["10.96.10.12"], roles: [.hypervisor]),
            ],
            nfs: NFSSpec(server: "nfs", exports: [NFSExport(path: "/srv/vm", clients: clients)]))
    }

    @Test func aHypervisorInsideAClientNetworkIsAskedFrom() {
        #expect(NFSServerVerifier.clientHost(Self.spec(clients: ["10.96.10.0/24"]))?.name == "hv1")
    }

    @Test func aHostListedByAddressIsStillPreferred() {
        #expect(NFSServerVerifier.clientHost(Self.spec(clients: ["10.96.10.0/24", "10.96.10.12"]))?.name == "hv2")
    }

    @Test func withNoHypervisorInsideTheClientsTheServerAsksItself() {
        #expect(NFSServerVerifier.clientHost(Self.spec(clients: ["10.96.11.0/24"])) == nil)
    }
}
