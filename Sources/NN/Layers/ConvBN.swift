import Tensor

/// conv → batch norm (→ ReLU): the unit every CIFAR ResNet and ResNeXt is made of.
/// It keeps the conv output z (for BN backward, and its ReLU mask, recomputed) and the unit
/// output y (for the next layer's backward, and a residual join's mask), allocated once per
/// batch geometry.
///
/// A unit whose y is read only inside its block (all but a block's last, and the
/// projection shortcut) `sharesOutput`: its block hands it one of two buffers the whole
/// model shares, and the backward recomputes y from z (`restoreOutput`) with the forward's
/// own code and coefficients, so the bits it wrote. A ResNet then holds a little over half
/// its activations, for one more pass over z per unit in the backward.
final class ConvBN {
    unowned let store: ParameterStore
    let weight, gamma, beta, runningMean, runningVar: Int
    let inChannels, outChannels, kernel, stride, pad, groups: Int
    let relu: Bool
    /// Set by the block: y lives in a buffer shared with other units (`useOutput`).
    var sharesOutput = false
    var config = BatchNorm.Config()
    private(set) var shape: ConvShape
    private(set) var z = FloatBuffer(count: 0), y = FloatBuffer(count: 0)
    private let mean: FloatBuffer, rstd: FloatBuffer

    init(
        _ store: ParameterStore, conv: String, bn: String, in inChannels: Int, out outChannels: Int,
        kernel: Int, stride: Int = 1, groups: Int = 1, relu: Bool
    ) {
        self.store = store
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel
        self.stride = stride; self.pad = kernel / 2; self.groups = groups; self.relu = relu
        weight = store.addParameter(conv + ".weight", [outChannels, inChannels / groups, kernel, kernel], .convWeight)
        gamma = store.addParameter(bn + ".weight", [outChannels], .batchNormGamma)
        beta = store.addParameter(bn + ".bias", [outChannels], .batchNormBeta)
        runningMean = store.addBuffer(bn + ".running_mean", [outChannels])
        runningVar = store.addBuffer(bn + ".running_var", [outChannels])
        shape = ConvShape(
            batch: 0, inChannels: inChannels, height: 0, width: 0, outChannels: outChannels,
            kernel: kernel, stride: stride, pad: kernel / 2, groups: groups)
        mean = FloatBuffer(count: outChannels)
        rstd = FloatBuffer(count: outChannels)
    }

    /// The conv geometry for a batch of (height × width) inputs.
    func shape(batch: Int, height: Int, width: Int) -> ConvShape {
        ConvShape(
            batch: batch, inChannels: inChannels, height: height, width: width, outChannels: outChannels,
            kernel: kernel, stride: stride, pad: pad, groups: groups)
    }

    /// Sizes the saved activations for this geometry; returns the output's (height, width).
    func prepare(batch: Int, height: Int, width: Int) -> (Int, Int) {
        let next = shape(batch: batch, height: height, width: width)
        if next != shape || z.count != next.outputCount {
            shape = next
            z = FloatBuffer(count: next.outputCount)
            y = FloatBuffer(count: sharesOutput ? 0 : next.outputCount)
        }
        return (shape.outHeight, shape.outWidth)
    }

    var plane: Int { shape.outHeight * shape.outWidth }

    /// A shared buffer for y (at least `shape.outputCount` floats), for a unit that `sharesOutput`.
    func useOutput(_ buffer: FloatBuffer) {
        check(
            sharesOutput && buffer.count >= shape.outputCount,
            "ConvBN.useOutput: \(buffer.count) floats for \(shape.outputCount)")
        y = buffer
    }

    /// Writes y again from z after a training forward, for a unit whose shared buffer has
    /// been used since (not with a join: the shortcut is gone by then).
    func restoreOutput(_ context: ComputeContext) {
        BatchNorm.reapply(
            y.pointer, z.pointer, gamma: store.value(gamma), beta: store.value(beta), mean: mean.pointer,
            rstd: rstd.pointer, batch: shape.batch, channels: outChannels, plane: plane, relu: relu, context)
    }

    /// Whether the last forward ended in a residual join's ReLU (y = ReLU(BN(z) + join)),
    /// whose mask the backward reads from y.
    private(set) var joined = false

    /// With `join` (a block's shortcut), y is the block output ReLU(BN(z) + join).
    func forward(
        _ input: UnsafePointer<Float>, training: Bool, join: UnsafePointer<Float>? = nil, _ context: ComputeContext
    ) {
        joined = join != nil
        guard training else {
            // each image's channels normalised as the convolution finishes them: one pass over z fewer
            let (y, z, all, plane, config, relu) = (
                y.pointer, UnsafePointer(z.pointer), outChannels, plane, config, relu
            )
            let (gamma, beta) = (store.value(gamma), store.value(beta))
            let (runningMean, runningVar) = (store.buffer(runningMean), store.buffer(runningVar))
            Conv2D.forward(self.z.pointer, input, store.value(weight), shape, context) { n, channels in
                for c in channels {
                    BatchNorm.normalizeEval(
                        y, z, c, n, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar,
                        channels: all, plane: plane, relu: relu, join: join, config: config)
                }
            }
            return
        }
        // batch norm's plane sums of each image's channels as the convolution finishes them:
        // one pass over z fewer
        let sums = PlaneSums(batch: shape.batch, channels: outChannels, context)
        let (z, all, plane) = (UnsafePointer(z.pointer), outChannels, plane)
        Conv2D.forward(self.z.pointer, input, store.value(weight), shape, context) { n, channels in
            for c in channels { BatchNorm.takePlaneSums(sums, c, n, z, channels: all, plane: plane) }
        }
        BatchNorm.forwardTrain(
            y.pointer, z, gamma: store.value(gamma), beta: store.value(beta),
            mean: mean.pointer, rstd: rstd.pointer,
            runningMean: store.buffer(runningMean), runningVar: store.buffer(runningVar),
            batch: shape.batch, channels: outChannels, plane: plane, relu: relu, join: join,
            config: config, context, planeSums: sums)
    }

    /// Backward of a training-mode forward. dOut (the gradient w.r.t. y, before the ReLU
    /// mask) is overwritten with the gradient w.r.t. z; dInput, when given, receives the
    /// input gradient (or adds it, with `accumulate`).
    func backward(
        _ dOut: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
        dInput: UnsafeMutablePointer<Float>?, accumulate: Bool = false, _ context: ComputeContext
    ) {
        backwardNorm(dOut, context)
        backwardConv(dOut, input: input, dInput: dInput, accumulate: accumulate, context)
    }

    /// The batch norm half of `backward`: dOut becomes the gradient w.r.t. z. With
    /// `maskedInto`, the ReLU-masked dOut is also written there (a residual join's shortcut
    /// gradient, which this pass then provides).
    func backwardNorm(
        _ dOut: UnsafeMutablePointer<Float>, maskedInto masked: UnsafeMutablePointer<Float>? = nil,
        _ context: ComputeContext
    ) {
        // a join's ReLU mask is read from y; a ReLU's own is recomputed from z (y may be elsewhere by now)
        BatchNorm.backwardTrain(
            dx: dOut, dy: dOut, z.pointer, reluOutput: joined ? UnsafePointer(y.pointer) : nil,
            reluBeta: relu && !joined ? store.value(beta) : nil, maskedInto: masked,
            gamma: store.value(gamma), mean: mean.pointer, rstd: rstd.pointer,
            dGamma: store.gradient(gamma), dBeta: store.gradient(beta),
            batch: shape.batch, channels: outChannels, plane: plane, context)
    }

    /// The convolution half of `backward`, from the gradient w.r.t. z.
    func backwardConv(
        _ dz: UnsafePointer<Float>, input: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>?,
        accumulate: Bool, _ context: ComputeContext
    ) {
        Conv2D.backward(
            dx: dInput, dw: store.gradient(weight), dOut: dz, input, store.value(weight), shape, context,
            accumulate: accumulate)
    }
}
