import Tensor

/// Direct 3x3, stride-1, pad-1 convolution (every 3x3 conv of a CIFAR ResNet but the two
/// that halve the resolution), forward, input gradient and weight gradient, in SIMD16
/// registers instead of im2col + a matrix product: no patch matrix, no packing, 16 or 18 vector
/// accumulators per inner loop.
///
/// The layout that makes it simple is three shifted copies of each input plane
/// (`Grid.shift`): S_j[y'][x] = x[y' − 1][x + j − 1], zero outside the image, H + 2 rows of
/// exactly W floats. Tap (i, j) of output pixel p = y·W + x is then S_j[p + i·W], so any 16
/// consecutive output pixels — across row ends too — read one vector from each S_j at a
/// fixed offset: no wasted lanes, output vectors written in place, and for W a multiple of
/// 16 every load aligned.
///
/// Every image is one chunk in the forward and the input gradient (or a few, `ImageParts`,
/// when there are many threads for the batch); the weight gradient
/// runs over blocks of output × input channels, each summing `Conv2D`'s fixed image ranges
/// in order. Float results therefore depend on the shapes only, never on the thread
/// count; they differ from im2col + `PanelProduct` in the order of the additions.
enum Conv3x3 {
    /// Output channels are computed four at a time (per group); the input gradient is a conv
    /// whose outputs are the input channels.
    static func supports(_ s: ConvShape, inputGradient: Bool) -> Bool {
        s.kernel == 3 && s.stride == 1 && s.pad == 1 && s.groupOut % 4 == 0 && (!inputGradient || s.groupIn % 4 == 0)
    }

    /// out (N, O, H, W) = conv(x, w); out is overwritten. Chunks and `finished` as in
    /// `Conv2D.forward`.
    static func forward(
        _ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
        _ w: UnsafePointer<Float>, _ s: ConvShape, _ context: ComputeContext,
        finished: ((_ image: Int, _ channels: Range<Int>) -> Void)? = nil
    ) {
        correlateImages(
            out, x, packWeights(w, s, flipped: false, context), inputs: s.groupIn, outputs: s.groupOut,
            s, Grid(s), shifted: .shiftedInput, add: false, context, finished: finished)
    }

    /// target (N, outputs·groups, H, W) = (or +=) the direct conv of source (N,
    /// inputs·groups, H, W) with packed weights: the forward (x, the weights), and the input
    /// gradient (dOut, the flipped weights, inputs and outputs swapped). Every image a chunk
    /// or a few (`ImageParts`); a part shifts the source channels its groups read.
    private static func correlateImages(
        _ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>,
        _ weights: UnsafePointer<Float>, inputs: Int, outputs: Int, _ s: ConvShape,
        _ grid: Grid, shifted slot: WorkspaceSlot, add: Bool, _ context: ComputeContext,
        finished: ((_ image: Int, _ channels: Range<Int>) -> Void)?
    ) {
        let parts = ImageParts(
            rowsPerGroup: outputs, groups: s.groups, unit: 4, batch: s.batch, threads: context.threads)
        let (sourceChannels, targetChannels) = (inputs * s.groups, outputs * s.groups)
        context.reserve(slot, count: sourceChannels * grid.channel)
        context.reserve(.rowScratch, count: grid.inPlace ? 0 : targetChannels * grid.outPlane)
        context.forEach(parts.chunks(batch: s.batch), kind: .directConvolution, splittable: parts.splittable) {
            chunk, worker in
            let (n, part) = chunk.quotientAndRemainder(dividingBy: parts.count)
            let (groups, rows, channels) = (parts.groups(part), parts.rows(part), parts.channels(part))
            let read = groups.lowerBound * inputs..<groups.upperBound * inputs
            let shifted = context.pointer(slot, worker)
            grid.shift(shifted, source + (n * sourceChannels + read.lowerBound) * grid.pixels, channels: read.count)
            grid.write(
                target + (n * targetChannels + channels.lowerBound) * grid.pixels, channels: channels.count, add: add,
                scratch: context.pointer(.rowScratch, worker)
            ) { planes, add in
                for (i, g) in groups.enumerated() {
                    correlate(
                        planes + i * outputs * grid.outPlane, shifted + i * inputs * grid.channel,
                        weights + (g * outputs + rows.lowerBound) * inputs * 9, inputs: inputs, outputs: rows.count,
                        grid, add: add)
                }
            }
            finished?(n, channels)
        }
    }

    /// dw += ∂/∂w and, when dx is given, dx = ∂/∂x of sum(out ⊙ dOut) (dx += … with `accumulate`).
    static func backward(
        dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>,
        dOut: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
        _ w: UnsafePointer<Float>, _ s: ConvShape, _ context: ComputeContext, accumulate: Bool
    ) {
        let grid = Grid(s)
        if let dx { inputGradient(dx, dOut, w, s, grid, context, accumulate: accumulate) }
        weightGradient(dw, dOut, x, s, grid, context)
    }

    /// dx (+= with `accumulate`) = the output gradient convolved with the flipped, transposed weights: chunks as
    /// in the forward.
    static func inputGradient(
        _ dx: UnsafeMutablePointer<Float>, _ dOut: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
        _ s: ConvShape, _ grid: Grid, _ context: ComputeContext, accumulate: Bool
    ) {
        correlateImages(
            dx, dOut, packWeights(w, s, flipped: true, context), inputs: s.groupOut, outputs: s.groupIn,
            s, grid, shifted: .shiftedGradient, add: accumulate, context, finished: nil)
    }

    /// dw += Σ over the images of the input against the shifted output gradient, split
    /// into blocks of output channels × input channels (`WeightBlocks`), each owning its
    /// slice of dw: no copy of the weights per chunk. A block sums the images range by
    /// range (`Conv2D.reductionChunks`, fixed by the batch) and adds each range's sums to
    /// dw in range order, which are the additions of one partial sum per range added in
    /// order: the bits depend on neither the blocks nor the thread count, so the blocks
    /// follow the threads (finer blocks shift the same gradients more often).
    static func weightGradient(
        _ dw: UnsafeMutablePointer<Float>, _ dOut: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
        _ s: ConvShape, _ grid: Grid, _ context: ComputeContext
    ) {
        // a block per thread, up to 64: every block streams all the input planes its input
        // channels have from memory, so the fewer the blocks the fewer the passes over x
        // (measured, ResNet56 b128 on 2 threads: 10-25 % less time than four per thread)
        let blocks = WeightBlocks(s, target: min(64, context.threads))
        let ranges = Conv2D.reductionChunks(batch: s.batch), group = imagesPerGroup(s, grid)
        context.reserve(.shiftedGradient, count: group * blocks.outputs * grid.channel)
        context.reserve(.shiftedInput, count: grid.inPlace ? 0 : group * blocks.inputs * grid.outPlane)
        context.reserve(.weightPartials, count: blocks.outputs * blocks.inputs * 9)
        context.forEach(blocks.count, kind: .directConvolutionBackward, splittable: WeightBlocks(s, target: 64).count) {
            chunk, worker in
            let (outputs, inputs) = blocks.block(chunk)
            let firstInput = outputs.lowerBound / s.groupOut * s.groupIn + inputs.lowerBound
            let sums = context.pointer(.weightPartials, worker), gradient = context.pointer(.shiftedGradient, worker)
            // an image's output-gradient planes of the block's output channels
            func gradientPlanes(_ image: Int) -> UnsafePointer<Float> {
                dOut + (image * s.outChannels + outputs.lowerBound) * grid.pixels
            }
            for r in 0..<ranges {
                let range = Parallel.range(r, of: ranges, count: s.batch)
                sums.update(repeating: 0, count: outputs.count * inputs.count * 9)
                for first in stride(from: range.lowerBound, to: range.upperBound, by: group) {
                    let count = min(group, range.upperBound - first)
                    for i in 0..<count {
                        let next = first + i + 1 < range.upperBound ? gradientPlanes(first + i + 1) : nil
                        grid.shift(
                            gradient + i * outputs.count * grid.channel, gradientPlanes(first + i),
                            channels: outputs.count,
                            next: next)
                    }
                    var input = x + (first * s.inChannels + firstInput) * grid.pixels,
                        imageStride = s.inChannels * grid.outPlane
                    if !grid.inPlace {
                        let widened = context.pointer(.shiftedInput, worker)
                        for i in 0..<count {
                            grid.widen(
                                widened + i * inputs.count * grid.outPlane,
                                x + ((first + i) * s.inChannels + firstInput) * grid.pixels, planes: inputs.count)
                        }
                        (input, imageStride) = (UnsafePointer(widened), inputs.count * grid.outPlane)
                    }
                    for k in 0..<outputs.count {
                        for c in stride(from: 0, to: inputs.count, by: 2) {
                            let pair = c + 1 < inputs.count  // the stem's 3 input channels end with a single one
                            var tap = TapSums2()
                            tap.run(
                                input + c * grid.outPlane, second: pair ? grid.outPlane : 0,
                                gradient + k * grid.channel,
                                images: count, plainStride: imageStride, shiftedStride: outputs.count * grid.channel,
                                grid)
                            tap.add(into: sums + (k * inputs.count + c) * 9, pair: pair)
                        }
                    }
                }
                for k in 0..<outputs.count {
                    let target = dw + ((outputs.lowerBound + k) * s.groupIn + inputs.lowerBound) * 9
                    let source = sums + k * inputs.count * 9
                    for i in 0..<inputs.count * 9 { target[i] += source[i] }
                }
            }
        }
    }

    /// The weight gradient's chunks: blocks of output channels (within one group) ×
    /// blocks of input-channel pairs of that group, at least `target` where the shape
    /// allows (ResNet56 for 64: 16 × 4, 32 × 2 and 64 × 1; for 8: 8, 8 and 8 output blocks).
    struct WeightBlocks {
        /// Output channels and input channels per block (inputs even, but for a group's last block).
        let outputs, inputs: Int
        let outputBlocks, inputBlocks: Int
        let groupIn: Int

        init(_ s: ConvShape, target: Int) {
            // the largest divisor of a group's outputs that still leaves `target` output blocks
            let most = max(1, s.outChannels / target)
            outputs = (1...min(most, s.groupOut)).last { s.groupOut % $0 == 0 }!
            outputBlocks = s.outChannels / outputs
            let pairs = (s.groupIn + 1) / 2
            let wanted = min(pairs, max(1, (target + outputBlocks - 1) / outputBlocks))
            inputs = min(s.groupIn, 2 * ((pairs + wanted - 1) / wanted))
            inputBlocks = (s.groupIn + inputs - 1) / inputs
            groupIn = s.groupIn
        }

        var count: Int { outputBlocks * inputBlocks }

        /// Output channels (absolute) and input channels (within the group) of a chunk.
        func block(_ chunk: Int) -> (outputs: Range<Int>, inputs: Range<Int>) {
            let o = chunk / inputBlocks * outputs, i = chunk % inputBlocks * inputs
            return (o..<o + outputs, i..<min(groupIn, i + inputs))
        }
    }

    /// Images whose weight-gradient sums are taken together. The passes over them run
    /// output channel by output channel, the input channels inside: one output channel's
    /// shifted gradients for the group (32 KiB at most, when one image's fit) then stay in
    /// L1 while the inputs stream by. More images make longer sums per 16-lane total; past
    /// L1, slower loads (measured: 5–15 % faster than a group sized for L2). Never more than
    /// a reduction range holds. The groups shape the sums: changing them changes bits.
    static func imagesPerGroup(_ s: ConvShape, _ grid: Grid) -> Int {
        let chunks = Conv2D.reductionChunks(batch: s.batch)
        return max(1, min((s.batch + chunks - 1) / chunks, (1 << 13) / grid.channel))
    }

    /// Weights as [groups][outputs/4][inputs][9 taps][4 outputs] (outputs and inputs of a
    /// group), so that a tap's four weights are adjacent. Flipped: the weights of the
    /// transposed conv, whose outputs are the conv's inputs: w'[c][k][i][j] = w[k][c][2−i][2−j].
    static func packWeights(
        _ w: UnsafePointer<Float>, _ s: ConvShape, flipped: Bool,
        _ context: ComputeContext
    ) -> UnsafePointer<Float> {
        let slot: WorkspaceSlot = flipped ? .flippedWeights : .packedWeights
        context.reserve(slot, count: s.weightCount, workers: 1)
        let packed = context.pointer(slot, 0)
        let (outputs, inputs) = flipped ? (s.groupIn, s.groupOut) : (s.groupOut, s.groupIn)
        for g in 0..<s.groups {
            let group = packed + g * s.groupOut * s.patch, weights = w + g * s.groupOut * s.patch
            for o in 0..<outputs {
                for c in 0..<inputs {
                    for tap in 0..<9 {
                        let source = flipped ? (c * outputs + o) * 9 + 8 - tap : (o * inputs + c) * 9 + tap
                        group[((o / 4 * inputs + c) * 9 + tap) * 4 + o % 4] = weights[source]
                    }
                }
            }
        }
        return UnsafePointer(packed)
    }

    /// Whether the register tiles may hold 16–18 SIMD16 accumulators at once: 32 AVX-512
    /// registers do; AVX2's 16 registers of 8 floats would spill, so AVX2 builds use 4 × 1
    /// tiles only and sum the weight gradient's taps a row at a time. Every accumulator
    /// adds the same products in the same order either way: same bits (NNTests runs both
    /// in one build and compares). Fixed at build time; only tests change it.
    #if REPRO_AVX512
        nonisolated(unsafe) static var wideRegisters = true
    #else
        nonisolated(unsafe) static var wideRegisters = false
    #endif

    /// out (outputs planes, `grid.outPlane` floats apart) = (or +=) conv of the shifted planes
    /// (inputs × 3) with packed weights: tiles of 4 output channels × 4 vectors, then 4 × 1
    /// for the rest. Vector blocks outside, channel blocks inside: a block's input rows
    /// stay in L1.
    static func correlate(
        _ out: UnsafeMutablePointer<Float>, _ shifted: UnsafePointer<Float>,
        _ packed: UnsafePointer<Float>, inputs: Int, outputs: Int, _ grid: Grid, add: Bool
    ) {
        var v = 0
        while v < grid.vectors {
            let wide = Conv3x3.wideRegisters && grid.vectors - v >= 4
            for block in 0..<outputs / 4 {
                let target = out + block * 4 * grid.outPlane + v * 16
                let weights = packed + block * inputs * 36
                if wide {
                    var tile = Tile4x4()
                    tile.run(shifted + v * 16, weights, inputs: inputs, grid)
                    tile.store(target, plane: grid.outPlane, add: add)
                } else {
                    var tile = Tile4x1()
                    tile.run(shifted + v * 16, weights, inputs: inputs, grid)
                    tile.store(target, plane: grid.outPlane, add: add)
                }
            }
            v += wide ? 4 : 1
        }
    }
}
