import Foundation
import Tensor

/// One split of a CIFAR dataset in memory.
public struct CIFARSplit: Sendable {
    /// count × 3 × 32 × 32 bytes: per image the R, G and B planes, rows top to bottom.
    public var images: [UInt8]
    public var fineLabels: [Int32]
    public var coarseLabels: [Int32]

    public init(images: [UInt8], fineLabels: [Int32], coarseLabels: [Int32]) {
        check(
            images.count == fineLabels.count * CIFAR100.imageBytes && coarseLabels.count == fineLabels.count,
            "CIFARSplit: \(images.count) image bytes, \(fineLabels.count) fine and \(coarseLabels.count) coarse labels")
        self.images = images
        self.fineLabels = fineLabels
        self.coarseLabels = coarseLabels
    }

    public var count: Int { fineLabels.count }

    /// Byte (channel, row, column) of image `index`.
    public func pixel(_ index: Int, channel: Int, row: Int, column: Int) -> UInt8 {
        images[index * CIFAR100.imageBytes + (channel * CIFAR100.side + row) * CIFAR100.side + column]
    }
}

/// A CIFAR dataset: both splits and the label names (index = label).
public struct CIFARDataset: Sendable {
    public var train: CIFARSplit
    public var test: CIFARSplit
    public var fineLabelNames: [String]
    public var coarseLabelNames: [String]

    public init(train: CIFARSplit, test: CIFARSplit, fineLabelNames: [String], coarseLabelNames: [String]) {
        self.train = train
        self.test = test
        self.fineLabelNames = fineLabelNames
        self.coarseLabelNames = coarseLabelNames
    }

    public var fineClasses: Int { fineLabelNames.count }
    public var coarseClasses: Int { coarseLabelNames.count }
}
