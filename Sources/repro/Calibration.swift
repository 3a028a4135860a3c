import Foundation
import Support
import Tensor

/// The speeds `repro bench --calibrate` measured for each model on one kind of machine,
/// committed as `artifacts/calibration/<machine-kind>.json`: what the kinds' estimates
/// (`TrainingCost`) use instead of the named fallbacks when the model was measured.
struct Calibration: Codable, Equatable {
    struct Machine: Codable, Equatable {
        /// /proc/cpuinfo's `model name`, `cpu family` and `model`.
        var cpu, family, model: String
        /// The ISA the kernels were compiled for (`NumericEnvironment.compiledISA`).
        var kernels: String
        /// Cores the measurement ran on (`ProcessInfo.activeProcessorCount`).
        var cores: Int
    }

    /// One model at one width, as `Bench` measured it with `--parallelism`.
    struct Entry: Codable, Equatable {
        var model: String
        var width: Double
        var batch, threads: Int
        /// Training and evaluation FLOP/s of one thread: the measured rate on `threads`
        /// threads over the Amdahl speed-up the profile gives for that many.
        var trainFlopsPerThread, evalFlopsPerThread: Double
        /// The share of a training step that runs in parallel, fitted to the measured
        /// Amdahl bound at 64 threads (the most conservative of the bounds below).
        var parallelShare: Double
        /// The profile's bound on the step's speed-up over one thread, by thread count.
        var speedupBounds: [String: Double]
    }

    var machine: Machine
    /// UTC day of the measurement.
    var date: String
    /// The command that wrote the file.
    var command: String
    var models: [Entry]

    /// The calibration this process's estimates use, chosen once as the pipeline loads
    /// (`PipelineOptions.load`), before any stage's request is asked for.
    nonisolated(unsafe) static var current: Calibration?

    /// The file `name` names in the project's calibrations, else this machine kind's; nil
    /// when there is none (the estimates then use the fallbacks and say so). A file that
    /// is there but cannot be read is bad input.
    static func select(project: URL, name: String?) throws -> Calibration? {
        let url = directory(project: project).appendingPathComponent((name ?? Machine.current.kind) + ".json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try load(url)
        } catch {
            throw Failure.badInput("calibration \(url.path) is not readable: \(error.localizedDescription)")
        }
    }

    func entry(model: String, width: Double) -> Entry? {
        models.first { $0.model == model && $0.width == width }
    }

    /// The calibrations of a project.
    static func directory(project: URL) -> URL {
        project.appendingPathComponent("artifacts/calibration", isDirectory: true)
    }

    static func load(_ url: URL) throws -> Calibration {
        try JSONDecoder().decode(Calibration.self, from: Data(contentsOf: url))
    }

    var json: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return ((try? encoder.encode(self)) ?? Data()) + Data("\n".utf8)
    }
}

extension Calibration.Machine {
    /// This machine, from /proc/cpuinfo and the build.
    static var current: Calibration.Machine {
        let info = (try? String(contentsOfFile: CPUCheck.cpuinfo, encoding: .utf8)) ?? ""
        func field(_ name: String) -> String {
            let line = info.split(separator: "\n").first { $0.hasPrefix(name) && $0.contains(":") }
            return line.map { $0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces) } ?? "?"
        }
        return Calibration.Machine(
            cpu: field("model name"), family: field("cpu family"), model: field("model"),
            kernels: NumericEnvironment.compiledISA, cores: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The file name's stem: the CPU's name and the kernels' vector extension, e.g.
    /// `amd-epyc-avx2` (the speed depends on both, the bits on neither).
    var kind: String {
        let isa = kernels.contains("AVX-512") ? "avx512" : kernels.contains("AVX2") ? "avx2" : "generic"
        let name = cpu.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        let words = String(name).split(separator: "-").filter { !$0.isEmpty }
        return (words + [Substring(isa)]).joined(separator: "-")
    }
}
