/// What a model costs, from its geometry alone (no parameter arenas are allocated): for
/// the cluster requests a training stage derives (`TrainKind.resources`) before it runs.
public struct ModelCost: Sendable, Equatable {
    public let parameters: Int
    /// Forward multiply-adds per 32x32 image.
    public let forwardMACs: Int
    /// Floats a pass keeps per image: each unit's convolution output, the normalised output
    /// of the units that keep theirs (the others share two buffers: `ConvBN.sharesOutput`),
    /// and the gradient buffers of the largest unit (allocated for inference too), as
    /// `Model` allocates them. `repro bench`'s peak RSS is 0.5–1x of `trainingBytes`
    /// (ResNet56 at batch 128: 489 MiB measured, 965 estimated; ResNeXt29 16x64d at 32:
    /// 4,865 MiB, 5,129).
    public let activationFloats: Int

    public init(model name: String, classes: Int, widthMultiplier: Double = 1) throws {
        let model = try Model(name: name, classes: classes, widthMultiplier: widthMultiplier, seed: 0, allocate: false)
        parameters = model.store.registeredCount
        forwardMACs = model.forwardMACs()
        var saved = 0, largest = 0, shared = 0
        model.visitShapes(height: 32, width: 32) { shape, unit in
            saved += unit.sharesOutput ? shape.outputCount : 2 * shape.outputCount
            largest = max(largest, shape.outputCount)
            if unit.sharesOutput { shared = max(shared, shape.outputCount) }
        }
        activationFloats = saved + 2 * shared + (2 + model.scratchBuffers) * largest
    }

    /// Bytes of a training process with `imagesPerPass` images in one forward/backward pass:
    /// parameters, gradients and two optimizer states, the activations, and a fixed
    /// 512 MiB for the runtime, BLAS buffers and convolution scratch.
    public func trainingBytes(imagesPerPass: Int) -> Double {
        4 * Double(4 * parameters + activationFloats * imagesPerPass) + 512 * 1_048_576
    }
}
