/// The algorithmic oracle for convolution: seven nested loops, no tricks. Tests compare
/// the fast kernels against it; nothing else should call it.
public enum ConvReference {
    /// out (N, O, OH, OW) = conv(x (N, C, H, W), w (O, C/groups, K, K)).
    public static func forward(
        _ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
        _ w: UnsafePointer<Float>, _ s: ConvShape
    ) {
        var sums = [Double](repeating: 0, count: s.outputCount)
        forEachTap(s) { o, xi, wi in sums[o] += Double(x[xi]) * Double(w[wi]) }
        for i in 0..<s.outputCount { out[i] = Float(sums[i]) }
    }

    /// dx = d(sum(out ⊙ dOut))/dx and dw += d(…)/dw (the gradient rule of NN.swift).
    public static func backward(
        dx: UnsafeMutablePointer<Float>, dw: UnsafeMutablePointer<Float>,
        dOut: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
        _ w: UnsafePointer<Float>, _ s: ConvShape
    ) {
        dx.update(repeating: 0, count: s.inputCount)
        forEachTap(s) { o, xi, wi in
            dx[xi] += dOut[o] * w[wi]
            dw[wi] += dOut[o] * x[xi]
        }
    }

    /// body(output index, input index, weight index) for every output element and every tap
    /// of it inside the image: outputs in memory order, taps in (input channel, ky, kx) order.
    static func forEachTap(_ s: ConvShape, _ body: (_ output: Int, _ input: Int, _ weight: Int) -> Void) {
        let (oh, ow, k) = (s.outHeight, s.outWidth, s.kernel)
        for n in 0..<s.batch {
            for o in 0..<s.outChannels {
                let g = o / s.groupOut
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let output = ((n * s.outChannels + o) * oh + oy) * ow + ox
                        for ci in 0..<s.groupIn {
                            let c = g * s.groupIn + ci
                            for ky in 0..<k {
                                for kx in 0..<k {
                                    let iy = oy * s.stride - s.pad + ky, ix = ox * s.stride - s.pad + kx
                                    if iy < 0 || iy >= s.height || ix < 0 || ix >= s.width { continue }
                                    body(
                                        output, ((n * s.inChannels + c) * s.height + iy) * s.width + ix,
                                        ((o * s.groupIn + ci) * k + ky) * k + kx)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
