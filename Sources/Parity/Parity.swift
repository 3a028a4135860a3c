import Foundation
import HDF5
import Tensor

/// `repro parity`: recognises a golden file (golden/README.md) from its contents, rebuilds
/// what it describes from the file's own attributes and shapes, runs it in float32 and
/// compares every f64 reference tensor with relmax.
public enum Parity {
    /// Tolerances of golden/README.md ("Expected accuracy of a float32 implementation").
    public static let layerTolerance = 1e-5
    public static let gradientTolerance = 1e-4

    /// Checks one file on `threads` workers (results do not depend on it). `tolerance`
    /// replaces every per-tensor tolerance when given. Throws `ParityError` when the file
    /// cannot be checked (unknown layout, missing dataset, damaged).
    public static func check(_ url: URL, tolerance: Double? = nil, threads: Int = 1) throws -> ParityReport {
        do {
            return try checkFile(url, tolerance: tolerance, threads: threads)
        } catch let error as H5Error {
            // Any read the checkers make (an attribute, a dataset) may meet a damaged file.
            throw ParityError.unreadable(file: url.path, detail: error.description)
        }
    }

    private static func checkFile(_ url: URL, tolerance: Double?, threads: Int) throws -> ParityReport {
        let context = ComputeContext(threads: threads)
        let file = try GoldenFile(url)
        defer { file.close() }
        var report: ParityReport
        let root = file.root
        if root.hasAttribute("main_file") {
            throw ParityError.companionOnly(file: file.name, mainFile: (try? root.stringAttribute("main_file")) ?? "?")
        } else if root.contains("case_0") {
            report = try ConvParity.check(file, context)
        } else if root.contains("train/running_mean_before") || root.contains("eval/running_mean_before") {
            report = try BatchNormParity.check(file, context)
        } else if root.contains("f64/params_after_step") {
            report = try ModelParity.checkSGDStep(file, context)
        } else if root.contains("params") && root.contains("inputs/x") {
            report = try ModelParity.checkStep(file, context)
        } else if root.childNames.contains(where: {
            root.contains($0 + "/logits") && root.contains($0 + "/f64/per_sample")
        }) {
            report = try LossParity.check(file)
        } else {
            throw ParityError.unknownLayout(file: file.name, detail: "top level holds \(root.childNames)")
        }
        if let tolerance {
            for i in report.lines.indices { report.lines[i].tolerance = tolerance }
        }
        return report
    }
}
