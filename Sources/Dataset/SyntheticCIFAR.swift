import Foundation
import Tensor

/// A deterministic generator of CIFAR-format data with learnable class structure, for
/// tests and full-size benchmarks without the real archive.
///
/// Each fine class has a shape (disc, square, ring, bars, cross, diagonal, triangle, …),
/// a size and a foreground and background colour; each image jitters the shape's centre
/// (±4 pixels) and the colours (±24) and adds pixel noise (±16). Labels are balanced
/// (round robin) and shuffled; coarse label = fine · coarseClasses / fineClasses.
/// Everything is drawn from `RandomStream(seed:, purpose: "synthetic-…")`.
public struct SyntheticCIFAR: Sendable {
    public var trainCount: Int
    public var testCount: Int
    public var fineClasses: Int
    public var coarseClasses: Int
    public var seed: UInt64

    public init(
        trainCount: Int = 500, testCount: Int = 100, fineClasses: Int = 10, coarseClasses: Int = 5, seed: UInt64 = 0
    ) {
        check(
            fineClasses >= 1 && fineClasses <= 256 && coarseClasses >= 1 && coarseClasses <= fineClasses,
            "SyntheticCIFAR: \(fineClasses) fine and \(coarseClasses) coarse classes (need 1 ≤ coarse ≤ fine ≤ 256)")
        self.trainCount = trainCount
        self.testCount = testCount
        self.fineClasses = fineClasses
        self.coarseClasses = coarseClasses
        self.seed = seed
    }

    /// The full CIFAR-100 shape: 50,000 + 10,000 images, 100 fine and 20 coarse classes.
    public static func fullSize(seed: UInt64 = 0) -> SyntheticCIFAR {
        SyntheticCIFAR(trainCount: 50_000, testCount: 10_000, fineClasses: 100, coarseClasses: 20, seed: seed)
    }

    public func dataset() -> CIFARDataset {
        let classes = (0..<fineClasses).map { ClassLook(seed: seed, index: $0) }
        return CIFARDataset(
            train: split("train", count: trainCount, classes: classes),
            test: split("test", count: testCount, classes: classes),
            fineLabelNames: (0..<fineClasses).map { String(format: "class_%03d", $0) },
            coarseLabelNames: (0..<coarseClasses).map { String(format: "group_%02d", $0) })
    }

    /// Writes the dataset as a CIFAR-100 binary .tar.gz (level 1: fast; the bytes depend
    /// on the zlib version, the unpacked contents do not).
    public func writeArchive(to file: URL) throws {
        try CIFARArchiveWriter.write(dataset(), to: file, level: 1)
    }

    private func split(_ name: String, count: Int, classes: [ClassLook]) -> CIFARSplit {
        var shuffle = RandomStream(seed: seed, purpose: "synthetic-\(name)-labels")
        var fine = [Int32](repeating: 0, count: count)
        for (position, image) in shuffle.permutation(count).enumerated() { fine[image] = Int32(position % fineClasses) }
        let coarse = fine.map { Int32(Int($0) * coarseClasses / fineClasses) }
        let imageBytes = CIFAR100.imageBytes
        let images = [UInt8](unsafeUninitializedCapacity: count * imageBytes) { buffer, initialized in
            for i in 0..<count {
                var random = RandomStream(seed: seed, purpose: "synthetic-\(name)", index: i)
                classes[Int(fine[i])].draw(into: buffer.baseAddress! + i * imageBytes, random: &random)
            }
            initialized = count * imageBytes
        }
        return CIFARSplit(images: images, fineLabels: fine, coarseLabels: coarse)
    }
}

/// How one class looks.
private struct ClassLook {
    let shape: Int
    let size: Int
    let foreground: (Int, Int, Int)
    let background: (Int, Int, Int)

    init(seed: UInt64, index: Int) {
        var random = RandomStream(seed: seed, purpose: "synthetic-class", index: index)
        shape = index % 8  // neighbouring classes differ in shape, the rest by colour and size
        size = 6 + random.below(7)
        foreground = (random.below(256), random.below(256), random.below(256))
        background = (random.below(256), random.below(256), random.below(256))
    }

    func draw(into image: UnsafeMutablePointer<UInt8>, random: inout RandomStream) {
        let side = CIFAR100.side
        let centerRow = 16 + random.below(9) - 4, centerColumn = 16 + random.below(9) - 4
        func jitter(_ colour: (Int, Int, Int)) -> [Int] {
            [colour.0, colour.1, colour.2].map { $0 + random.below(49) - 24 }
        }
        let fg = jitter(foreground), bg = jitter(background)
        var noise: UInt32 = 0
        for row in 0..<side {
            for column in 0..<side {
                let inside = contains(row - centerRow, column - centerColumn)
                let pixel = row * side + column
                if pixel % 4 == 0 { noise = random.next() }
                let offset = Int((noise >> UInt32(8 * (pixel % 4))) & 31) - 16
                for channel in 0..<3 {
                    let value = (inside ? fg[channel] : bg[channel]) + offset
                    image[channel * side * side + pixel] = UInt8(clamping: value)
                }
            }
        }
    }

    private func contains(_ dr: Int, _ dc: Int) -> Bool {
        let s = size
        switch shape {
        case 0: return dr * dr + dc * dc <= s * s
        case 1: return abs(dr) <= s && abs(dc) <= s
        case 2: let d = dr * dr + dc * dc; return d <= s * s && d >= s * s / 4
        case 3: return abs(dr) <= s / 3 && abs(dc) <= s
        case 4: return abs(dc) <= s / 3 && abs(dr) <= s
        case 5: return (abs(dr) <= 2 || abs(dc) <= 2) && abs(dr) <= s && abs(dc) <= s
        case 6: return abs(dr - dc) <= 2 && abs(dr) <= s
        default: return dr >= -s && dr <= s && 2 * abs(dc) <= dr + s
        }
    }
}
