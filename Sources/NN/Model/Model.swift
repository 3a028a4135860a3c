import Tensor

/// A CIFAR ResNet v1 or ResNeXt built from its name, with its parameters, gradients and
/// BN running statistics in arenas named as in golden/README.md (`stem_conv.weight`,
/// `stage2.0.down_bn.bias`, `fc.weight`, …; buffers `….running_mean`/`running_var`).
///
/// Use: `forward(x, batch:, training: true)` → logits; a loss gives dLogits (the gradient
/// of the batch-mean loss); `zeroGradients()`; `backward(dLogits)`; then an optimizer step.
public final class Model {
    public let name: String
    public let architecture: Architecture
    public let classes: Int
    public let store: ParameterStore
    let stem: ConvBN
    let blocks: [ResidualBlock]
    let fcWeight, fcBias: Int
    /// The flat position of each block's first parameter (`gradientBuckets`).
    let blockStarts: [Int]
    /// Channels entering the classifier.
    public let features: Int
    /// Threads and scratch memory of this model's kernels; set `context.threads` to the
    /// run's share of the cores. Several models compute at once, each in its own context;
    /// a teacher may share its student's (they run one after another).
    public var context = ComputeContext()

    // geometry of the prepared batch and the buffers sized for it
    public private(set) var batch = 0, height = 0, width = 0
    private var input = FloatBuffer(count: 0)
    private var pooled = FloatBuffer(count: 0), logits = FloatBuffer(count: 0), dPooled = FloatBuffer(count: 0)
    private var gradientBuffers: [FloatBuffer] = []  // two ping-pong buffers, then the blocks' scratch buffers
    /// The outputs of the units that share theirs (`ConvBN.sharesOutput`).
    private var sharedOutputs = (FloatBuffer(count: 0), FloatBuffer(count: 0))
    private var trainedForward = false

    /// - Parameters:
    ///   - name: `cifar_resnet20_v1`, `cifar_resnet56_v1`, `cifar_resnet110_v1`, `cifar_resnext29_16x64d`, …
    ///   - classes: classifier outputs.
    ///   - widthMultiplier: scales every channel count (tiny models for tests).
    ///   - seed: initialisation seed (RECIPE.md §3.3).
    public convenience init(name: String, classes: Int, widthMultiplier: Double = 1, seed: UInt64 = 0) throws {
        try self.init(name: name, classes: classes, widthMultiplier: widthMultiplier, seed: seed, allocate: true)
    }

    /// `allocate: false` builds the layers' geometry only, without parameter arenas (for `ModelCost`).
    init(name: String, classes: Int, widthMultiplier: Double, seed: UInt64, allocate: Bool) throws {
        guard classes > 0 else { throw NNError.badInput("model \(name): classes must be positive, got \(classes)") }
        guard widthMultiplier > 0 else { throw NNError.badInput("model \(name): width multiplier must be positive") }
        let architecture = try Architecture(name: name)
        self.name = name
        self.architecture = architecture
        self.classes = classes
        let store = ParameterStore()
        self.store = store
        func scaled(_ channels: Int) -> Int { max(1, Int((Double(channels) * widthMultiplier).rounded())) }

        var blocks: [ResidualBlock] = []
        switch architecture {
        case .resNetV1(let depth):
            // GluonCV CIFARResNetV1: no ReLU after the stem BN; BasicBlockV1 with 1x1 projections
            let widths = [16, 32, 64].map(scaled)
            stem = ConvBN(store, conv: "stem_conv", bn: "stem_bn", in: 3, out: widths[0], kernel: 3, relu: false)
            var channels = widths[0]
            for (s, width) in widths.enumerated() {
                for b in 0..<(depth - 2) / 6 {
                    let prefix = "stage\(s + 1).\(b)."
                    let stride = s > 0 && b == 0 ? 2 : 1
                    let body = [
                        ConvBN(
                            store, conv: prefix + "conv1", bn: prefix + "bn1", in: channels, out: width,
                            kernel: 3, stride: stride, relu: true),
                        ConvBN(
                            store, conv: prefix + "conv2", bn: prefix + "bn2", in: width, out: width,
                            kernel: 3, relu: false),
                    ]
                    let down =
                        channels != width || stride != 1
                        ? ConvBN(
                            store, conv: prefix + "down_conv", bn: prefix + "down_bn", in: channels, out: width,
                            kernel: 1, stride: stride, relu: false)
                        : nil
                    blocks.append(ResidualBlock(body: body, down: down))
                    channels = width
                }
            }
            features = channels
        case .resNeXt(let depth, let cardinality, let bottleneckWidth):
            // GluonCV CIFARResNext: stem with ReLU; stride on the grouped 3x3; projection in every stage's first block
            let stemWidth = scaled(64)
            stem = ConvBN(store, conv: "stem_conv", bn: "stem_bn", in: 3, out: stemWidth, kernel: 3, relu: true)
            var channels = stemWidth
            for (s, base) in [64, 128, 256].map(scaled).enumerated() {
                let group = cardinality * max(1, base * bottleneckWidth / 64)
                let out = 4 * base
                for b in 0..<(depth - 2) / 9 {
                    let prefix = "stage\(s + 1).\(b)."
                    let stride = s > 0 && b == 0 ? 2 : 1
                    let body = [
                        ConvBN(
                            store, conv: prefix + "conv1", bn: prefix + "bn1", in: channels, out: group,
                            kernel: 1, relu: true),
                        ConvBN(
                            store, conv: prefix + "conv2", bn: prefix + "bn2", in: group, out: group,
                            kernel: 3, stride: stride, groups: cardinality, relu: true),
                        ConvBN(
                            store, conv: prefix + "conv3", bn: prefix + "bn3", in: group, out: out,
                            kernel: 1, relu: false),
                    ]
                    let down =
                        b == 0
                        ? ConvBN(
                            store, conv: prefix + "down_conv", bn: prefix + "down_bn", in: channels, out: out,
                            kernel: 1, stride: stride, relu: false)
                        : nil
                    blocks.append(ResidualBlock(body: body, down: down))
                    channels = out
                }
            }
            features = channels
        }
        self.blocks = blocks
        fcWeight = store.addParameter("fc.weight", [classes, features], .denseWeight)
        blockStarts = Self.starts(of: blocks, after: stem, store)
        fcBias = store.addParameter("fc.bias", [classes], .denseBias)
        if allocate {
            store.allocate()
            Initializer.xavierUniform(store, seed: seed)
        }
    }

    // MARK: - Arenas

    public var parameters: Arena { store.parameters }
    public var gradients: Arena { store.gradients }
    /// BN running statistics.
    public var buffers: Arena { store.buffers }
    /// Per parameter view, in model order.
    public var parameterKinds: [ParameterKind] { store.kinds }
    public var parameterCount: Int { store.parameters.count }

    /// BN settings of every layer (ε, momentum, running-variance rule).
    public var batchNormConfig: BatchNorm.Config {
        get { stem.config }
        set { for unit in units { unit.config = newValue } }
    }

    public func zeroGradients() { store.gradients.zero() }

    var units: [ConvBN] { [stem] + blocks.flatMap(\.units) }

    /// Gradient buffers a block's backward needs besides the two between blocks (`ResidualBlock.backward`).
    var scratchBuffers: Int { blocks.contains { $0.body.count > 2 } ? 2 : 1 }

    /// Forward multiply-adds per image (convolutions and the classifier).
    public func forwardMACs(height: Int = 32, width: Int = 32) -> Int {
        var macs = 0
        visitShapes(height: height, width: width) { shape, _ in macs += shape.macs }
        return macs + features * classes
    }

    /// Multiply-adds the kernels execute per image (`Conv2D.multiplyAdds`): the forward's, or
    /// with `training` a step's (forward, input gradient but the stem's, weight gradient),
    /// the classifier's included. The dense count of a step is 3 × `forwardMACs`.
    public func executedMACs(training: Bool, height: Int = 32, width: Int = 32) -> Int {
        var macs = (training ? 3 : 1) * features * classes
        visitShapes(height: height, width: width) { shape, unit in
            let passes = Conv2D.multiplyAdds(shape)
            macs += passes.forward
            if training { macs += passes.weightGradient + (unit === stem ? 0 : passes.inputGradient) }
        }
        return macs
    }

    /// Each block's first flat parameter position, checking that a block's parameters are
    /// the consecutive run between its start and the next one's (units register in model
    /// order): what makes a block's gradients one bucket.
    private static func starts(of blocks: [ResidualBlock], after stem: ConvBN, _ store: ParameterStore) -> [Int] {
        let views = store.registeredViews
        func span(_ unit: ConvBN) -> Range<Int> {
            let indices = [unit.weight, unit.gamma, unit.beta]
            return views[indices.min()!].offset..<indices.map { views[$0].offset + views[$0].count }.max()!
        }
        var end = span(stem).upperBound
        return blocks.map { block in
            let spans = block.units.map(span)
            let start = spans.map(\.lowerBound).min()!
            check(start == end, "Model: a block's parameters begin at \(start), not after the previous one's (\(end))")
            end = spans.map(\.upperBound).max()!
            check(spans.reduce(0) { $0 + $1.count } == end - start, "Model: a block's parameters are not consecutive")
            return start
        }
    }

    /// Every unit's convolution geometry for one image, in model order, with the unit.
    func visitShapes(height: Int, width: Int, _ visit: (ConvShape, ConvBN) -> Void) {
        func unitShape(_ unit: ConvBN, _ size: (Int, Int)) -> (Int, Int) {
            let shape = unit.shape(batch: 1, height: size.0, width: size.1)
            visit(shape, unit)
            return (shape.outHeight, shape.outWidth)
        }
        var size = unitShape(stem, (height, width))
        for block in blocks {
            let input = size
            for unit in block.body { size = unitShape(unit, size) }
            if let down = block.down { _ = unitShape(down, input) }
        }
    }

    // MARK: - Forward and backward

    private func prepare(batch: Int, height: Int, width: Int) {
        guard batch != self.batch || height != self.height || width != self.width else { return }
        (self.batch, self.height, self.width) = (batch, height, width)
        input = FloatBuffer(count: batch * 3 * height * width)
        var size = stem.prepare(batch: batch, height: height, width: width)
        var largest = stem.shape.outputCount, shared = 0
        for block in blocks {
            size = block.prepare(batch: batch, height: size.0, width: size.1)
            for unit in block.units { largest = max(largest, unit.shape.outputCount) }
            shared = max(shared, block.sharedOutputCount)
        }
        sharedOutputs = (FloatBuffer(count: shared), FloatBuffer(count: shared))
        for block in blocks { block.share(sharedOutputs) }
        pooled = FloatBuffer(count: batch * features)
        dPooled = FloatBuffer(count: batch * features)
        logits = FloatBuffer(count: batch * classes)
        gradientBuffers = (0..<2 + scratchBuffers).map { _ in FloatBuffer(count: largest) }
    }

    /// Logits (N, classes) for a batch x (N, 3, H, W). Training mode normalises with batch
    /// statistics and updates the running statistics; evaluation mode uses them.
    public func forward(
        _ x: UnsafePointer<Float>, batch: Int, height: Int = 32, width: Int = 32,
        training: Bool
    ) -> UnsafeBufferPointer<Float> {
        prepare(batch: batch, height: height, width: width)
        input.pointer.update(from: x, count: input.count)
        stem.forward(input.pointer, training: training, context)
        var current = UnsafePointer(stem.y.pointer)
        for block in blocks {
            block.forward(current, training: training, context)
            current = UnsafePointer(block.output.pointer)
        }
        let last = blocks.last?.output ?? stem.y
        GlobalAvgPool.forward(pooled.pointer, current, rows: batch * features, plane: last.count / (batch * features))
        Dense.forward(
            logits.pointer, pooled.pointer, store.value(fcWeight), store.value(fcBias),
            batch: batch, inputs: features, outputs: classes)
        trainedForward = training
        return UnsafeBufferPointer(start: logits.pointer, count: logits.count)
    }

    /// Inference logits (N, classes) of a batch, `part` images at a time: the activations
    /// held scale with the part, not the batch (a 16x64d teacher's forward over 256 images
    /// in one piece needs ~38 GB). Each part is a forward of its own: the im2col products
    /// group images by the batch they see, so the last bits can differ from one pass over
    /// the whole batch, and `part` is part of the arithmetic (a caller's constant).
    public func inferenceLogits(_ x: UnsafePointer<Float>, batch: Int, part: Int) -> [Float] {
        var result: [Float] = []
        result.reserveCapacity(batch * classes)
        for first in stride(from: 0, to: batch, by: part) {
            let count = min(part, batch - first)
            result += forward(x + first * 3 * 32 * 32, batch: count, training: false)
        }
        return result
    }

    /// Array form of `forward`.
    public func forward(_ x: [Float], batch: Int, height: Int = 32, width: Int = 32, training: Bool) -> [Float] {
        check(
            x.count == batch * 3 * height * width,
            "Model.forward: input x holds \(x.count) floats, not \(batch)×3×\(height)×\(width)")
        return x.withUnsafeBufferPointer {
            Array(forward($0.baseAddress!, batch: batch, height: height, width: width, training: training))
        }
    }

    /// Accumulates into `gradients` the gradient of the loss whose logit gradient is
    /// `dLogits` (N, classes), through the last training-mode forward. Returns the input
    /// gradient (N, 3, H, W) when asked for.
    @discardableResult
    /// `finished(from)`, when given, runs as soon as the gradients at flat positions from
    /// `from` on are final: after the classifier and after each block (`gradientBuckets`),
    /// so that they can be sent while the rest of the pass runs (`GradientStream`).
    public func backward(
        _ dLogits: UnsafePointer<Float>, inputGradient: Bool = false, finished: ((Int) -> Void)? = nil
    ) -> [Float]? {
        check(trainedForward, "Model.backward needs a training-mode forward first")
        let dOut = dLogits
        Dense.backward(
            dx: dPooled.pointer, dw: store.gradient(fcWeight), dBias: store.gradient(fcBias), dOut: dOut,
            pooled.pointer, store.value(fcWeight), batch: batch, inputs: features, outputs: classes)
        finished?(store.registeredViews[fcWeight].offset)
        let last = blocks.last?.output ?? stem.y
        var gradient = gradientBuffers[0], next = gradientBuffers[1]
        GlobalAvgPool.backward(
            dx: gradient.pointer, dOut: dPooled.pointer, rows: batch * features,
            plane: last.count / (batch * features))
        let scratch = Array(gradientBuffers[2...])
        for (index, block) in blocks.enumerated().reversed() {
            let blockInput = index == 0 ? stem.y : blocks[index - 1].output
            block.backward(gradient.pointer, input: blockInput.pointer, dInput: next.pointer, scratch: scratch, context)
            swap(&gradient, &next)
            finished?(blockStarts[index])
        }
        let dx = inputGradient ? FloatBuffer(count: input.count) : nil
        stem.backward(gradient.pointer, input: input.pointer, dInput: dx?.pointer, context)
        finished?(0)
        return dx?.array
    }

    /// Where the gradients of the classifier and of each block begin, the last first: the
    /// flat positions at which `backward` reports what it has finished. Each bucket of
    /// (gradients, statistics) runs from one of them to the one before (the first to the
    /// end: the statistics are final after the forward pass), the stem's from 0.
    public var gradientBuckets: [Range<Int>] {
        let starts = [0] + blockStarts + [store.registeredViews[fcWeight].offset]
        let ends = starts.dropFirst() + [gradients.count + buffers.count]
        return zip(starts, ends).map { $0..<$1 }.reversed()
    }

    @discardableResult
    public func backward(
        _ dLogits: [Float], inputGradient: Bool = false, finished: ((Int) -> Void)? = nil
    ) -> [Float]? {
        check(
            dLogits.count == batch * classes,
            "Model.backward: dLogits holds \(dLogits.count) floats, not \(batch)×\(classes)")
        return dLogits.withUnsafeBufferPointer {
            backward($0.baseAddress!, inputGradient: inputGradient, finished: finished)
        }
    }
}
