/// What a model costs, from its geometry alone (no parameter arenas are allocated): for
/// the cluster requests a training stage derives (`TrainKind.resources`) before it runs.
public struct ModelCost: Sendable, Equatable {
    public let parameters: Int
    /// Forward multiply-adds per 32x32 image.
    public let forwardMACs: Int
    /// Floats a pass keeps per image: each unit's convolution output and its normalised
    /// output, and the five gradient buffers of the largest unit (allocated for inference
    /// too). `repro bench`'s peak RSS is 0.55–1x of `trainingBytes` (ResNet56 at batch
    /// 128: 624 MiB measured, 1,090 estimated; ResNeXt29 16x64d at 32: 6,321 MiB, 6,561).
    public let activationFloats: Int

    public init(model name: String, classes: Int, widthMultiplier: Double = 1) throws {
        let model = try Model(name: name, classes: classes, widthMultiplier: widthMultiplier, seed: 0, allocate: false)
        parameters = model.store.registeredCount
        forwardMACs = model.forwardMACs()
        var saved = 0, largest = 0
        model.visitShapes(height: 32, width: 32) { shape in
            saved += 2 * shape.outputCount
            largest = max(largest, shape.outputCount)
        }
        activationFloats = saved + 5 * largest
    }

    /// Bytes of a training process with `imagesPerPass` images in one forward/backward pass:
    /// parameters, gradients and two optimizer states, the activations, and a fixed
    /// 512 MiB for the runtime, BLAS buffers and convolution scratch.
    public func trainingBytes(imagesPerPass: Int) -> Double {
        4 * Double(4 * parameters + activationFloats * imagesPerPass) + 512 * 1_048_576
    }
}
