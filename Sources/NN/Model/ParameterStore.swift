import Tensor

/// What a parameter is, for initialisation and for the no-decay-on-bias-and-BN option.
public enum ParameterKind: Sendable {
    case convWeight, batchNormGamma, batchNormBeta, denseWeight, denseBias

    /// Biases and BN parameters: the ones `--no-wd` exempts from weight decay.
    public var isBiasOrNorm: Bool { self != .convWeight && self != .denseWeight }
}

/// The model's three arenas: parameters, their gradients (same views) and buffers
/// (BN running statistics). Layers register their tensors while the model is built,
/// in model order, then `allocate` creates the arenas once.
public final class ParameterStore {
    private var parameterLayout = Arena.Layout(), bufferLayout = Arena.Layout()
    public private(set) var kinds: [ParameterKind] = []
    public private(set) var parameters = Arena(views: [])
    public private(set) var gradients = Arena(views: [])
    public private(set) var buffers = Arena(views: [])

    init() {}

    func addParameter(_ name: String, _ shape: [Int], _ kind: ParameterKind) -> Int {
        kinds.append(kind)
        return parameterLayout.add(name, shape)
    }

    /// Parameters registered so far (known before `allocate`).
    var registeredCount: Int { parameterLayout.count }
    /// The parameters' views registered so far, in order.
    var registeredViews: [Arena.View] { parameterLayout.views }

    func addBuffer(_ name: String, _ shape: [Int]) -> Int { bufferLayout.add(name, shape) }

    func allocate() {
        parameters = Arena(views: parameterLayout.views)
        gradients = parameters.zerosLike()
        buffers = Arena(views: bufferLayout.views)
    }

    @inline(__always) func value(_ index: Int) -> UnsafeMutablePointer<Float> {
        parameters.pointer + parameters.views[index].offset
    }

    @inline(__always) func gradient(_ index: Int) -> UnsafeMutablePointer<Float> {
        gradients.pointer + gradients.views[index].offset
    }

    @inline(__always) func buffer(_ index: Int) -> UnsafeMutablePointer<Float> {
        buffers.pointer + buffers.views[index].offset
    }
}
