import Tensor

/// Which batch variance feeds the running variance during training.
public enum RunningVarianceRule: String, Sendable {
    /// MXNet/GluonCV (the paper's stack): the biased variance the batch was normalised with.
    case biased
    /// PyTorch: the unbiased variance, n/(n−1) times the biased one.
    case unbiased
}

/// Batch normalisation over (N, H, W) per channel, with an optional ReLU, or a residual
/// block's join ReLU(… + shortcut), fused on the output.
///
/// Training normalises with the batch mean and biased variance and moves the running
/// statistics: running = momentum·running + (1 − momentum)·batch (GluonCV's momentum,
/// 0.9 = PyTorch's 0.1). Evaluation normalises with the running statistics.
/// Sums are taken per plane in float, in parallel over image × channel blocks
/// (`PlaneSums`), then merged per channel in image order in double, so the result does not
/// depend on the thread count nor on the blocks.
public enum BatchNorm {
    public struct Config: Sendable {
        public var epsilon: Float = 1e-5
        public var momentum: Float = 0.9
        public var runningVariance: RunningVarianceRule = .biased
        public init(epsilon: Float = 1e-5, momentum: Float = 0.9, runningVariance: RunningVarianceRule = .biased) {
            self.epsilon = epsilon; self.momentum = momentum; self.runningVariance = runningVariance
        }
    }

    /// Training forward. y (N, C, HW) = γ·(x − μ)·rstd + β (then ReLU if `relu`, or the
    /// residual join ReLU(… + join) when `join` is given); saves μ and rstd = 1/sqrt(σ² + ε)
    /// per channel for the backward pass and updates the running statistics.
    public static func forwardTrain(
        _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        runningMean: UnsafeMutablePointer<Float>, runningVar: UnsafeMutablePointer<Float>,
        batch: Int, channels: Int, plane: Int, relu: Bool, join: UnsafePointer<Float>? = nil, config: Config,
        _ context: ComputeContext, planeSums taken: PlaneSums? = nil
    ) {
        let count = Double(batch * plane)
        let sums = taken ?? PlaneSums(batch: batch, channels: channels, context)
        if taken == nil {
            sums.forEachBlock { c, n in takePlaneSums(sums, c, n, x, channels: channels, plane: plane) }
        }
        for c in 0..<channels {
            // merged plane by plane in double (Chan et al.)
            var mu64: Double = 0, squares: Double = 0, seen: Double = 0
            for n in 0..<batch {
                let (planeMean, planeSquares) = sums.get(c, n)
                let delta = Double(planeMean) - mu64, total = seen + Double(plane)
                mu64 += delta * Double(plane) / total
                squares += Double(planeSquares) + delta * delta * seen * Double(plane) / total
                seen = total
            }
            let mu = Float(mu64)
            let variance = squares / count
            let r = Float(1 / (variance + Double(config.epsilon)).squareRoot())
            mean[c] = mu
            rstd[c] = r
            let m = config.momentum
            let fed = config.runningVariance == .unbiased && count > 1 ? variance * count / (count - 1) : variance
            runningMean[c] = m * runningMean[c] + (1 - m) * mu
            runningVar[c] = m * runningVar[c] + (1 - m) * Float(fed)
            sums.setCoefficients(c, coefficients(gamma[c], beta[c], mean: mu, rstd: r))
        }
        sums.forEachBlock { c, n in
            let offset = (n * channels + c) * plane, (scale, shift) = sums.coefficients(c)
            prefetchNext(c, n, x, join, nil, batch: batch, channels: channels, plane: plane)
            affine(y + offset, x + offset, plane, scale, shift, relu, join.map { $0 + offset })
        }
    }

    /// Plane (c, n)'s mean and squared deviations from it (a second pass while the plane is
    /// in L1: no cancellation), for `forwardTrain`: taken by it, or by whoever wrote x
    /// (`ConvBN` as the convolution finishes each image), which then passes `planeSums`.
    @inline(__always)
    static func takePlaneSums(
        _ sums: PlaneSums, _ c: Int, _ n: Int, _ x: UnsafePointer<Float>, channels: Int, plane: Int
    ) {
        sums.set(c, n, meanAndSquares(x + (n * channels + c) * plane, plane))
    }

    /// The affine map of a training forward, y = x·scale + shift: scale = γ·rstd, shift = β − μ·scale.
    @inline(__always)
    static func coefficients(_ gamma: Float, _ beta: Float, mean: Float, rstd: Float) -> (scale: Float, shift: Float) {
        let scale = gamma * rstd
        return (scale, beta - mean * scale)
    }

    /// y written again as the last training forward wrote it (no join), from its saved μ
    /// and rstd: the same coefficients and the same pass, so the same bits.
    public static func reapply(
        _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
        beta: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int, relu: Bool,
        _ context: ComputeContext
    ) {
        PlaneSums.forEachBlock(batch: batch, channels: channels, context) { c, n in
            let (scale, shift) = coefficients(gamma[c], beta[c], mean: mean[c], rstd: rstd[c])
            let offset = (n * channels + c) * plane
            prefetchNext(c, n, x, nil, nil, batch: batch, channels: channels, plane: plane)
            affine(y + offset, x + offset, plane, scale, shift, relu, nil)
        }
    }

    /// Evaluation forward: y = γ·(x − running mean)/sqrt(running var + ε) + β (then ReLU, or
    /// the residual join with `join`).
    public static func forwardEval(
        _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        runningMean: UnsafePointer<Float>, runningVar: UnsafePointer<Float>,
        batch: Int, channels: Int, plane: Int, relu: Bool, join: UnsafePointer<Float>? = nil, config: Config,
        _ context: ComputeContext
    ) {
        PlaneSums.forEachBlock(batch: batch, channels: channels, context) { c, n in
            normalizeEval(
                y, x, c, n, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar,
                channels: channels, plane: plane, relu: relu, join: join, config: config)
        }
    }

    /// Plane (c, n) of `forwardEval`: for it, or for whoever wrote x (`ConvBN`, as the
    /// convolution finishes each image's channels, while they are in the core's cache).
    @inline(__always)
    static func normalizeEval(
        _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ c: Int, _ n: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        runningMean: UnsafePointer<Float>, runningVar: UnsafePointer<Float>,
        channels: Int, plane: Int, relu: Bool, join: UnsafePointer<Float>?, config: Config
    ) {
        let scale = gamma[c] / (runningVar[c] + config.epsilon).squareRoot()
        let shift = beta[c] - runningMean[c] * scale
        let offset = (n * channels + c) * plane
        affine(y + offset, x + offset, plane, scale, shift, relu, join.map { $0 + offset })
    }

    /// Training backward. dγ += Σ dy·x̂, dβ += Σ dy and dx = γ·rstd·(dy − mean(dy) − x̂·mean(dy·x̂)),
    /// with x̂ = (x − μ)·rstd. dx is written, not accumulated, and may be the same memory as dy.
    ///
    /// With `reluOutput` (this layer's ReLU output y), dy is first masked where y ≤ 0. With
    /// `reluBeta` instead (the forward's β, for a ReLU without a join), the mask is y's own
    /// recomputed from x, where x·scale + shift ≤ 0 with the forward's coefficients and
    /// expression, and y is not read. With `maskedInto`, the masked dy is written there as
    /// the sums are taken, and the second pass reads it instead of dy and y (a residual
    /// join's shortcut gets that very gradient: one pass over y fewer, and none of its own).
    public static func backwardTrain(
        dx: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
        reluOutput: UnsafePointer<Float>?, reluBeta: UnsafePointer<Float>? = nil,
        maskedInto masked: UnsafeMutablePointer<Float>? = nil, gamma: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>,
        batch: Int, channels: Int, plane: Int, _ context: ComputeContext
    ) {
        let count = Float(batch * plane)
        let sums = PlaneSums(batch: batch, channels: channels, context)
        func mask(_ c: Int, _ offset: Int) -> ReLUMask {
            if let reluOutput { return .output(reluOutput + offset) }
            guard let reluBeta else { return .none }
            let (scale, shift) = coefficients(gamma[c], reluBeta[c], mean: mean[c], rstd: rstd[c])
            return .recomputed(scale: scale, shift: shift)
        }
        // term sums per plane: Σ dy and Σ dy·(x − μ)
        sums.forEachBlock { c, n in
            let offset = (n * channels + c) * plane
            prefetchNext(c, n, dy, x, reluOutput, batch: batch, channels: channels, plane: plane)
            sums.set(
                c, n,
                gradientSums(
                    dy + offset, x + offset, mask(c, offset), plane, mean[c],
                    maskedInto: masked.map { $0 + offset }))
        }
        for c in 0..<channels {
            var sumDy: Double = 0, sumDyX: Double = 0
            for n in 0..<batch {
                let (a, b) = sums.get(c, n)
                sumDy += Double(a)
                sumDyX += Double(b)
            }
            let r = rstd[c]
            let dBetaC = Float(sumDy), dGammaC = Float(sumDyX) * r
            dBeta[c] += dBetaC
            dGamma[c] += dGammaC
            // dx = k·dy + a·(x − μ) + b: the three terms of the formula, regrouped per channel
            let k = gamma[c] * r
            sums.setCoefficients(c, (-k * r * dGammaC / count, -k * dBetaC / count))
        }
        // dy masked, from where the first pass wrote it, or as given
        let source = masked.map { UnsafePointer($0) } ?? dy
        sums.forEachBlock { c, n in
            let offset = (n * channels + c) * plane, (a, b) = sums.coefficients(c)
            prefetchNext(
                c, n, source, x, masked == nil ? reluOutput : nil, batch: batch, channels: channels, plane: plane)
            inputGradient(
                dx + offset, source + offset, x + offset, masked == nil ? mask(c, offset) : .none, plane,
                k: gamma[c] * rstd[c], a: a, b: b, mean: mean[c])
        }
    }

    /// Evaluation backward: dγ += Σ dy·(x − running mean)/σ, dβ += Σ dy, dx = γ/σ·dy (written).
    public static func backwardEval(
        dx: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
        gamma: UnsafePointer<Float>, runningMean: UnsafePointer<Float>, runningVar: UnsafePointer<Float>,
        dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>,
        batch: Int, channels: Int, plane: Int, config: Config, _ context: ComputeContext
    ) {
        context.forEach(channels, kind: .batchNorm) { c, _ in
            let r = 1 / (runningVar[c] + config.epsilon).squareRoot()
            var sumDy: Double = 0, sumDyX: Double = 0
            for n in 0..<batch {
                let offset = (n * channels + c) * plane
                let (a, b) = gradientSums(dy + offset, x + offset, .none, plane, runningMean[c])
                sumDy += Double(a)
                sumDyX += Double(b)
            }
            dBeta[c] += Float(sumDy)
            dGamma[c] += Float(sumDyX) * r
            let k = gamma[c] * r
            for n in 0..<batch {
                let offset = (n * channels + c) * plane
                for i in 0..<plane { dx[offset + i] = k * dy[offset + i] }
            }
        }
    }

    // MARK: per-plane loops (vector lanes, then a fixed-order lane sum)

    /// The plane after (c, n) in memory, which a block reads next (`PlaneSums`), of up to
    /// three arrays, prefetched while (c, n) is worked on (`Vectors.prefetch`).
    @inline(__always)
    static func prefetchNext(
        _ c: Int, _ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>?,
        _ third: UnsafePointer<Float>?, batch: Int, channels: Int, plane: Int
    ) {
        let next = n * channels + c + 1
        guard next < batch * channels else { return }
        let offset = next * plane
        Vectors.prefetch(a + offset, plane)
        if let b { Vectors.prefetch(b + offset, plane) }
        if let third { Vectors.prefetch(third + offset, plane) }
    }

    typealias V = Vectors.V16

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V { Vectors.load(p) }

    /// Σ x over a plane: four independent vector sums, so that the adds overlap.
    @inline(__always)
    static func planeSum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var a0 = V(), a1 = V(), a2 = V(), a3 = V()
        var i = 0
        while i + 64 <= count {
            a0 += load(x + i); a1 += load(x + i + 16); a2 += load(x + i + 32); a3 += load(x + i + 48)
            i += 64
        }
        while i + 16 <= count { a0 += load(x + i); i += 16 }
        var sum = ((a0 + a1) + (a2 + a3)).sum()
        while i < count { sum += x[i]; i += 1 }
        return sum
    }

    /// The plane's mean and Σ (x − mean)².
    @inline(__always)
    static func meanAndSquares(_ x: UnsafePointer<Float>, _ count: Int) -> (Float, Float) {
        let mean = planeSum(x, count) / Float(count), m = V(repeating: mean)
        var a0 = V(), a1 = V(), a2 = V(), a3 = V()
        var i = 0
        while i + 64 <= count {
            let d0 = load(x + i) - m, d1 = load(x + i + 16) - m, d2 = load(x + i + 32) - m, d3 = load(x + i + 48) - m
            a0.addProduct(d0, d0); a1.addProduct(d1, d1); a2.addProduct(d2, d2); a3.addProduct(d3, d3)
            i += 64
        }
        while i + 16 <= count { let d = load(x + i) - m; a0.addProduct(d, d); i += 16 }
        var squares = ((a0 + a1) + (a2 + a3)).sum()
        while i < count { let d = x[i] - mean; squares += d * d; i += 1 }
        return (mean, squares)
    }

    /// Where a plane's backward zeroes dy: nowhere, where the ReLU output y ≤ 0 (read), or
    /// where x·scale + shift ≤ 0, the forward's value before its ReLU, recomputed as
    /// `affine` computed it (y = max(that, 0), so the same lanes, without reading y).
    enum ReLUMask {
        case none
        case output(UnsafePointer<Float>)
        case recomputed(scale: Float, shift: Float)

        /// Lanes i..<i + 8 to zero, given x's.
        @inline(__always) func zeroes(_ i: Int, _ x: SIMD8<Float>) -> SIMDMask<SIMD8<Int32>> {
            switch self {
            case .none: return SIMDMask(repeating: false)
            case .output(let y): return Vectors.load8(y + i) .<= SIMD8<Float>()
            case .recomputed(let scale, let shift):
                return x * SIMD8(repeating: scale) + SIMD8(repeating: shift) .<= SIMD8<Float>()
            }
        }

        /// Whether lane i is kept, given x's.
        @inline(__always) func keeps(_ i: Int, _ x: Float) -> Bool {
            switch self {
            case .none: return true
            case .output(let y): return y[i] > 0
            case .recomputed(let scale, let shift): return x * scale + shift > 0
            }
        }
    }

    /// (Σ dy, Σ dy·(x − mean)) over one plane, dy masked; the masked dy written to
    /// `maskedInto` if given.
    @inline(__always)
    static func gradientSums(
        _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ mask: ReLUMask,
        _ count: Int, _ mean: Float, maskedInto masked: UnsafeMutablePointer<Float>? = nil
    ) -> (Float, Float) {
        var sumDy: Float = 0, sumDyX: Float = 0
        var lanesDy = SIMD8<Float>(), lanesDyX = SIMD8<Float>()
        let m = SIMD8<Float>(repeating: mean), zero = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let xv = Vectors.load8(x + i)
            var g = Vectors.load8(dy + i)
            g.replace(with: zero, where: mask.zeroes(i, xv))
            if let masked { Vectors.store8(masked + i, g) }
            lanesDy += g
            lanesDyX += g * (xv - m)
            i += 8
        }
        sumDy = lanesDy.sum()
        sumDyX = lanesDyX.sum()
        while i < count {
            let g = mask.keeps(i, x[i]) ? dy[i] : 0
            masked?[i] = g
            sumDy += g
            sumDyX += g * (x[i] - mean)
            i += 1
        }
        return (sumDy, sumDyX)
    }

    /// d = k·dy (0 where masked) + (a·(x − mean) + b). d is usually dy itself, which
    /// keeps the compiler from vectorizing the plain loop, hence the explicit lanes.
    @inline(__always)
    static func inputGradient(
        _ d: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
        _ mask: ReLUMask, _ count: Int, k: Float, a: Float, b: Float, mean: Float
    ) {
        let kv = SIMD8<Float>(repeating: k), av = SIMD8<Float>(repeating: a), bv = SIMD8<Float>(repeating: b)
        let m = SIMD8<Float>(repeating: mean), zero = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let xv = Vectors.load8(x + i)
            var scaled = kv * Vectors.load8(dy + i)
            scaled.replace(with: zero, where: mask.zeroes(i, xv))
            Vectors.store8(d + i, scaled + (av * (xv - m) + bv))
            i += 8
        }
        while i < count {
            let scaled = mask.keeps(i, x[i]) ? k * dy[i] : 0
            d[i] = scaled + (a * (x[i] - mean) + b)
            i += 1
        }
    }

    /// y = x·scale + shift, then ReLU if `relu`; with `join` (a residual block's shortcut)
    /// y = max((x·scale + shift) + join, 0), the block's residual join in the same pass.
    @inline(__always)
    static func affine(
        _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int,
        _ scale: Float, _ shift: Float, _ relu: Bool, _ join: UnsafePointer<Float>?
    ) {
        if let join {
            for i in 0..<count { y[i] = max((x[i] * scale + shift) + join[i], 0) }
        } else if relu {
            for i in 0..<count { y[i] = max(x[i] * scale + shift, 0) }
        } else {
            for i in 0..<count { y[i] = x[i] * scale + shift }
        }
    }
}
