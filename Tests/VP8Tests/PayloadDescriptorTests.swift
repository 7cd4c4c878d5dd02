import Testing
import VP8

/// Descriptors written out bit by bit from RFC 7741 §4.2's figure:
///
/// ```
///       0 1 2 3 4 5 6 7
///      |X|R|N|S|R| PID | (REQUIRED)
/// X:   |I|L|T|K| RSV   | (OPTIONAL)
/// I:   |M| PictureID   | (OPTIONAL, second byte if M)
/// L:   |   TL0PICIDX   | (OPTIONAL)
/// T/K: |TID|Y| KEYIDX  | (OPTIONAL)
/// ```
@Suite struct PayloadDescriptorTests {
    static let examples: [(name: String, bytes: [UInt8], descriptor: PayloadDescriptor)] = [
        ("start of frame, no extension", [0b0_0_0_1_0_000], PayloadDescriptor(isStartOfPartition: true)),
        ("non-reference, continuation of partition 3", [0b0_0_1_0_0_011],
         PayloadDescriptor(isNonReference: true, isStartOfPartition: false, partitionIndex: 3)),
        ("7-bit PictureID 17", [0b1_0_0_1_0_000, 0b1_0_0_0_0000, 0b0_0010001],
         PayloadDescriptor(isStartOfPartition: true, pictureID: .short(17))),
        ("15-bit PictureID 4711 = 0x1267", [0b1_0_0_1_0_000, 0b1_0_0_0_0000, 0b1_0010010, 0b0110_0111],
         PayloadDescriptor(isStartOfPartition: true, pictureID: .long(4711))),
        ("every field", [0b1_0_1_1_0_010, 0b1_1_1_1_0000, 0b1_1111111, 0xFF, 0xAB, 0b10_1_10001],
         PayloadDescriptor(isNonReference: true, isStartOfPartition: true, partitionIndex: 2, pictureID: .long(0x7FFF),
                           tl0PictureIndex: 0xAB, temporalLayerID: 2, isLayerSync: true, keyIndex: 17)),
        ("TL0PICIDX and TID without KEYIDX", [0b1_0_0_0_0_000, 0b0_1_1_0_0000, 0x05, 0b01_0_00000],
         PayloadDescriptor(isStartOfPartition: false, tl0PictureIndex: 5, temporalLayerID: 1)),
        ("KEYIDX alone", [0b1_0_0_0_0_000, 0b0_0_0_1_0000, 0b00_0_11111],
         PayloadDescriptor(isStartOfPartition: false, keyIndex: 31)),
    ]

    @Test(arguments: examples.indices)
    func rfcLayout(index: Int) throws {
        let (name, bytes, descriptor) = Self.examples[index]
        let payload = bytes + [0xEE, 0xFF]
        #expect(try PayloadDescriptor(parsing: payload) == descriptor, "\(name)")
        let (parsed, data) = try PayloadDescriptor.split(payload)
        #expect(parsed == descriptor && Array(data) == [0xEE, 0xFF], "\(name)")
        #expect(descriptor.bytes == bytes, "\(name)")
        #expect(descriptor.length == bytes.count, "\(name)")
    }

    @Test func ignoredBitsAreNotRead() throws {
        // Both R bits and RSV set; T clear, so the TID/Y bits of the T/K byte mean nothing; K clear likewise.
        let keyOnly = try PayloadDescriptor(parsing: [0b1_1_0_1_1_000, 0b0_0_0_1_1111, 0b11_1_00101])
        #expect(keyOnly == PayloadDescriptor(isStartOfPartition: true, keyIndex: 5))
        #expect(keyOnly.bytes == [0b1_0_0_1_0_000, 0b0_0_0_1_0000, 0b00_0_00101])
        let tidOnly = try PayloadDescriptor(parsing: [0x80, 0b0_0_1_0_0000, 0b11_0_01010])
        #expect(tidOnly == PayloadDescriptor(isStartOfPartition: false, temporalLayerID: 3))
        #expect(tidOnly.bytes == [0x80, 0x20, 0b11_0_00000])
    }

    @Test func emptyExtensionByteIsSkipped() throws {
        let (descriptor, data) = try PayloadDescriptor.split([0x90, 0x00, 0x42])
        #expect(descriptor == PayloadDescriptor(isStartOfPartition: true))
        #expect(Array(data) == [0x42])
        #expect(descriptor.bytes == [0x10])
    }

    @Test func truncatedDescriptors() {
        let cases: [([UInt8], String)] = [
            ([], "first byte"), ([0x80], "I/L/T/K"), ([0x80, 0x80], "PictureID"), ([0x80, 0x80, 0x80], "PictureID low byte"),
            ([0x80, 0x40], "TL0PICIDX"), ([0x80, 0x20], "TID/Y/KEYIDX"), ([0x80, 0x10], "TID/Y/KEYIDX"),
            ([0x80, 0xF0, 0x81, 0x02, 0x03], "TID/Y/KEYIDX"),
        ]
        for (bytes, field) in cases {
            #expect(throws: VP8Error.truncatedDescriptor(field: field)) { try PayloadDescriptor(parsing: bytes) }
            #expect(throws: VP8Error.truncatedDescriptor(field: field)) { try PayloadDescriptor.split(bytes) }
        }
    }

    @Test func everyTwoByteDescriptorRoundTrips() throws {
        // All first/extension byte pairs with enough trailing bytes: what parses must serialize to what
        // parses the same, and the payload must start right after the descriptor.
        for first in 0...255 {
            for flags in 0...255 {
                let input: [UInt8] = [UInt8(first), UInt8(flags), 0xC5, 0x3A, 0x7B, 0x11, 0x22]
                let (descriptor, data) = try PayloadDescriptor.split(input)
                let (again, rest) = try PayloadDescriptor.split(descriptor.bytes + data)
                if again != descriptor || rest != data || input.count - data.count != descriptor.length + (first & 0x80 != 0 && flags & 0xF0 == 0 ? 1 : 0) {
                    Issue.record("\(input) did not round-trip: \(descriptor) vs \(again)")
                    return
                }
            }
        }
    }
}
