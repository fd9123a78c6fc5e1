import CLibISCSI

/// What a libiscsi callback delivered. The context's callbacks get a pointer to one of these
/// as their private data; it outlives the context (a connect callback may fire again at teardown).
final class ISCSICompletion {
    var done = false
    var status: Int32 = 0
    var data: UnsafeMutableRawPointer?
    /// SendTargets answers, copied inside the callback: libiscsi frees them when it returns.
    var discovered: [(iqn: String, portals: [String])] = []

    func reset() {
        done = false
        status = 0
        data = nil
        discovered = []
    }

    var pointer: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static let discoveryCallback: iscsi_command_cb = { _, status, data, privateData in
        guard let privateData else { return }
        let completion = Unmanaged<ISCSICompletion>.fromOpaque(privateData).takeUnretainedValue()
        completion.status = status
        var address = status == 0 ? data?.assumingMemoryBound(to: iscsi_discovery_address.self) : nil
        while let current = address {
            var portals: [String] = []
            var entry = current.pointee.portals
            while let portal = entry {
                if let text = portal.pointee.portal { portals.append(String(cString: text)) }
                entry = portal.pointee.next
            }
            if let name = current.pointee.target_name { completion.discovered.append((String(cString: name), portals)) }
            address = current.pointee.next
        }
        completion.done = true
    }

    static let callback: iscsi_command_cb = { _, status, data, privateData in
        guard let privateData else { return }
        let completion = Unmanaged<ISCSICompletion>.fromOpaque(privateData).takeUnretainedValue()
        completion.status = status
        completion.data = data
        completion.done = true
    }
}
