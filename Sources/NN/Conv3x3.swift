import Tensor

/// Direct 3x3, stride-1, pad-1 convolution (every 3x3 conv of a CIFAR ResNet but the two
/// that halve the resolution), forward, input gradient and weight gradient, in SIMD16
/// registers instead of im2col + GEMM: no patch matrix, no packing, 16 or 18 vector
/// accumulators per inner loop.
///
/// The layout that makes it simple is three shifted copies of each input plane
/// (`Grid.shift`): S_j[y'][x] = x[y' − 1][x + j − 1], zero outside the image, H + 2 rows of
/// exactly W floats. Tap (i, j) of output pixel p = y·W + x is then S_j[p + i·W], so any 16
/// consecutive output pixels — across row ends too — read one vector from each S_j at a
/// fixed offset: no wasted lanes, output vectors written in place, and for W a multiple of
/// 16 every load aligned.
///
/// Every image is one chunk in the forward; the backward (input and weight gradients) runs
/// over `Conv2D`'s fixed image ranges, with per-range partial sums for the weights. Float
/// results therefore depend on the shapes only, never on the thread count; they differ
/// from im2col + GEMM in the order of the additions.
enum Conv3x3 {
    /// Output channels are computed four at a time (per group); the input gradient is a conv
    /// whose outputs are the input channels.
    static func supports(_ s: ConvShape, inputGradient: Bool) -> Bool {
        s.kernel == 3 && s.stride == 1 && s.pad == 1 && s.groupOut % 4 == 0 && (!inputGradient || s.groupIn % 4 == 0)
    }

    /// out (N, O, H, W) = conv(x, w); out is overwritten.
    static func forward(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                        _ w: UnsafePointer<Float>, _ s: ConvShape, _ context: ComputeContext) {
        let grid = Grid(s)
        let packed = packWeights(w, s, flipped: false, context)
        context.reserve(.shiftedInput, count: s.inChannels * grid.channel)
        context.reserve(.rowScratch, count: grid.inPlace ? 0 : s.outChannels * grid.outPlane)
        context.forEach(s.batch, kind: .directConvolution) { n, worker in
            let shifted = context.pointer(.shiftedInput, worker)
            grid.shift(shifted, x + n * s.inChannels * grid.pixels, channels: s.inChannels)
            grid.write(out + n * s.outChannels * grid.pixels, channels: s.outChannels, add: false,
                       scratch: context.pointer(.rowScratch, worker)) { target, add in
                for g in 0..<s.groups {
                    correlate(target + g * s.groupOut * grid.outPlane, shifted + g * s.groupIn * grid.channel,
                              packed + g * s.groupOut * s.patch, inputs: s.groupIn, outputs: s.groupOut, grid, add: add)
                }
            }
        }
    }

    /// dw += ∂/∂w and, when dx is given, dx += ∂/∂x of sum(out ⊙ dOut) (dx = … with `overwrite`).
    static func backward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>,
                         dOut: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                         _ w: UnsafePointer<Float>, _ s: ConvShape, _ context: ComputeContext, overwrite: Bool) {
        let grid = Grid(s), chunks = Conv2D.reductionChunks(batch: s.batch)
        // the input gradient is the output gradient convolved with the flipped, transposed weights
        let flipped = dx == nil ? nil : packWeights(w, s, flipped: true, context)
        let group = imagesPerGroup(s, grid)
        // the shifted output gradient serves both: the input gradient's input, and the
        // weight gradient's nine taps (against the unshifted input)
        context.reserve(.shiftedGradient, count: group * s.outChannels * grid.channel)
        // the input zero-filled to whole vectors, when its planes are not
        context.reserve(.shiftedInput, count: grid.inPlace ? 0 : group * s.inChannels * grid.outPlane)
        context.reserve(.rowScratch, count: grid.inPlace ? 0 : s.inChannels * grid.outPlane)
        context.reserve(.weightPartials, count: s.weightCount, workers: max(chunks, context.threads))
        context.forEach(chunks, kind: .directConvolutionBackward) { chunk, worker in
            let partial = context.pointer(.weightPartials, chunk)
            partial.update(repeating: 0, count: s.weightCount)
            let gradient = context.pointer(.shiftedGradient, worker)
            let range = Parallel.range(chunk, of: chunks, count: s.batch)
            for first in stride(from: range.lowerBound, to: range.upperBound, by: group) {
                let count = min(group, range.upperBound - first)
                for i in 0..<count {
                    let n = first + i, image = gradient + i * s.outChannels * grid.channel
                    grid.shift(image, dOut + n * s.outChannels * grid.pixels, channels: s.outChannels)
                    guard let dx, let flipped else { continue }
                    grid.write(dx + n * s.inChannels * grid.pixels, channels: s.inChannels, add: !overwrite,
                               scratch: context.pointer(.rowScratch, worker)) { target, add in
                        for g in 0..<s.groups {
                            correlate(target + g * s.groupIn * grid.outPlane, image + g * s.groupOut * grid.channel,
                                      flipped + g * s.groupOut * s.patch, inputs: s.groupOut, outputs: s.groupIn,
                                      grid, add: add)
                        }
                    }
                }
                var input = x + first * s.inChannels * grid.pixels
                if !grid.inPlace {
                    let widened = context.pointer(.shiftedInput, worker)
                    grid.widen(widened, input, planes: count * s.inChannels)
                    input = UnsafePointer(widened)
                }
                weightGradient(partial, input, gradient, images: count, s, grid)
            }
        }
        Conv2D.addPartials(dw, count: s.weightCount, chunks: chunks, context)
    }

    /// Images whose weight-gradient sums are taken together. The passes over them run
    /// output channel by output channel, the input channels inside: one output channel's
    /// shifted gradients for the group (32 KiB at most, when one image's fit) then stay in
    /// L1 while the inputs stream by. More images make longer sums per 16-lane total; past
    /// L1, slower loads (measured: 5–15 % faster than a group sized for L2). Never more than
    /// a reduction range holds, which would only reserve scratch that no range uses.
    static func imagesPerGroup(_ s: ConvShape, _ grid: Grid) -> Int {
        let chunks = Conv2D.reductionChunks(batch: s.batch)
        return max(1, min((s.batch + chunks - 1) / chunks, (1 << 13) / grid.channel))
    }

    /// Weights as [groups][outputs/4][inputs][9 taps][4 outputs] (outputs and inputs of a
    /// group), so that a tap's four weights are adjacent. Flipped: the weights of the
    /// transposed conv, whose outputs are the conv's inputs: w'[c][k][i][j] = w[k][c][2−i][2−j].
    static func packWeights(_ w: UnsafePointer<Float>, _ s: ConvShape, flipped: Bool,
                            _ context: ComputeContext) -> UnsafePointer<Float> {
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

    /// 4 × 4 tiles keep 16 SIMD16 accumulators, 32 AVX-512 registers; with AVX2 (16
    /// registers of 8 floats) they would spill, so AVX2 builds use 4 × 1 tiles only. Every
    /// accumulator sums the same products in the same order either way: same bits.
    #if REPRO_AVX512
    static let wideTiles = true
    #else
    static let wideTiles = false
    #endif

    /// out (outputs planes, `grid.outPlane` floats apart) = (or +=) conv of the shifted planes
    /// (inputs × 3) with packed weights: tiles of 4 output channels × 4 vectors, then 4 × 1
    /// for the rest. Vector blocks outside, channel blocks inside: a block's input rows
    /// stay in L1.
    static func correlate(_ out: UnsafeMutablePointer<Float>, _ shifted: UnsafePointer<Float>,
                          _ packed: UnsafePointer<Float>, inputs: Int, outputs: Int, _ grid: Grid, add: Bool) {
        var v = 0
        while v < grid.vectors {
            let wide = Conv3x3.wideTiles && grid.vectors - v >= 4
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

    /// partial[k][c][i][j] += Σ over the images and pixels q of x[c][q] · dOut[k] shifted by
    /// (2 − i, 2 − j), which is dOut[k] · x[c] shifted by (i, j) summed the other way round;
    /// two input channels (of k's group) at a time. Input planes are `grid.outPlane` floats apart.
    static func weightGradient(_ partial: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>,
                               _ gradient: UnsafePointer<Float>, images: Int, _ s: ConvShape, _ grid: Grid) {
        for k in 0..<s.outChannels {
            let firstInput = k / s.groupOut * s.groupIn
            for c in stride(from: 0, to: s.groupIn, by: 2) {
                let pair = c + 1 < s.groupIn  // the stem's 3 input channels end with a single one
                var sums = TapSums2()
                sums.run(input + (firstInput + c) * grid.outPlane, second: pair ? grid.outPlane : 0,
                         gradient + k * grid.channel, images: images, plainStride: s.inChannels * grid.outPlane,
                         shiftedStride: s.outChannels * grid.channel, grid)
                sums.add(into: partial + (k * s.groupIn + c) * 9, pair: pair)
            }
        }
    }
}
