/// The kernel modules of an iSCSI LIO target with file and block backstores: what `setup`
/// loads on a host without them, and what a kernel-lab guest serving LIO loads at boot.
public enum LIOModules {
    public static let all = ["target_core_mod", "target_core_file", "target_core_iblock", "iscsi_target_mod"]
    public static var load: Command { Command("modprobe", ["-a"] + all, timeout: .seconds(60)) }
}
