import Foundation
import HDF5
import TestSupport
import XCTest

final class ZstdTests: ScratchTestCase {
    /// 1 MB of float32 with a lot of repetition.
    let compressible: [Float] = (0..<262_144).map { Float(($0 / 64) % 16) }

    func testZstdCompressesSeveralFold() throws {
        let packed = directory.appendingPathComponent("packed.h5")
        let plain = directory.appendingPathComponent("plain.h5")
        try H5File.write(packed) { try $0.write("x", compressible, shape: [512, 512]) }
        try H5File.write(plain) { try $0.write("x", compressible, shape: [512, 512], compression: .none) }
        let packedSize = try FileManager.default.attributesOfItem(atPath: packed.path)[.size] as! Int
        let plainSize = try FileManager.default.attributesOfItem(atPath: plain.path)[.size] as! Int
        XCTAssertGreaterThan(plainSize, 1_000_000)
        XCTAssertLessThan(packedSize * 5, plainSize, "zstd: \(packedSize) bytes vs \(plainSize)")
        try H5File.read(packed) { root in
            XCTAssertTrue(try root.openDataset("x").isZstdCompressed)
            XCTAssertEqual(try root.read("x", as: Float.self).values, compressible)
        }
    }

    func testCorruptedChunkIsAnErrorNotGarbage() throws {
        let file = directory.appendingPathComponent("corrupt.h5")
        try H5File.write(file) { try $0.write("x", compressible, shape: [512, 512]) }
        var bytes = try Data(contentsOf: file)
        // The zstd frame magic (28 b5 2f fd) starts each compressed chunk; damage the middle of one.
        let magic = Data([0x28, 0xB5, 0x2F, 0xFD])
        let start = try XCTUnwrap(bytes.range(of: magic)).lowerBound
        let next = bytes.range(of: magic, in: (start + 4)..<bytes.count)?.lowerBound ?? min(start + 200, bytes.count)
        let middle = start + (next - start) / 2
        for i in middle..<(middle + 8) { bytes[i] ^= 0x5A }
        try bytes.write(to: file)
        try H5File.read(file) { root in
            XCTAssertThrowsError(try root.read("x", as: Float.self)) { error in
                XCTAssertTrue("\(error)".contains("/x"), "\(error)")
                XCTAssertTrue("\(error)".lowercased().contains("filter"), "HDF5's stack names the filter: \(error)")
            }
        }
    }
}
