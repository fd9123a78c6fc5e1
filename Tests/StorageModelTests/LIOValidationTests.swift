import StorageModel
import Testing

/// What validation says of `implementation: lio` targets: what LIO cannot honour is named.
@Suite struct LIOValidationTests {
    static let lio = ("      server: san1\n", "      server: san1\n      implementation: lio\n")

    @Test func aLIOTargetLoadsAndAnUnknownImplementationIsNamed() throws {
        let spec = try SpecLoader.load(yaml: SpecFixture.yaml([Self.lio])).spec
        #expect(spec.iscsi?.targets.first?.implementation == .lio)
        #expect(try SpecFixture.diagnostics().filter { $0.severity == .error }.isEmpty, "the base spec is valid")
        #expect(try SpecFixture.diagnostics(Self.lio).filter { $0.severity == .error }.isEmpty, "and so is its LIO form")
        let wrong = try SpecFixture.diagnostics(("      server: san1\n", "      server: san1\n      implementation: iet\n")).at("iscsi.targets[0].implementation")
        #expect(wrong?.message == "\"iet\" is not one of: tgt | lio")
    }

    @Test func aLIOSerialWithoutHexDigitsWouldGiveAnEmptyWWID() throws {
        let error = try SpecFixture.diagnostics(Self.lio, ("          size: 6G\n", "          size: 6G\n          serial: SK-XYZ\n"))
            .at("iscsi.targets[0].luns[0].serial")
        #expect(error?.message.contains("has no hex digit") == true)
        #expect(error?.message.contains("36001405" + String(repeating: "0", count: 25)) == true)
    }

    @Test func twoLIOSerialsAlikeInTheirFirst25HexDigitsShareAWWID() throws {
        // S, K and L are not hex: both serials read 0123456789ABCDEF012345678 then 90 or 91, so they
        // differ only after the 25th hex digit.
        let text = SpecFixture.yaml([
            Self.lio,
            ("          size: 6G\n", "          size: 6G\n          serial: SK0123456789ABCDEF01234567890\n"),
            ("  multipath:", """
                    - iqn: iqn.2026-11.lab.san1:other
                      server: san1
                      implementation: lio
                      initiators: [hv1, hv2]
                      chap: {username: other, secretFile: /etc/storagekit/vmstore.chap}
                      luns:
                        - {lun: 1, backingStore: /srv/iscsi/other.img, size: 1G, serial: SL0123456789ABCDEF01234567891}
                  multipath:
                """),
        ])
        let error = try SpecFixture.validate(text).at("iscsi.targets[1].luns[0].serial")
        #expect(error?.message.contains("is also iscsi.targets[0].luns[0]'s (LIO takes only the first 25 hex digits of the serial)") == true)
    }

    @Test func aLIOTargetWithoutCHAPIsWarnedThatNamesAreItsOnlyACL() throws {
        let open = try SpecFixture.diagnostics(Self.lio, ("      chap: {username: vmstore, secretFile: /etc/storagekit/vmstore.chap}\n", ""))
        let warning = open.at("iscsi.targets[0].initiators", .warning)
        #expect(warning?.message.contains("LIO admits an initiator by its name alone") == true)
        #expect(try SpecFixture.diagnostics(Self.lio).filter { $0.path == "iscsi.targets[0].initiators" }.isEmpty, "with CHAP nothing is said")
    }

    @Test func aLIOSerialMayBeLongerThanTgtsLimit() throws {
        let long = "SK" + String(repeating: "A1", count: 30)
        let lio = try SpecFixture.diagnostics(Self.lio, ("          size: 6G\n", "          size: 6G\n          serial: \(long)\n"))
        #expect(lio.filter { $0.path == "iscsi.targets[0].luns[0].serial" }.isEmpty)
        let tgt = try SpecFixture.diagnostics(("          size: 6G\n", "          size: 6G\n          serial: \(long)\n"))
        #expect(tgt.at("iscsi.targets[0].luns[0].serial")?.message.contains("must be 1-36") == true)
    }
}
