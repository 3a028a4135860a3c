import Foundation

/// The colour-jitter operations of MXNet's `RandomColorJitter` on one planar RGB image
/// (R, G, B planes of `pixels` floats each) on the 0–255 scale. Every operation ends with
/// a clamp to [0, 255] (and, if asked, truncation), as MXNet's uint8 kernels do.
public enum ColorJitter {
    public enum Operation: Int, CaseIterable, Sendable {
        case brightness, contrast, saturation, hue
    }

    /// ITU-R 601 luma weights.
    static let luma: (Float, Float, Float) = (0.299, 0.587, 0.114)

    /// x ← a·x.
    public static func brightness(_ image: UnsafeMutableBufferPointer<Float>, factor a: Float, truncate: Bool = false) {
        for i in image.indices { image[i] *= a }
        clamp(image, truncate: truncate)
    }

    /// x ← a·x + (1 − a)·m, m = the image's mean luma.
    public static func contrast(_ image: UnsafeMutableBufferPointer<Float>, factor a: Float, truncate: Bool = false) {
        let n = image.count / 3
        var sum: Double = 0
        for p in 0..<n { sum += Double(luma.0 * image[p] + luma.1 * image[n + p] + luma.2 * image[2 * n + p]) }
        let offset = (1 - a) * Float(sum / Double(n))
        for i in image.indices { image[i] = a * image[i] + offset }
        clamp(image, truncate: truncate)
    }

    /// x_c ← a·x_c + (1 − a)·g per pixel, g = luma (or 0.114·B with MXNet's bug).
    public static func saturation(
        _ image: UnsafeMutableBufferPointer<Float>, factor a: Float, mxnetBug: Bool = false,
        truncate: Bool = false
    ) {
        let n = image.count / 3
        for p in 0..<n {
            let r = image[p], g = image[n + p], b = image[2 * n + p]
            let grey = mxnetBug ? luma.2 * b : luma.0 * r + luma.1 * g + luma.2 * b
            let offset = (1 - a) * grey
            image[p] = a * r + offset
            image[n + p] = a * g + offset
            image[2 * n + p] = a * b + offset
        }
        clamp(image, truncate: truncate)
    }

    /// Rotates the hue by `shift` turns (shift · 360°) through HLS.
    public static func hue(_ image: UnsafeMutableBufferPointer<Float>, shift: Float, truncate: Bool = false) {
        let n = image.count / 3
        for p in 0..<n {
            var (h, l, s) = hls(image[p] / 255, image[n + p] / 255, image[2 * n + p] / 255)
            h = (h + shift * 360).truncatingRemainder(dividingBy: 360)
            if h < 0 { h += 360 }
            let (r, g, b) = rgb(h, l, s)
            image[p] = r * 255
            image[n + p] = g * 255
            image[2 * n + p] = b * 255
        }
        clamp(image, truncate: truncate)
    }

    static func clamp(_ image: UnsafeMutableBufferPointer<Float>, truncate: Bool) {
        if truncate {
            for i in image.indices { image[i] = min(max(image[i], 0), 255).rounded(.towardZero) }
        } else {
            for i in image.indices { image[i] = min(max(image[i], 0), 255) }
        }
    }

    /// RGB in [0, 1] → (hue in degrees [0, 360), lightness, saturation).
    static func hls(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
        let high = max(r, g, b), low = min(r, g, b)
        let l = (high + low) / 2
        guard high > low else { return (0, l, 0) }
        let d = high - low
        let s = l <= 0.5 ? d / (high + low) : d / (2 - high - low)
        var h: Float
        if r == high { h = (g - b) / d } else if g == high { h = 2 + (b - r) / d } else { h = 4 + (r - g) / d }
        h *= 60
        if h < 0 { h += 360 }
        return (h, l, s)
    }

    static func rgb(_ h: Float, _ l: Float, _ s: Float) -> (Float, Float, Float) {
        guard s > 0 else { return (l, l, l) }
        let m2 = l <= 0.5 ? l * (1 + s) : l + s - l * s
        let m1 = 2 * l - m2
        func channel(_ hue: Float) -> Float {
            var h = hue.truncatingRemainder(dividingBy: 360)
            if h < 0 { h += 360 }
            if h < 60 { return m1 + (m2 - m1) * h / 60 }
            if h < 180 { return m2 }
            if h < 240 { return m1 + (m2 - m1) * (240 - h) / 60 }
            return m1
        }
        return (channel(h + 120), channel(h), channel(h - 120))
    }
}
