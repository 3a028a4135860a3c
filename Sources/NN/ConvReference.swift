/// The algorithmic oracle for convolution: seven nested loops, no tricks. Tests compare
/// the fast kernels against it; nothing else should call it.
public enum ConvReference {
    /// out (N, O, OH, OW) = conv(x (N, C, H, W), w (O, C/groups, K, K)).
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                               _ w: UnsafePointer<Float>, _ s: ConvShape) {
        let (oh, ow, k) = (s.outHeight, s.outWidth, s.kernel)
        for n in 0..<s.batch {
            for o in 0..<s.outChannels {
                let g = o / s.groupOut
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var sum: Double = 0
                        for ci in 0..<s.groupIn {
                            let c = g * s.groupIn + ci
                            for ky in 0..<k {
                                for kx in 0..<k {
                                    let iy = oy * s.stride - s.pad + ky, ix = ox * s.stride - s.pad + kx
                                    if iy < 0 || iy >= s.height || ix < 0 || ix >= s.width { continue }
                                    let xv = x[((n * s.inChannels + c) * s.height + iy) * s.width + ix]
                                    let wv = w[((o * s.groupIn + ci) * k + ky) * k + kx]
                                    sum += Double(xv) * Double(wv)
                                }
                            }
                        }
                        out[((n * s.outChannels + o) * oh + oy) * ow + ox] = Float(sum)
                    }
                }
            }
        }
    }

    /// dx += d(sum(out ⊙ dOut))/dx and dw += d(…)/dw.
    public static func backward(dx: UnsafeMutablePointer<Float>, dw: UnsafeMutablePointer<Float>,
                                dOut: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                _ w: UnsafePointer<Float>, _ s: ConvShape) {
        let (oh, ow, k) = (s.outHeight, s.outWidth, s.kernel)
        for n in 0..<s.batch {
            for o in 0..<s.outChannels {
                let g = o / s.groupOut
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let d = dOut[((n * s.outChannels + o) * oh + oy) * ow + ox]
                        for ci in 0..<s.groupIn {
                            let c = g * s.groupIn + ci
                            for ky in 0..<k {
                                for kx in 0..<k {
                                    let iy = oy * s.stride - s.pad + ky, ix = ox * s.stride - s.pad + kx
                                    if iy < 0 || iy >= s.height || ix < 0 || ix >= s.width { continue }
                                    let xi = ((n * s.inChannels + c) * s.height + iy) * s.width + ix
                                    let wi = ((o * s.groupIn + ci) * k + ky) * k + kx
                                    dx[xi] += d * w[wi]
                                    dw[wi] += d * x[xi]
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
