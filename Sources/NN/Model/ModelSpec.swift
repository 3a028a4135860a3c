import Foundation

/// A model name parsed into its architecture (RECIPE.md §3).
public enum Architecture: Equatable, Sendable {
    /// CIFAR ResNet v1, GluonCV layout: depth = 6n + 2, n BasicBlocks per stage.
    case resNetV1(depth: Int)
    /// CIFAR ResNeXt, GluonCV layout: depth = 9n + 2, n bottleneck blocks per stage.
    case resNeXt(depth: Int, cardinality: Int, bottleneckWidth: Int)

    public static let knownNames = [
        "cifar_resnet20_v1", "cifar_resnet56_v1", "cifar_resnet110_v1",
        "cifar_resnext29_{C}x{W}d (e.g. cifar_resnext29_16x64d, cifar_resnext29_32x4d, cifar_resnext29_2x4d)",
    ]

    /// Parses `cifar_resnet{6n+2}_v1` or `cifar_resnext{9n+2}_{C}x{W}d`.
    public init(name: String) throws {
        let unknown = NNError.unknownModel(name, known: Architecture.knownNames)
        if name.hasPrefix("cifar_resnet"), name.hasSuffix("_v1"),
            let depth = Int(name.dropFirst("cifar_resnet".count).dropLast("_v1".count))
        {
            guard depth >= 8, (depth - 2) % 6 == 0 else { throw unknown }
            self = .resNetV1(depth: depth)
            return
        }
        if name.hasPrefix("cifar_resnext") {
            let parts = name.dropFirst("cifar_resnext".count).split(separator: "_")
            guard parts.count == 2, let depth = Int(parts[0]), depth >= 11, (depth - 2) % 9 == 0,
                parts[1].hasSuffix("d")
            else { throw unknown }
            let sizes = parts[1].dropLast().split(separator: "x")
            guard sizes.count == 2, let cardinality = Int(sizes[0]), let width = Int(sizes[1]),
                cardinality > 0, width > 0
            else { throw unknown }
            self = .resNeXt(depth: depth, cardinality: cardinality, bottleneckWidth: width)
            return
        }
        throw unknown
    }
}

public enum NNError: Error, CustomStringConvertible, Equatable {
    case unknownModel(String, known: [String])
    case badInput(String)
    case nonFiniteLoss(step: Int, value: Float)

    /// An unknown model or a bad setting is the user's to fix (exit 2); a loss that is no
    /// longer finite is a failed run (exit 1).
    public var isBadInput: Bool {
        if case .nonFiniteLoss = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .unknownModel(let name, let known):
            return "unknown model \"\(name)\"; known models: \(known.joined(separator: ", "))"
        case .badInput(let message): return message
        case .nonFiniteLoss(let step, let value): return "loss is \(value) at step \(step); stopping"
        }
    }
}
