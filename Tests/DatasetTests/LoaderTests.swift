import Foundation
import XCTest

@testable import Dataset

final class LoaderTests: XCTestCase {
    let split = Fixtures.small.train  // 40 images, 10 classes

    func batches(_ loader: BatchLoader, epoch: Int, prefetch: Bool = true) -> [Batch] {
        var result: [Batch] = []
        var batch = Batch()
        let epochBatches = loader.epoch(epoch, prefetch: prefetch)
        while epochBatches.next(into: &batch) { result.append(batch) }
        return result
    }

    /// Image index → its augmented floats, over one epoch.
    func imagesByIndex(_ batches: [Batch]) -> [Int32: [Float]] {
        var images: [Int32: [Float]] = [:]
        for batch in batches {
            for row in 0..<batch.count {
                images[batch.indices[row]] = Array(batch.images[row * 3072..<(row + 1) * 3072])
            }
        }
        return images
    }

    /// A data-parallel rank loads only its rows (and their mixing partners): those rows get
    /// the bits of the whole batch, for every kind of mixing and uneven blocks.
    func testARanksRowsHaveTheBitsOfTheWholeBatch() {
        for kind in [MixingConfig.Kind.none, .interpolation, .stitchHorizontal, .stitchVertical] {
            let mixing = MixingConfig(kind: kind)
            let whole = batches(
                BatchLoader.training(split: split, classes: 10, batchSize: 18, seed: 3, mixing: mixing), epoch: 1)
            for rows in [0..<6, 6..<12, 12..<18, 3..<9] {
                let part = batches(
                    BatchLoader.training(
                        split: split, classes: 10, batchSize: 18, seed: 3, mixing: mixing, rows: rows), epoch: 1)
                XCTAssertEqual(part.count, whole.count)
                for (a, b) in zip(part, whole) {
                    XCTAssertEqual(a.labelWeight, b.labelWeight)
                    XCTAssertEqual(a.targets, b.targets)
                    XCTAssertEqual(
                        a.images[rows.lowerBound * 3072..<rows.upperBound * 3072].map(\.bitPattern),
                        b.images[rows.lowerBound * 3072..<rows.upperBound * 3072].map(\.bitPattern),
                        "\(kind) rows \(rows)")
                }
            }
        }
    }

    func testTrainingShufflesEveryEpochAndDropsTheLastIncompleteBatch() {
        let loader = BatchLoader.training(split: split, classes: 10, batchSize: 16, seed: 1)
        XCTAssertEqual(loader.batchesPerEpoch, 2)
        let first = batches(loader, epoch: 0), second = batches(loader, epoch: 1)
        XCTAssertEqual(first.map(\.count), [16, 16])
        let order = first.flatMap { $0.indices }
        XCTAssertEqual(Set(order).count, 32)
        XCTAssertEqual(order, Array(loader.order(epoch: 0).prefix(32)))
        XCTAssertNotEqual(order, second.flatMap { $0.indices })
        for batch in first {
            XCTAssertEqual(batch.labels, batch.indices.map { split.fineLabels[Int($0)] })
        }
        // RECIPE.md §2.5: 50,000 images at batch 256 give 195 batches.
        let full = CIFARSplit(
            images: [UInt8](repeating: 0, count: 50_000 * 3072), fineLabels: [Int32](repeating: 0, count: 50_000),
            coarseLabels: [Int32](repeating: 0, count: 50_000))
        XCTAssertEqual(BatchLoader.training(split: full, classes: 100, batchSize: 256, seed: 0).batchesPerEpoch, 195)
    }

    func testEvaluationKeepsEveryImageInOrder() {
        let loader = BatchLoader.evaluation(split: split, classes: 10, batchSize: 16)
        let all = batches(loader, epoch: 0)
        XCTAssertEqual(all.map(\.count), [16, 16, 8])
        XCTAssertEqual(all.flatMap { $0.indices }, (0..<40).map { Int32($0) })
        XCTAssertEqual(all[2].images.count, 8 * 3072)
        XCTAssertEqual(all[2].targets.count, 8 * 10)
        // Plain normalization of the stored bytes.
        let pixel = Float(split.pixel(33, channel: 1, row: 4, column: 9))
        XCTAssertEqual(all[2].images[1 * 3072 + 1024 + 4 * 32 + 9], (pixel / 255 - 0.456) / 0.224, accuracy: 1e-6)
    }

    func testAugmentedImagesDoNotDependOnBatchSizeThreadsOrPrefetch() {
        let reference = imagesByIndex(
            batches(BatchLoader.training(split: split, classes: 10, batchSize: 8, seed: 4), epoch: 3))
        let other = BatchLoader.training(split: split, classes: 10, batchSize: 20, seed: 4, threads: 3)
        for prefetch in [true, false] {
            let images = imagesByIndex(batches(other, epoch: 3, prefetch: prefetch))
            XCTAssertEqual(images.count, 40)
            XCTAssertEqual(reference.count, 40)
            for (index, image) in images { XCTAssertEqual(image, reference[index], "image \(index)") }
        }
    }

    func testMixedBatchesDoNotDependOnThreadsOrPrefetch() {
        func run(threads: Int, prefetch: Bool) -> [Batch] {
            let loader = BatchLoader.training(
                split: split, classes: 10, batchSize: 10, seed: 2,
                mixing: MixingConfig(kind: .stitchVertical), labelSmoothing: 0.1, threads: threads)
            return batches(loader, epoch: 1, prefetch: prefetch)
        }
        let reference = run(threads: 1, prefetch: false)
        for (threads, prefetch) in [(1, true), (4, true), (3, false)] {
            let other = run(threads: threads, prefetch: prefetch)
            XCTAssertEqual(other.map(\.images), reference.map(\.images))
            XCTAssertEqual(other.map(\.targets), reference.map(\.targets))
            XCTAssertEqual(other.map(\.labelWeight), reference.map(\.labelWeight))
        }
        for batch in reference {
            for row in 0..<batch.count {
                XCTAssertEqual(batch.targets[row * 10..<(row + 1) * 10].reduce(0, +), 1, accuracy: 1e-5)
            }
        }
    }

    func testRefillingABatchReusesItsStorage() {
        let loader = BatchLoader.training(split: split, classes: 10, batchSize: 8, seed: 1)
        let epoch = loader.epoch(0)
        var batch = Batch()
        XCTAssertTrue(epoch.next(into: &batch))
        XCTAssertTrue(epoch.next(into: &batch))  // both buffers have storage now
        let addresses = batch.images.withUnsafeBufferPointer { $0.baseAddress }
        XCTAssertTrue(epoch.next(into: &batch))
        XCTAssertTrue(epoch.next(into: &batch))
        XCTAssertEqual(batch.images.withUnsafeBufferPointer { $0.baseAddress }, addresses)
        XCTAssertTrue(epoch.next(into: &batch))
        XCTAssertFalse(epoch.next(into: &batch))
    }
}
