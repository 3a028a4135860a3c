import Foundation
import HDF5
import Pipeline

/// `repro verify` on an HDF5 output (checkpoints, the dataset) that differs from the lock:
/// the first differing object, attribute or element, from the HDF5 module's comparison.
struct HDF5OutputComparer: OutputComparer {
    func accepts(_ file: URL) -> Bool { H5Comparison.isHDF5(file) }
    func firstDifference(_ expected: URL, _ actual: URL) -> String? {
        H5Comparison.firstDifference(expected, actual)
    }
    var equalContents: String { "every dataset and attribute is equal (the layout differs)" }
}
