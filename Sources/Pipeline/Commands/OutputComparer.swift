import Foundation

/// Compares two versions of one output file of a format it knows, for `repro verify`: when
/// an output's hash differs from the lock, the first comparer that accepts the file names
/// what differs inside it (an HDF5 dataset, say). Pipeline knows no file format; the
/// executable registers comparers for the formats its kinds write (`OutputComparers`).
public protocol OutputComparer: Sendable {
    /// True for a file of this comparer's format (checked on the new file).
    func accepts(_ file: URL) -> Bool
    /// A sentence naming the first difference, or nil when the contents compare equal
    /// although the bytes differ (a layout change, say).
    func firstDifference(_ expected: URL, _ actual: URL) -> String?
    /// What to say when the contents compare equal ("every dataset and attribute is equal").
    var equalContents: String { get }
}

/// The comparers `verify` asks, in order.
public struct OutputComparers: Sendable {
    public let comparers: [any OutputComparer]

    public init(_ comparers: [any OutputComparer]) {
        self.comparers = comparers
    }

    public static let none = OutputComparers([])

    /// What differs between the locked file and the new one, or nil when no comparer takes the new file.
    func explain(expected: URL, actual: URL) -> String? {
        guard let comparer = comparers.first(where: { $0.accepts(actual) }) else { return nil }
        guard FileManager.default.fileExists(atPath: expected.path) else {
            return "the locked file is not in the cache, so its contents cannot be compared"
        }
        return comparer.firstDifference(expected, actual) ?? comparer.equalContents
    }
}
