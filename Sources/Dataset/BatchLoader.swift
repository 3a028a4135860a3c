import Foundation
import Tensor

/// Turns a split into batches: per-epoch shuffle (`RandomStream(purpose: "shuffle", epoch:)`),
/// augmentation per image, mixing per batch, soft targets.
///
/// Training (`BatchLoader.training`) shuffles and drops the last incomplete batch
/// (RECIPE.md §2.5: 195 batches of 256 from 50,000 images); evaluation keeps every image
/// in order, the last batch short. Results depend only on (seed, epoch, batch index) and
/// the configuration: never on `threads` or on prefetching.
public final class BatchLoader: @unchecked Sendable {  // immutable after init, scratch per worker
    public let split: CIFARSplit
    public let classes: Int
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let labelSmoothing: Float
    public let augmenter: Augmenter
    public let mixer: BatchMixer
    /// Threads that augment the images of one batch (each a fixed, contiguous share).
    public let threads: Int
    /// The rows of each batch this process computes (a data-parallel rank's parts); nil:
    /// all. Only they and their mixing partners are augmented and mixed, each with the
    /// bits a whole batch gives it; the other rows' images are left as they were.
    public let rows: Range<Int>?
    private let scratch: UnsafeMutablePointer<Float>
    /// Every fill runs here, one at a time: they share `scratch`, and an abandoned epoch's
    /// prefetch must not overlap the next epoch's fills.
    let worker = DispatchQueue(label: "repro.batch-loader")

    public init(
        split: CIFARSplit, classes: Int, batchSize: Int, seed: UInt64,
        augmentation: AugmentationConfig, mixing: MixingConfig = .none, labelSmoothing: Float = 0,
        shuffle: Bool, dropLast: Bool, threads: Int = 1, rows: Range<Int>? = nil
    ) {
        check(
            batchSize > 0 && classes > 0 && threads > 0,
            "BatchLoader: batch size \(batchSize), classes \(classes) and threads \(threads) must be positive")
        self.split = split
        self.classes = classes
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.labelSmoothing = labelSmoothing
        self.augmenter = Augmenter(config: augmentation, seed: seed)
        self.mixer = BatchMixer(config: mixing, seed: seed)
        self.threads = threads
        self.rows = rows
        scratch = .allocate(capacity: threads * Augmenter.scratchCount)
    }

    deinit { scratch.deallocate() }

    /// The training loader: shuffled, last incomplete batch dropped, full augmentation.
    public static func training(
        split: CIFARSplit, classes: Int, batchSize: Int, seed: UInt64,
        augmentation: AugmentationConfig = .training, mixing: MixingConfig = .none,
        labelSmoothing: Float = 0, threads: Int = 1, rows: Range<Int>? = nil
    ) -> BatchLoader {
        BatchLoader(
            split: split, classes: classes, batchSize: batchSize, seed: seed, augmentation: augmentation,
            mixing: mixing, labelSmoothing: labelSmoothing, shuffle: true, dropLast: true, threads: threads,
            rows: rows)
    }

    /// The evaluation loader: every image in order, no augmentation beyond normalization.
    public static func evaluation(
        split: CIFARSplit, classes: Int, batchSize: Int,
        augmentation: AugmentationConfig = .evaluation, threads: Int = 1
    ) -> BatchLoader {
        BatchLoader(
            split: split, classes: classes, batchSize: batchSize, seed: 0, augmentation: augmentation,
            shuffle: false, dropLast: false, threads: threads)
    }

    public var batchesPerEpoch: Int {
        dropLast ? split.count / batchSize : (split.count + batchSize - 1) / batchSize
    }

    /// The image order of an epoch.
    public func order(epoch: Int) -> [Int32] {
        guard shuffle else { return (0..<split.count).map { Int32($0) } }
        var random = RandomStream(seed: augmenter.seed, purpose: "shuffle", epoch: epoch)
        return random.permutation(split.count).map { Int32($0) }
    }

    /// The batches of one epoch from batch `start` on (a resume inside the epoch), each
    /// prepared on a background thread while the previous one is in use.
    public func epoch(_ epoch: Int, from start: Int = 0, prefetch: Bool = true) -> EpochBatches {
        EpochBatches(loader: self, epoch: epoch, order: order(epoch: epoch), start: start, prefetch: prefetch)
    }

    /// Fills `batch` with batch `index` of an epoch whose image order is `order`.
    public func fill(_ batch: inout Batch, epoch: Int, index: Int, order: [Int32]) {
        worker.sync { fillOnWorker(&batch, epoch: epoch, index: index, order: order) }
    }

    func fillOnWorker(_ batch: inout Batch, epoch: Int, index: Int, order: [Int32]) {
        let start = index * batchSize
        let count = min(batchSize, order.count - start)
        check(index >= 0 && count > 0, "BatchLoader: batch \(index) is beyond the epoch")
        batch.resize(count: count, classes: classes)
        batch.epoch = epoch
        batch.index = index
        for i in 0..<count {
            batch.indices[i] = order[start + i]
            batch.labels[i] = split.fineLabels[Int(order[start + i])]
        }
        let imageFloats = CIFAR100.imageBytes
        // a row mixed with row count−1−row (BatchMixer) needs its partner too
        let rows = self.rows
        func needed(_ row: Int) -> Bool {
            guard let rows else { return true }
            return rows.contains(row) || rows.contains(count - 1 - row)
        }
        batch.images.withUnsafeMutableBufferPointer { images in
            let output = images.baseAddress!
            split.images.withUnsafeBufferPointer { source in
                batch.indices.withUnsafeBufferPointer { indices in
                    // Worker w augments rows [w·count/threads, (w+1)·count/threads).
                    let workers = min(threads, count)
                    let work = { (w: Int) in
                        for row in w * count / workers..<(w + 1) * count / workers where needed(row) {
                            let image = Int(indices[row])
                            self.augmenter.augment(
                                source.baseAddress! + image * imageFloats, epoch: epoch, index: image,
                                into: output + row * imageFloats,
                                scratch: self.scratch + w * Augmenter.scratchCount)
                        }
                    }
                    if workers == 1 {
                        work(0)
                    } else {
                        DispatchQueue.concurrentPerform(iterations: workers, execute: work)
                    }
                }
            }
            batch.labelWeight = mixer.mix(output, count: count, epoch: epoch, batchIndex: index, only: rows)
        }
        let weight = batch.labelWeight
        batch.targets.withUnsafeMutableBufferPointer { targets in
            batch.labels.withUnsafeBufferPointer { labels in
                SoftTargets.fill(
                    targets.baseAddress!, labels: labels.baseAddress!, count: count, classes: classes,
                    smoothing: labelSmoothing, weight: weight)
            }
        }
    }
}

/// The batches of one epoch, double-buffered: while the caller trains on one batch, a
/// background thread fills the other. Use as
/// ```
/// var batch = Batch()
/// let batches = loader.epoch(e)
/// while batches.next(into: &batch) { train(batch) }
/// ```
/// `next` swaps the prepared batch with the caller's (whose storage is refilled next),
/// so two batches' worth of storage circulate and nothing is allocated per batch.
public final class EpochBatches: @unchecked Sendable {  // `pending` is handed over through `ready`
    public let epoch: Int
    public let count: Int
    private let loader: BatchLoader
    private let order: [Int32]
    private let prefetch: Bool
    private var position = 0
    private var pending = Batch()
    private let ready = DispatchSemaphore(value: 0)

    init(loader: BatchLoader, epoch: Int, order: [Int32], start: Int = 0, prefetch: Bool) {
        self.loader = loader
        self.epoch = epoch
        self.order = order
        self.prefetch = prefetch
        count = loader.batchesPerEpoch
        position = start
        if prefetch && start < count { startFill(start) }
    }

    /// Puts the next batch into `batch`; false after the last one.
    public func next(into batch: inout Batch) -> Bool {
        guard position < count else { return false }
        if prefetch {
            ready.wait()
            swap(&batch, &pending)
            if position + 1 < count { startFill(position + 1) }
        } else {
            loader.fill(&batch, epoch: epoch, index: position, order: order)
        }
        position += 1
        return true
    }

    private func startFill(_ index: Int) {
        loader.worker.async { [self] in
            loader.fillOnWorker(&pending, epoch: epoch, index: index, order: order)
            ready.signal()
        }
    }
}
