import Foundation

/// One batch as the trainer consumes it. The arrays keep their storage when a loader
/// refills the batch, so steady-state training allocates nothing per batch.
public struct Batch: Sendable {
    /// Images in the batch (the last evaluation batch may be short).
    public internal(set) var count = 0
    public internal(set) var classes = 0
    /// count × 3 × 32 × 32, NCHW, augmented, normalized and (if enabled) mixed.
    public internal(set) var images: [Float] = []
    /// The hard (fine) label of each row's own image, for accuracy.
    public internal(set) var labels: [Int32] = []
    /// count × classes soft targets (smoothed and mixed as configured), rows sum to 1.
    public internal(set) var targets: [Float] = []
    /// Index of each row's own image in its split.
    public internal(set) var indices: [Int32] = []
    /// The label weight of each row's own image (1 when not mixed).
    public internal(set) var labelWeight: Float = 1
    public internal(set) var epoch = 0
    /// Position of the batch in its epoch.
    public internal(set) var index = 0

    public init() {}

    /// Sizes the arrays for `count` rows, reusing their storage when the size is unchanged.
    mutating func resize(count: Int, classes: Int) {
        self.count = count
        self.classes = classes
        Batch.resize(&images, count * CIFAR100.imageBytes)
        Batch.resize(&labels, count)
        Batch.resize(&targets, count * classes)
        Batch.resize(&indices, count)
    }

    private static func resize<T: Numeric>(_ array: inout [T], _ count: Int) {
        if array.count > count {
            array.removeLast(array.count - count)
        } else if array.count < count {
            array.append(contentsOf: repeatElement(0, count: count - array.count))
        }
    }
}
