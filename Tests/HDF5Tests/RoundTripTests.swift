import Foundation
import HDF5
import TestSupport
import XCTest

final class RoundTripTests: ScratchTestCase {
    func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Values that are not all alike, so a transposed or truncated read shows.
    func ramp<T: H5Element>(_ count: Int, _ make: (Int) -> T) -> [T] { (0..<count).map(make) }

    func testEveryElementTypeAndRankRoundTrips() throws {
        let shapes: [[Int]] = [[], [7], [3, 5], [2, 3, 4], [2, 1, 3, 5]]
        let file = url("types.h5")
        try H5File.write(file) { root in
            for (rank, shape) in shapes.enumerated() {
                let n = shape.reduce(1, *)
                let g = try root.createGroup("rank\(rank)")
                try g.write("f32", ramp(n) { Float($0) * 0.5 - 3 }, shape: shape)
                try g.write("f64", ramp(n) { Double($0) / 3 }, shape: shape)
                try g.write("i32", ramp(n) { Int32($0) - 10 }, shape: shape)
                try g.write("i64", ramp(n) { Int64($0) << 33 }, shape: shape)
                try g.write("u8", ramp(n) { UInt8($0 % 256) }, shape: shape)
            }
        }
        try H5File.read(file) { root in
            for (rank, shape) in shapes.enumerated() {
                let n = shape.reduce(1, *)
                let g = try root.openGroup("rank\(rank)")
                XCTAssertEqual(try g.read("f32", as: Float.self).values, ramp(n) { Float($0) * 0.5 - 3 })
                XCTAssertEqual(try g.read("f64", as: Double.self).values, ramp(n) { Double($0) / 3 })
                XCTAssertEqual(try g.read("i32", as: Int32.self).values, ramp(n) { Int32($0) - 10 })
                XCTAssertEqual(try g.read("i64", as: Int64.self).values, ramp(n) { Int64($0) << 33 })
                XCTAssertEqual(try g.read("u8", as: UInt8.self).values, ramp(n) { UInt8($0 % 256) })
                XCTAssertEqual(try g.read("f32", as: Float.self).shape, shape)
            }
        }
    }

    func testReadConvertsTypes() throws {
        let file = url("convert.h5")
        try H5File.write(file) { root in try root.write("labels", [Int64](arrayLiteral: 3, 99, 0)) }
        let labels = try H5File.read(file) { try $0.read("labels", as: Int32.self) }
        XCTAssertEqual(labels.values, [3, 99, 0])
    }

    func testAttributesAndNestedGroups() throws {
        let file = url("attrs.h5")
        try H5File.write(file) { root in
            try root.setAttribute("name", "résumé ✓")
            try root.setAttribute("epochs", 120)
            try root.setAttribute("lr", 0.1)
            try root.setAttribute("steps", [Int64](arrayLiteral: 30, 60, 90))
            let deep = try root.createGroup("a").createGroup("b").createGroup("c")
            try deep.setAttribute("depth", 3)
            let data = try deep.write("x", [Float](arrayLiteral: 1, 2))
            try data.setAttribute("unit", "px")
        }
        try H5File.read(file) { root in
            XCTAssertEqual(try root.stringAttribute("name"), "résumé ✓")
            XCTAssertEqual(try root.intAttribute("epochs"), 120)
            XCTAssertEqual(try root.doubleAttribute("lr"), 0.1)
            XCTAssertEqual(try root.attribute("steps", as: Int64.self), [30, 60, 90])
            XCTAssertEqual(root.attributeNames, ["epochs", "lr", "name", "steps"])
            XCTAssertTrue(root.contains("a/b/c/x"))
            XCTAssertFalse(root.contains("a/x/c"))
            XCTAssertTrue(root.isGroup("a/b"))
            XCTAssertFalse(root.isGroup("a/b/c/x"))
            XCTAssertEqual(root.childNames, ["a"])
            XCTAssertEqual(try root.openGroup("a/b/c").intAttribute("depth"), 3)
            XCTAssertEqual(try root.openDataset("a/b/c/x").stringAttribute("unit"), "px")
        }
    }

    func testStringDatasets() throws {
        let file = url("strings.h5")
        let names = ["apple", "aquarium_fish", "", "ünïcode"]
        try H5File.write(file) { root in try root.writeStrings("names", names) }
        XCTAssertEqual(try H5File.read(file) { try $0.readStrings("names") }, names)
    }

    func testSameContentGivesIdenticalBytes() throws {
        func write(_ name: String) throws -> Data {
            try H5File.write(url(name)) { root in
                try root.setAttribute("kind", "checkpoint")
                let params = try root.createGroup("params")
                try params.write("w", ramp(300_000) { Float(sin(Double($0))) }, shape: [300, 1000])
                try params.write("b", [Double](repeating: 0.25, count: 10))
                try root.createGroup("state").write("epoch", [Int64](arrayLiteral: 7), shape: [])
            }
            return try Data(contentsOf: url(name))
        }
        let first = try write("one.h5")
        let second = try write("two.h5")
        XCTAssertEqual(first, second)
    }

    func testErrorsNameTheProblem() throws {
        XCTAssertThrowsError(try H5File.open(url("absent.h5"))) { error in
            XCTAssertTrue("\(error)".contains("absent.h5"))
        }
        let notHDF5 = url("text.h5")
        try Data("hello".utf8).write(to: notHDF5)
        XCTAssertThrowsError(try H5File.open(notHDF5)) { error in
            XCTAssertTrue("\(error)".contains("text.h5"), "\(error)")
        }
        let file = url("small.h5")
        try H5File.write(file) { root in try root.write("x", [Float](arrayLiteral: 1)) }
        try H5File.read(file) { root in
            XCTAssertThrowsError(try root.read("y", as: Float.self)) { XCTAssertTrue("\($0)".contains("/y")) }
            XCTAssertThrowsError(try root.stringAttribute("nope")) { XCTAssertTrue("\($0)".contains("nope")) }
        }
        XCTAssertThrowsError(
            try H5File.write(url("bad.h5")) { root in
                try root.write("x", [Float](arrayLiteral: 1, 2, 3), shape: [2, 2])
            })
        XCTAssertFalse(FileManager.default.fileExists(atPath: url("bad.h5").path), "a failed write leaves no file")
    }
}
