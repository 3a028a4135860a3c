import Foundation
import HDF5
import Tensor
import XCTest

@testable import NN

/// Architectures from names: parameter counts of RECIPE.md §3, names of golden/README.md.
final class ModelTests: XCTestCase {
    func testParameterCountsMatchTheRecipe() throws {
        let cases: [(String, Int, Int, Int)] = [
            ("cifar_resnet20_v1", 100, 278_324, 1_568),
            ("cifar_resnet56_v1", 100, 861_620, 4_256),
            ("cifar_resnet56_v1", 10, 855_770, 4_256),
            ("cifar_resnet110_v1", 100, 1_736_564, 8_288),
            ("cifar_resnext29_32x4d", 100, 4_868_004, 25_216),
            ("cifar_resnext29_2x4d", 10, 953_034, 15_136),
        ]
        for (name, classes, parameters, statistics) in cases {
            let model = try Model(name: name, classes: classes)
            XCTAssertEqual(model.parameterCount, parameters, name)
            XCTAssertEqual(model.buffers.count, statistics, name)
        }
        XCTAssertEqual(
            Double(try Model(name: "cifar_resnet56_v1", classes: 100).forwardMACs()) / 1e6, 125.75, accuracy: 0.01)
    }

    /// The backward pass reports the buckets of `gradientBuckets`, the classifier's first,
    /// each as soon as its gradients are final: what it has reported never changes after.
    func testBackwardReportsEachBucketWhenItsGradientsAreFinal() throws {
        for name in ["cifar_resnet20_v1", "cifar_resnext29_2x4d"] {
            let model = try Model(name: name, classes: 10, seed: 3)
            let buckets = model.gradientBuckets
            XCTAssertEqual(buckets.first?.upperBound, model.gradients.count + model.buffers.count, name)
            XCTAssertEqual(buckets.last?.lowerBound, 0, name)
            XCTAssertTrue(zip(buckets, buckets.dropFirst()).allSatisfy { $0.lowerBound == $1.upperBound }, name)
            let batch = 2
            let x = (0..<batch * 3 * 32 * 32).map { Float(($0 * 7919) % 255) / 255 - 0.5 }
            let logits = x.withUnsafeBufferPointer {
                Array(model.forward($0.baseAddress!, batch: batch, height: 32, width: 32, training: true))
            }
            model.zeroGradients()
            var reported: [Int] = [], snapshots: [[Float]] = []
            model.backward(logits.map { $0 * 0.01 }) { from in
                reported.append(from)
                let g = model.gradients.count
                snapshots.append(
                    Array(UnsafeBufferPointer(start: model.gradients.pointer + min(from, g), count: g - min(from, g))))
            }
            XCTAssertEqual(reported, buckets.map(\.lowerBound), name)
            let final = Array(UnsafeBufferPointer(start: model.gradients.pointer, count: model.gradients.count))
            for (from, snapshot) in zip(reported, snapshots) {
                XCTAssertEqual(snapshot.map(\.bitPattern), final[from...].map(\.bitPattern), "\(name) from \(from)")
            }
            XCTAssertTrue(final.contains { $0 != 0 }, name)
        }
    }

    func testTeacherParameterCount() throws {
        // 68 M parameters: counted from the layout without touching every weight twice
        let model = try Model(name: "cifar_resnext29_16x64d", classes: 100)
        XCTAssertEqual(model.parameterCount, 68_247_460)
        XCTAssertEqual(model.buffers.count, 100_480)
        XCTAssertEqual(Double(model.forwardMACs()) / 1e6, 10_688.96, accuracy: 0.01)
    }

    func testNamesFollowTheGoldenFiles() throws {
        for (file, name, classes) in [
            ("resnet20_c100", "cifar_resnet20_v1", 100), ("resnext29_2x4d_c10", "cifar_resnext29_2x4d", 10),
        ] {
            let url = try XCTUnwrap(Bundle.module.url(forResource: file, withExtension: "h5", subdirectory: "Fixtures"))
            let json = try H5File.read(url) { try $0.stringAttribute("param_names") }
            let names = try JSONDecoder().decode([String].self, from: Data(json.utf8))
            let model = try Model(name: name, classes: classes)
            XCTAssertEqual(model.parameters.views.map(\.name), names)
            XCTAssertTrue(model.buffers.views.contains { $0.name == "stem_bn.running_mean" })
        }
    }

    func testUnknownModelListsKnownOnes() {
        XCTAssertThrowsError(try Model(name: "resnet50", classes: 10)) { error in
            let text = "\(error)"
            XCTAssertTrue(
                text.contains("resnet50") && text.contains("cifar_resnet56_v1") && text.contains("cifar_resnext29"),
                text)
        }
        XCTAssertThrowsError(try Model(name: "cifar_resnet21_v1", classes: 10))
        XCTAssertThrowsError(try Model(name: "cifar_resnext29_0x4d", classes: 10))
    }

    func testLoadingChecksShapesAndNamesTheTensor() throws {
        let model = try Model(name: "cifar_resnet20_v1", classes: 10, widthMultiplier: 0.25)
        XCTAssertThrowsError(
            try model.parameters.load(named: "fc.weight", shape: [10, 17], values: [Float](repeating: 0, count: 170))
        ) { error in
            XCTAssertEqual("\(error)", "tensor fc.weight: expected shape [10, 16], got [10, 17]")
        }
        let values = randomFloats(160)
        try model.parameters.load(named: "fc.weight", shape: [10, 16], values: values)
        XCTAssertEqual(try model.parameters.values(named: "fc.weight"), values)
    }

    /// A teacher's logits in parts (what distillation does to bound its memory): each part
    /// is exactly a forward of those images, and all of them agree with one pass over the
    /// batch to float rounding (the classifier's OpenBLAS product may add in another order
    /// for another number of images; the convolutions compute every image alone).
    func testInferenceInPartsIsAForwardPerPart() throws {
        var stream = RandomStream(seed: 3, purpose: "parts")
        let batch = 64, image = 3 * 32 * 32
        let x = (0..<batch * image).map { _ in Float(stream.normal()) }
        for (name, width) in [("cifar_resnet20_v1", 0.5), ("cifar_resnext29_2x4d", 0.5)] {
            let model = try Model(name: name, classes: 10, widthMultiplier: width, seed: 1)
            model.context.threads = 2
            let whole = x.withUnsafeBufferPointer {
                Array(model.forward($0.baseAddress!, batch: batch, training: false))
            }
            for part in [32, 7] {
                let parts = x.withUnsafeBufferPointer {
                    model.inferenceLogits($0.baseAddress!, batch: batch, part: part)
                }
                var separate: [Float] = []
                for first in stride(from: 0, to: batch, by: part) {
                    separate += x.withUnsafeBufferPointer {
                        Array(
                            model.forward(
                                $0.baseAddress! + first * image, batch: min(part, batch - first), training: false))
                    }
                }
                XCTAssertEqual(parts.map(\.bitPattern), separate.map(\.bitPattern), "\(name) in parts of \(part)")
                let worst = zip(parts, whole).map { abs($0 - $1) / max(1, abs($1)) }.max()!
                XCTAssertLessThan(worst, 1e-5, "\(name) in parts of \(part)")
            }
        }
    }

    /// The units inside a block write their outputs into two buffers the model shares, and
    /// the backward writes each again from its z: logits and gradients (two passes, the
    /// second over the reused buffers) are those of the same model keeping every output,
    /// bit for bit. ResNet20: two-unit blocks and projections; ResNeXt: three-unit blocks.
    func testSharedOutputsAreRestoredBitForBit() throws {
        var stream = RandomStream(seed: 5, purpose: "shared outputs")
        let batch = 6
        let x = (0..<batch * 3 * 32 * 32).map { _ in Float(stream.normal()) }
        let dLogits = (0..<batch * 10).map { _ in Float(stream.normal()) }
        for (name, width) in [("cifar_resnet20_v1", 0.5), ("cifar_resnext29_2x4d", 0.5)] {
            func run(sharing: Bool) throws -> [Float] {
                let model = try Model(name: name, classes: 10, widthMultiplier: width, seed: 1)
                if !sharing { for unit in model.units { unit.sharesOutput = false } }
                XCTAssertEqual(model.units.contains(where: \.sharesOutput), sharing, name)
                model.context.threads = 2
                var logits: [Float] = []
                for _ in 0..<2 {
                    logits += model.forward(x, batch: batch, training: true)
                    model.backward(dLogits)
                }
                return logits + model.gradients.storage.array + model.buffers.storage.array
            }
            XCTAssertEqual(try run(sharing: true).map(\.bitPattern), try run(sharing: false).map(\.bitPattern), name)
        }
    }

    func testInitialisationIsXavierUniformAndSeeded() throws {
        let a = try Model(name: "cifar_resnet20_v1", classes: 10, seed: 7)
        let b = try Model(name: "cifar_resnet20_v1", classes: 10, seed: 7)
        let c = try Model(name: "cifar_resnet20_v1", classes: 10, seed: 8)
        XCTAssertEqual(parameterBytes(a), parameterBytes(b))
        XCTAssertNotEqual(parameterBytes(a), parameterBytes(c))
        // stage1 conv: fan_in = fan_out = 16·9, bound sqrt(3/144)
        let weights = try a.parameters.values(named: "stage1.0.conv1.weight")
        let bound = Float((3.0 / 144).squareRoot())
        XCTAssertTrue(weights.allSatisfy { abs($0) <= bound })
        XCTAssertGreaterThan(weights.map(abs).max()!, 0.95 * bound)
        XCTAssertEqual(try a.parameters.values(named: "stem_bn.weight"), [Float](repeating: 1, count: 16))
        XCTAssertEqual(try a.buffers.values(named: "stem_bn.running_var"), [Float](repeating: 1, count: 16))
    }
}
