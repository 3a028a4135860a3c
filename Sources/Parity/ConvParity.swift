import NN
import Tensor

/// conv2d.h5: groups case_0 … case_{n_cases−1}, each x, w, g and f64/{y, grads/x, grads/w}
/// for loss = sum(y ⊙ g).
enum ConvParity {
    static func check(_ file: GoldenFile, _ context: ComputeContext) throws -> ParityReport {
        let cases = try file.int("n_cases", default: file.root.childNames.filter { $0.hasPrefix("case_") }.count)
        var report = ParityReport(file: file.name, kind: "conv2d forward/backward, \(cases) cases")
        for index in 0..<cases {
            let name = "case_\(index)"
            let group = try file.group(name)
            guard try file.int("dilation", in: group, default: 1) == 1, try file.int("bias", in: group, default: 0) == 0
            else {
                throw ParityError.unknownLayout(file: file.name, detail: "\(name): dilation or bias is not supported")
            }
            let x = try file.floats(name + "/x"), w = try file.floats(name + "/w"), g = try file.floats(name + "/g")
            guard x.shape.count == 4, w.shape.count == 4, w.shape[2] == w.shape[3] else {
                throw ParityError.unknownLayout(
                    file: file.name, detail: "\(name): x \(x.shape), w \(w.shape) are not NCHW/OIHW")
            }
            let groups = try file.int("groups", in: group, default: 1)
            let shape: ConvShape
            do {
                shape = try ConvShape.validated(
                    batch: x.shape[0], inChannels: x.shape[1], height: x.shape[2], width: x.shape[3],
                    outChannels: w.shape[0], kernel: w.shape[2],
                    stride: try file.int("stride", in: group), pad: try file.int("pad", in: group),
                    groups: groups)
            } catch let error as NNError {
                throw ParityError.unknownLayout(file: file.name, detail: "\(name): \(error)")
            }
            guard w.shape == shape.weightShape, g.values.count == shape.outputCount else {
                throw ParityError.unknownLayout(
                    file: file.name, detail: "\(name): w \(w.shape) or g \(g.shape) do not fit x \(x.shape)")
            }
            var y = [Float](repeating: 0, count: shape.outputCount)
            var dx = [Float](repeating: 0, count: shape.inputCount)
            var dw = [Float](repeating: 0, count: shape.weightCount)
            Conv2D.forward(&y, x.values, w.values, shape, context)
            Conv2D.backward(dx: &dx, dw: &dw, dOut: g.values, x.values, w.values, shape, context)
            try report.add(name + "/y", y, try file.doubles(name + "/f64/y"), tolerance: Parity.layerTolerance)
            try report.add(
                name + "/grads/x", dx, try file.doubles(name + "/f64/grads/x"), tolerance: Parity.layerTolerance)
            try report.add(
                name + "/grads/w", dw, try file.doubles(name + "/f64/grads/w"), tolerance: Parity.layerTolerance)
        }
        return report
    }
}
