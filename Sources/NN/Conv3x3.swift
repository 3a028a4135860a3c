import Tensor

/// Direct 3x3, stride-1, pad-1 convolution (every 3x3 conv of a CIFAR ResNet but the two
/// that halve the resolution), forward, input gradient and weight gradient, in SIMD16
/// registers instead of im2col + GEMM: no patch matrix, no packing, 16 or 18 vector
/// accumulators per inner loop.
///
/// Each input plane is copied into a zero-bordered (H+2) × (W+2) plane, so tap (i, j) of an
/// output vector is one unaligned vector load at a fixed offset i·(W+2) + j (`Grid`).
/// Where W is a multiple of 16 (32x32 and 16x16 planes) the output vectors are the image's
/// own rows and are written in place. Other widths use the "flat" grid q = y·(W+2) + x, two
/// columns wider than the image, whose extra columns are computed into scratch and dropped
/// (20 % extra work at 8x8).
///
/// Every image is one chunk (forward, input gradient); the weight gradient keeps
/// `Conv2D`'s fixed image ranges and its per-range partial sums. Float results therefore
/// depend on the shapes only, never on the thread count; they differ from im2col + GEMM
/// in the order of the additions.
enum Conv3x3 {
    /// Output channels are computed four at a time, weight gradients two at a time.
    static func supports(_ s: ConvShape, inputGradient: Bool) -> Bool {
        s.kernel == 3 && s.stride == 1 && s.pad == 1 && s.groups == 1 && s.outChannels % 4 == 0
            && (!inputGradient || s.inChannels % 4 == 0)
    }

    // Workspace slots, after Conv2D's.
    static let weightSlot = 4, flippedSlot = 5, paddedSlot = 6, gradientSlot = 7, flatSlot = 8

    /// out (N, O, H, W) = conv(x, w); out is overwritten.
    static func forward(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                        _ w: UnsafePointer<Float>, _ s: ConvShape) {
        let grid = Grid(s)
        let packed = packWeights(w, outputs: s.outChannels, inputs: s.inChannels, flipped: false)
        Workspace.reserve(slot: paddedSlot, count: s.inChannels * grid.plane)
        Workspace.reserve(slot: flatSlot, count: grid.rowAligned ? 0 : s.outChannels * grid.outPlane)
        Parallel.forEach(s.batch) { n, worker in
            let padded = Workspace.pointer(paddedSlot, worker)
            grid.pad(padded, x + n * s.inChannels * grid.pixels, channels: s.inChannels)
            let image = out + n * s.outChannels * grid.pixels
            if grid.rowAligned {
                correlate(image, padded, packed, inputs: s.inChannels, outputs: s.outChannels, grid, add: false)
            } else {
                let flat = Workspace.pointer(flatSlot, worker)
                correlate(flat, padded, packed, inputs: s.inChannels, outputs: s.outChannels, grid, add: false)
                grid.unpad(image, flat, channels: s.outChannels, add: false)
            }
        }
    }

    /// dw += ∂/∂w and, when dx is given, dx += ∂/∂x of sum(out ⊙ dOut).
    static func backward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>,
                         dOut: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                         _ w: UnsafePointer<Float>, _ s: ConvShape) {
        let grid = Grid(s), chunks = Conv2D.reductionChunks(batch: s.batch)
        // the input gradient is the output gradient convolved with the flipped, transposed weights
        let flipped = dx == nil ? nil : packWeights(w, outputs: s.inChannels, inputs: s.outChannels, flipped: true)
        // a padded output gradient: the input of the input gradient, and on the flat grid
        // the weight gradient's view of it (its extra columns are the zero border)
        let padGradient = dx != nil || !grid.rowAligned
        let group = imagesPerGroup(s, grid)
        Workspace.reserve(slot: paddedSlot, count: group * s.inChannels * grid.plane)
        Workspace.reserve(slot: gradientSlot, count: padGradient ? group * s.outChannels * grid.plane : 0)
        Workspace.reserve(slot: flatSlot, count: grid.rowAligned ? 0 : s.inChannels * grid.outPlane)
        Workspace.reserve(slot: Conv2D.partialSlot, count: s.weightCount, workers: max(chunks, Parallel.threads))
        Parallel.forEach(chunks) { chunk, worker in
            let partial = Workspace.pointer(Conv2D.partialSlot, chunk)
            partial.update(repeating: 0, count: s.weightCount)
            let padded = Workspace.pointer(paddedSlot, worker), gradient = Workspace.pointer(gradientSlot, worker)
            let range = Parallel.range(chunk, of: chunks, count: s.batch)
            for first in stride(from: range.lowerBound, to: range.upperBound, by: group) {
                let count = min(group, range.upperBound - first)
                for i in 0..<count {
                    let n = first + i
                    grid.pad(padded + i * s.inChannels * grid.plane, x + n * s.inChannels * grid.pixels,
                             channels: s.inChannels)
                    guard padGradient else { continue }
                    let dImage = gradient + i * s.outChannels * grid.plane
                    grid.pad(dImage, dOut + n * s.outChannels * grid.pixels, channels: s.outChannels)
                    guard let dx, let flipped else { continue }
                    let target = dx + n * s.inChannels * grid.pixels
                    if grid.rowAligned {
                        correlate(target, dImage, flipped, inputs: s.outChannels, outputs: s.inChannels, grid, add: true)
                    } else {
                        let flat = Workspace.pointer(flatSlot, worker)
                        correlate(flat, dImage, flipped, inputs: s.outChannels, outputs: s.inChannels, grid, add: false)
                        grid.unpad(target, flat, channels: s.inChannels, add: true)
                    }
                }
                let source = grid.rowAligned
                    ? Gradient(first: dOut + first * s.outChannels * grid.pixels, plane: grid.pixels,
                               image: s.outChannels * grid.pixels)
                    : Gradient(first: gradient + grid.paddedWidth + 1, plane: grid.plane,
                               image: s.outChannels * grid.plane)
                weightGradient(partial, padded, source, images: count, s, grid)
            }
        }
        Conv2D.addPartials(dw, count: s.weightCount, chunks: chunks)
    }

    /// Images whose padded input and output gradient are held at once for the weight
    /// gradient (about 1 MiB, so they stay in L2): each of its sums then runs over more
    /// pixels before its 16 lanes are added up.
    static func imagesPerGroup(_ s: ConvShape, _ grid: Grid) -> Int {
        max(1, min(s.batch, (1 << 18) / ((s.inChannels + s.outChannels) * grid.plane)))
    }

    /// Weights as [outputs/4][inputs][9 taps][4 outputs], so that a tap's four weights are
    /// adjacent. Flipped: the weights of the transposed conv, w'[c][k][i][j] = w[k][c][2−i][2−j].
    static func packWeights(_ w: UnsafePointer<Float>, outputs: Int, inputs: Int,
                            flipped: Bool) -> UnsafePointer<Float> {
        let slot = flipped ? flippedSlot : weightSlot
        Workspace.reserve(slot: slot, count: outputs * inputs * 9, workers: 1)
        let packed = Workspace.pointer(slot, 0)
        for o in 0..<outputs {
            for c in 0..<inputs {
                for tap in 0..<9 {
                    let source = flipped ? (c * outputs + o) * 9 + 8 - tap : (o * inputs + c) * 9 + tap
                    packed[((o / 4 * inputs + c) * 9 + tap) * 4 + o % 4] = w[source]
                }
            }
        }
        return UnsafePointer(packed)
    }

    /// out (outputs planes, `grid.outPlane` floats apart) = (or +=) conv of the padded planes
    /// (inputs, grid.plane) with packed weights: tiles of 4 output channels × 4 vectors, then
    /// 4 × 1 for the rest. Vector blocks outside, channel blocks inside: a block's input rows
    /// stay in L1.
    static func correlate(_ out: UnsafeMutablePointer<Float>, _ padded: UnsafePointer<Float>,
                          _ packed: UnsafePointer<Float>, inputs: Int, outputs: Int, _ grid: Grid, add: Bool) {
        var v = 0
        while v < grid.vectors {
            let wide = grid.vectors - v >= 4
            let start = grid.inputOffset(v), input = padded + start
            let next = wide ? (grid.inputOffset(v + 1) - start, grid.inputOffset(v + 2) - start,
                               grid.inputOffset(v + 3) - start) : (0, 0, 0)
            for block in 0..<outputs / 4 {
                let target = out + block * 4 * grid.outPlane + v * 16
                let weights = packed + block * inputs * 36
                if wide {
                    var tile = Tile4x4(next)
                    tile.run(input, weights, inputs: inputs, grid)
                    tile.store(target, plane: grid.outPlane, add: add)
                } else {
                    var tile = Tile4x1()
                    tile.run(input, weights, inputs: inputs, grid)
                    tile.store(target, plane: grid.outPlane, add: add)
                }
            }
            v += wide ? 4 : 1
        }
    }

    /// Where the weight gradient reads the output gradient: the first image's first
    /// channel, whose vectors are consecutive; the next channel and the next image.
    struct Gradient {
        let first: UnsafePointer<Float>
        let plane, image: Int
    }

    /// partial[k][c][tap] += Σ over the group's images and pixels of dOut[k] · x[c] shifted
    /// by tap, two output channels at a time.
    static func weightGradient(_ partial: UnsafeMutablePointer<Float>, _ padded: UnsafePointer<Float>,
                               _ gradient: Gradient, images: Int, _ s: ConvShape, _ grid: Grid) {
        let inputs = s.inChannels, outputs = s.outChannels
        for k in stride(from: 0, to: outputs, by: 2) {
            for c in 0..<inputs {
                var sums = TapSums2()
                sums.run(gradient.first + k * gradient.plane, next: gradient.plane, padded + c * grid.plane,
                         images: images, gradientStride: gradient.image, inputStride: inputs * grid.plane, grid)
                sums.add(into: partial + (k * inputs + c) * 9, partial + ((k + 1) * inputs + c) * 9)
            }
        }
    }
}

extension Conv3x3 {
    /// The padded layout of one geometry and the output vectors the tiles compute.
    struct Grid {
        let height, width, paddedWidth, pixels: Int
        /// W a multiple of 16: the output vectors are the image's rows, written in place.
        let rowAligned: Bool
        /// Output vectors per plane, and per row of the grid (the whole plane on the flat grid).
        let vectors, vectorsPerRow: Int
        /// Input floats skipped after each row of vectors: the two border columns, or none.
        let rowSkip: Int
        /// Floats between the output planes the tiles write (the image's planes, or flat scratch).
        let outPlane: Int
        /// Floats of a padded input plane: every vector load of every tap stays inside it.
        let plane: Int

        init(_ s: ConvShape) {
            height = s.height; width = s.width; paddedWidth = s.width + 2
            pixels = height * width
            rowAligned = width % 16 == 0
            if rowAligned {
                vectorsPerRow = width / 16
                vectors = height * vectorsPerRow
                rowSkip = 2
                outPlane = pixels
            } else {
                vectors = (height * paddedWidth + 15) / 16
                vectorsPerRow = vectors
                rowSkip = 0
                outPlane = vectors * 16
            }
            let reach = 16 * vectors + rowSkip * height + 2 * paddedWidth + 2
            plane = (max((height + 2) * paddedWidth, reach) + 15) / 16 * 16
        }

        /// Where output vector v's tap (0, 0) reads in a padded plane: y·(W+2) + x.
        @inline(__always) func inputOffset(_ v: Int) -> Int { 16 * v + rowSkip * (v / vectorsPerRow) }

        /// Padded planes ← image planes, with zero borders.
        func pad(_ padded: UnsafeMutablePointer<Float>, _ image: UnsafePointer<Float>, channels: Int) {
            for c in 0..<channels {
                let target = padded + c * plane, source = image + c * pixels
                target.update(repeating: 0, count: paddedWidth + 1)
                for y in 0..<height {
                    let row = target + (y + 1) * paddedWidth + 1
                    copyRow(row, source + y * width, add: false)
                    row[width] = 0
                    row[width + 1] = 0
                }
                let end = (height + 1) * paddedWidth + 1
                (target + end).update(repeating: 0, count: plane - end)
            }
        }

        /// Image planes ← (or +=) the flat-grid planes without their extra columns.
        func unpad(_ image: UnsafeMutablePointer<Float>, _ flatPlanes: UnsafePointer<Float>, channels: Int, add: Bool) {
            for c in 0..<channels {
                let target = image + c * pixels, source = flatPlanes + c * outPlane
                for y in 0..<height {
                    copyRow(target + y * width, source + y * paddedWidth, add: add)
                }
            }
        }

        /// One row of `width` floats, in vectors: rows are 8 to 32 floats, too short for
        /// a memmove call to pay off.
        @inline(__always)
        func copyRow(_ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, add: Bool) {
            var x = 0
            while x + 16 <= width {
                let v = Conv3x3.load(source + x)
                Conv3x3.store(target + x, add ? Conv3x3.load(target + x) + v : v)
                x += 16
            }
            while x < width {
                target[x] = add ? target[x] + source[x] : source[x]
                x += 1
            }
        }
    }
}
