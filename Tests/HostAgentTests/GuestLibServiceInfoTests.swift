// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestLib
import GuestRPC
import HostAgent
import Testing

@Suite("GuestLibService: guestlib.info.get")
struct GuestLibServiceInfoTests {
    @Test func v3HostAnswersVersion3WithHeaderAndAll38Statistics() throws {
        let fixture = StatisticsFixture()
        let reply = fixture.send("guestlib.info.get 3")
        #expect(reply.succeeded)
        let decoded = try #require(V3Reply(reply.payload))
        #expect(decoded.version == 3)
        #expect(decoded.sessionID == 0x1111)
        #expect(Int(decoded.dataSize) == reply.payload.count - 16)
        #expect(decoded.entries.map(\.id) == Array(1...38))
        #expect(decoded.entries.allSatisfy { $0.valid == 1 })
    }

    @Test func v3ReplyCarriesTheDefaultFigures() throws {
        let fixture = StatisticsFixture()
        let decoded = try #require(V3Reply(fixture.send("guestlib.info.get 3").payload))
        #expect(decoded.integer(1) == 1000)
        #expect(decoded.integer(2) == 0xFFFF_FFFF)
        #expect(decoded.integer(3) == 2000)
        #expect(decoded.integer(7) == 0xFFFF_FFFF)
        #expect(decoded.integer(8) == 40960)
        #expect(decoded.integer(20) == 4096)
        #expect(decoded.integer(38) == 40960)
        #expect(decoded.entries[17].value == Array("/host/cluster/Resources/pool".utf8))
        #expect(decoded.entries[36].value == Array("/host/cluster/Resources/pool".utf8))
    }

    @Test func version2ReplyIsThe669ByteImage() {
        let fixture = StatisticsFixture()
        let reply = fixture.send("guestlib.info.get 2")
        #expect(reply.succeeded)
        #expect(reply.payload.count == 669)
        #expect(Array(reply.payload[0..<12]) == [2, 0, 0, 0, 0x11, 0x11, 0, 0, 0, 0, 0, 0])
        #expect(Array(reply.payload[12..<20]) == [1, 0, 0, 0, 0xE8, 0x03, 0, 0])  // cpuReservationMHz 1000
        #expect(reply.payload[156] == 1)
        #expect(Array(reply.payload[157..<185]) == Array("/host/cluster/Resources/pool".utf8))
        #expect(reply.payload[185...].allSatisfy { $0 == 0 })
    }

    @Test func v3HostAnswersAnUnsupportedVersionWithItsHighest() {
        let fixture = StatisticsFixture()
        #expect(fixture.send("guestlib.info.get 4") == .failure("3"))
        #expect(fixture.send("guestlib.info.get 1") == .failure("3"))
        #expect(fixture.send("guestlib.info.get x") == .failure("3"))
    }

    @Test func v2OnlyHostRefusesVersion3AndAnswersVersion2() {
        let fixture = StatisticsFixture()
        var configuration = VMStatisticsConfiguration()
        configuration.host.protocolVersion = .v2
        fixture.service.addVM(named: "vm1", configuration: configuration)
        #expect(fixture.send("guestlib.info.get 3") == .failure("Unsupported version"))
        let reply = fixture.send("guestlib.info.get 2")
        #expect(reply.succeeded)
        #expect(reply.payload.count == 669)
    }

    @Test func disabledGuestLibAnswersUnknownCommandToEveryGuestLibRequest() {
        let fixture = StatisticsFixture()
        var configuration = VMStatisticsConfiguration()
        configuration.host.isGuestLibEnabled = false
        fixture.service.addVM(named: "vm1", configuration: configuration)
        #expect(fixture.send("guestlib.info.get 3") == .failure("Unknown command"))
        #expect(fixture.send("guestlib.info.get 2") == .failure("Unknown command"))
        #expect(fixture.send("guestlib.stat.get json session") == .failure("Unknown command"))
        #expect(fixture.send("guestlib.ioctl ") == .failure("Unknown command"))
    }

    @Test func hostInfoOffSendsIds21To30Invalid() throws {
        let fixture = StatisticsFixture()
        var configuration = VMStatisticsConfiguration()
        configuration.host.isHostInfoEnabled = false
        fixture.service.addVM(named: "vm1", configuration: configuration)
        let decoded = try #require(V3Reply(fixture.send("guestlib.info.get 3").payload))
        #expect(decoded.entries.count == 38)
        #expect(decoded.entries.filter { $0.valid == 0 }.map(\.id) == Array(21...30))
    }

    @Test func memorySharesAbove32BitsInvalidateId8AndTravelExactlyInId38() throws {
        let fixture = StatisticsFixture()
        var configuration = VMStatisticsConfiguration()
        configuration.values.memoryShares = 5_000_000_000
        fixture.service.addVM(named: "vm1", configuration: configuration)
        let decoded = try #require(V3Reply(fixture.send("guestlib.info.get 3").payload))
        #expect(!decoded.isValid(8))
        #expect(decoded.isValid(38))
        #expect(decoded.integer(38) == 5_000_000_000)
        let image = fixture.send("guestlib.info.get 2").payload
        #expect(image[72] == 0)
    }

    @Test func hostWithoutId38SendsCount37() throws {
        let fixture = StatisticsFixture()
        var configuration = VMStatisticsConfiguration()
        configuration.host.statisticCount = 37
        fixture.service.addVM(named: "vm1", configuration: configuration)
        let decoded = try #require(V3Reply(fixture.send("guestlib.info.get 3").payload))
        #expect(decoded.entries.map(\.id) == Array(1...37))
    }

    @Test func noLimitIsSentAsAllOnes() throws {
        let fixture = StatisticsFixture()
        var configuration = VMStatisticsConfiguration()
        configuration.values.cpuLimitMHz = 3000
        fixture.service.addVM(named: "vm1", configuration: configuration)
        let limited = try #require(V3Reply(fixture.send("guestlib.info.get 3").payload))
        #expect(limited.integer(2) == 3000)
        #expect(limited.integer(7) == 0xFFFF_FFFF)
    }

    @Test func unavailableStatisticsAreSentInvalidWithTheirValue() throws {
        let fixture = StatisticsFixture()
        var configuration = VMStatisticsConfiguration()
        configuration.values.unavailableStatistics = [13, 18]
        fixture.service.addVM(named: "vm1", configuration: configuration)
        let decoded = try #require(V3Reply(fixture.send("guestlib.info.get 3").payload))
        #expect(decoded.entries.filter { $0.valid == 0 }.map(\.id) == [13, 18])
        #expect(fixture.send("guestlib.info.get 2").payload[156] == 0)
    }

    @Test func longResourcePoolPathIsCutTo512BytesInId18AndKeptWholeInId37() throws {
        let fixture = StatisticsFixture()
        var configuration = VMStatisticsConfiguration()
        configuration.values.resourcePoolPath = "/" + String(repeating: "p", count: 599)
        fixture.service.addVM(named: "vm1", configuration: configuration)
        let decoded = try #require(V3Reply(fixture.send("guestlib.info.get 3").payload))
        #expect(decoded.entries[17].value.count == 512)
        #expect(decoded.entries[36].value.count == 600)
        let image = fixture.send("guestlib.info.get 2").payload
        #expect(image.count == 669)
        #expect(image[668] == 0)
        #expect(image[667] == UInt8(ascii: "p"))
    }

    @Test func eachVMHasItsOwnSession() throws {
        let fixture = StatisticsFixture()
        let first = try #require(V3Reply(fixture.send("guestlib.info.get 3", vm: "a").payload))
        let second = try #require(V3Reply(fixture.send("guestlib.info.get 3", vm: "b").payload))
        #expect(first.sessionID == 0x1111)
        #expect(second.sessionID == 0x2222)
    }

    @Test func registerRoutesTheThreeCommandsAndLeavesOthersUnknown() {
        let fixture = StatisticsFixture()
        let router = Router()
        fixture.service.register(on: router)
        #expect(router.route(RPCRequest(vmName: "vm1", bytes: Array("guestlib.info.get 3".utf8))).succeeded)
        #expect(router.route(RPCRequest(vmName: "vm1", bytes: Array("guestlib.stat.get text".utf8))).succeeded)
        let other = router.route(RPCRequest(vmName: "vm1", bytes: Array("guestlib.other 3".utf8)))
        #expect(other == .failure("Unknown command"))
    }
}

@Suite("GuestLibService: replies read back by GuestLib's decoders")
struct GuestLibServiceDecodeTests {
    @Test func v3ReplyDecodesToTheSampleSnapshot() throws {
        let fixture = StatisticsFixture()
        let reply = fixture.send("guestlib.info.get 3")
        let snapshot = try GuestLibWire.decodeV3(reply.payload)
        #expect(snapshot == fixture.service.statistics(forVM: "vm1").sample().snapshot())
    }

    @Test func v2ReplyDecodesToTheFirst18Entries() throws {
        let fixture = StatisticsFixture()
        let reply = fixture.send("guestlib.info.get 2")
        let snapshot = try GuestLibWire.decodeV2(reply.payload)
        let expected = fixture.service.statistics(forVM: "vm1").sample().snapshot()
        #expect(snapshot.sessionID == expected.sessionID)
        #expect(snapshot.entries == Array(expected.entries.prefix(18)))
    }
}
