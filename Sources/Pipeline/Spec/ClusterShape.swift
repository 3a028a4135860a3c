import Foundation

/// The cluster the dry run plans for (`--cluster-nodes`, `--cluster-cores`,
/// `--cluster-network`, or a profile's `cluster: {nodes: 32, cores: 32, network: 10}`):
/// how many nodes the concurrently running stages share, the cores of each, and the
/// network's bandwidth in Gb/s. `calibration:` names the file of
/// `artifacts/calibration/` whose measured speeds the estimates use (default: this
/// machine's kind). Never part of a stage key.
public struct ClusterShape: Sendable, Equatable {
    public var nodes: Int?
    public var cores: Int?
    public var network: Double?
    public var calibration: String?

    public init(nodes: Int? = nil, cores: Int? = nil, network: Double? = nil, calibration: String? = nil) {
        self.nodes = nodes
        self.cores = cores
        self.network = network
        self.calibration = calibration
    }

    /// Field by field, what `top` sets wins.
    public func overlaid(by top: ClusterShape) -> ClusterShape {
        ClusterShape(
            nodes: top.nodes ?? nodes, cores: top.cores ?? cores, network: top.network ?? network,
            calibration: top.calibration ?? calibration)
    }

    public static let defaultCores = 32
    public static let defaultNetwork = 10.0

    /// Whether the plan has a cluster to fit (a node count); cores and network then
    /// default to 32 and 10 Gb/s.
    public var isSet: Bool { nodes != nil }

    /// Why the shape cannot be planned for, or nil.
    public var problem: String? {
        if let nodes, nodes < 1 { return "cluster nodes must be at least 1" }
        if let cores, cores < 1 { return "cluster cores must be at least 1" }
        if let network, !(network > 0) { return "cluster network must be a positive bandwidth in Gb/s" }
        return nil
    }
}

extension PipelineFile.Reader {
    /// A profile's `cluster: {nodes, cores, network, calibration}`.
    func clusterShape(_ entry: PipelineFile.Entry) throws -> ClusterShape {
        var shape = ClusterShape()
        for field in try entries(
            entry.value, what: "'cluster' (nodes, cores, network, calibration)",
            allowed: ["nodes", "cores", "network", "calibration"])
        {
            let text = try scalar(field.value, what: "the cluster's \(field.key)")
            func number<T: LosslessStringConvertible>(_ what: String) throws -> T {
                guard let value = T(text) else {
                    throw PipelineError.spec(
                        location(field.value.mark), "expected \(what) for cluster \(field.key), found '\(text)'")
                }
                return value
            }
            switch field.key {
            case "nodes": shape.nodes = try number("an integer")
            case "cores": shape.cores = try number("an integer")
            case "network": shape.network = try number("a bandwidth in Gb/s")
            default: shape.calibration = text
            }
        }
        if let problem = shape.problem { throw PipelineError.spec(entry.location, problem) }
        return shape
    }
}
