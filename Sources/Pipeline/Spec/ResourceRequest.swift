import Foundation

/// What one stage asks a cluster for when it runs as a job (`--executor slurm`): CPUs
/// (its thread count), memory, a time limit, nodes and tasks (the ranks of a data-parallel
/// run) and sbatch options passed through as written (partition, account, qos, gres).
/// Never part of a stage key: a stage run with other resources produces the same bytes.
public struct ResourceRequest: Sendable, Equatable {
    public var cpus: Int?
    /// sbatch's spelling: `4G`, `500M` (a bare number is megabytes).
    public var memory: String?
    /// sbatch's spelling: minutes, `H:M:S` or `D-H:M:S`.
    public var time: String?
    /// `--nodes` and `--ntasks`: a data-parallel training runs one rank per node.
    public var nodes: Int?
    public var tasks: Int?
    /// Extra sbatch options, each one argument (`--partition=long`).
    public var options: [String]
    /// The kind's estimate of the stage's duration on the CPUs it asks for (not a request:
    /// the dry run's critical path uses it for stages never timed).
    public var estimatedSeconds: Double?
    /// How that estimate scales with nodes and threads, for the cluster plan (not a request).
    public var work: WorkEstimate?

    public init(
        cpus: Int? = nil, memory: String? = nil, time: String? = nil, nodes: Int? = nil, tasks: Int? = nil,
        options: [String] = [], estimatedSeconds: Double? = nil, work: WorkEstimate? = nil
    ) {
        self.cpus = cpus
        self.memory = memory
        self.time = time
        self.nodes = nodes
        self.tasks = tasks
        self.options = options
        self.estimatedSeconds = estimatedSeconds
        self.work = work
    }

    /// Field by field, what `top` sets wins; options add up (sbatch takes the last of a repeated option).
    public func overlaid(by top: ResourceRequest) -> ResourceRequest {
        ResourceRequest(
            cpus: top.cpus ?? cpus, memory: top.memory ?? memory, time: top.time ?? time, nodes: top.nodes ?? nodes,
            tasks: top.tasks ?? tasks, options: options + top.options.filter { !options.contains($0) },
            estimatedSeconds: top.estimatedSeconds ?? estimatedSeconds, work: top.work ?? work)
    }

    /// `cpus=4 mem=6G time=12:00:00 nodes=8 tasks=8 --partition=long`, "default" where
    /// nothing is asked (nodes and tasks only when asked).
    public var text: String {
        var parts = [
            "cpus=\(cpus.map(String.init) ?? "default")", "mem=\(memory ?? "default")", "time=\(time ?? "default")",
        ]
        if let nodes { parts.append("nodes=\(nodes)") }
        if let tasks { parts.append("tasks=\(tasks)") }
        parts += options
        return parts.joined(separator: " ")
    }

    // MARK: - sbatch's units

    /// Megabytes of an sbatch memory spelling (K, M, G, T suffixes; bare = M).
    public static func megabytes(_ memory: String) -> Double? {
        let units: [Character: Double] = ["K": 1.0 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024]
        let upper = memory.uppercased()
        if let last = upper.last, let unit = units[last] { return Double(upper.dropLast()).map { $0 * unit } }
        return Double(upper)
    }

    /// The spelling of `megabytes`, rounded up to whole gigabytes from 1 GB on.
    public static func memory(megabytes: Double) -> String {
        megabytes >= 1024 ? "\(Int((megabytes / 1024).rounded(.up)))G" : "\(Int(megabytes.rounded(.up)))M"
    }

    /// Seconds of an sbatch time spelling: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S.
    public static func seconds(_ time: String) -> Int? {
        let dayParts = time.split(separator: "-")
        guard (1...2).contains(dayParts.count) else { return nil }
        let days = dayParts.count == 2 ? Int(dayParts[0]) : 0
        let fields = dayParts.last!.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard let days, !fields.contains(nil) else { return nil }
        let f = fields.map { $0! }
        switch (dayParts.count, f.count) {
        case (1, 1): return f[0] * 60
        case (1, 2): return f[0] * 60 + f[1]
        case (1, 3), (2, 3): return days * 86400 + f[0] * 3600 + f[1] * 60 + f[2]
        case (2, 1): return days * 86400 + f[0] * 3600
        case (2, 2): return days * 86400 + f[0] * 3600 + f[1] * 60
        default: return nil
        }
    }

    /// `D-HH:MM:SS` (or `HH:MM:SS` under a day) for whole minutes at or above `seconds`.
    public static func time(seconds: Double) -> String {
        let minutes = max(1, Int((seconds / 60).rounded(.up)))
        let (days, rest) = minutes.quotientAndRemainder(dividingBy: 1440)
        let clock = String(format: "%02d:%02d:00", rest / 60, rest % 60)
        return days > 0 ? "\(days)-\(clock)" : clock
    }

    /// The time limit a kind asks for by default: the estimate with half again and ten
    /// minutes on top, at most a day (a common partition limit); a longer stage
    /// checkpoints before its limit and continues in the next job.
    public static func limit(estimate seconds: Double) -> String {
        time(seconds: min(longestLimit, seconds * 1.5 + 600))
    }

    public static let longestLimit = 86_400.0

    /// Why a request cannot go to sbatch as written, or nil.
    public var problem: String? {
        if let cpus, cpus < 1 { return "cpus must be at least 1" }
        if let nodes, nodes < 1 { return "nodes must be at least 1" }
        if let tasks, tasks < 1 { return "tasks must be at least 1" }
        if let memory, (Self.megabytes(memory) ?? 0) <= 0 { return "mem '\(memory)' is not a size such as 4G or 500M" }
        if let time, Self.seconds(time) == nil { return "time '\(time)' is not minutes, H:M:S or D-H:M:S" }
        if let option = options.first(where: { !$0.hasPrefix("-") }) {
            return "option '\(option)' is not an sbatch option (e.g. --partition=long)"
        }
        return nil
    }
}
