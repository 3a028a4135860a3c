import NN
import Tensor

/// batchnorm.h5: groups `train` and `eval`, each x, params/{gamma, beta},
/// running_{mean,var}_before and g, with f64 results for loss = sum(y ⊙ g).
enum BatchNormParity {
    static func check(_ file: GoldenFile, _ context: ComputeContext) throws -> ParityReport {
        var report = ParityReport(file: file.name, kind: "batch norm, train and eval")
        let epsilon = Float(try file.double("eps", default: 1e-5))
        // PyTorch's momentum m weights the batch; GluonCV's (ours) weights the old value: 1 − m.
        let momentum = Float(1 - (try file.double("momentum_pytorch", default: 0.1)))
        for mode in ["train", "eval"] where file.root.contains(mode) {
            let x = try file.floats(mode + "/x")
            guard x.shape.count == 4 else {
                throw ParityError.unknownLayout(file: file.name, detail: "\(mode)/x has shape \(x.shape), not NCHW")
            }
            let (batch, channels, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
            let gamma = try file.floats(mode + "/params/gamma").values,
                beta = try file.floats(mode + "/params/beta").values
            let meanBefore = try file.floats(mode + "/running_mean_before").values
            let varBefore = try file.floats(mode + "/running_var_before").values
            let g = try file.floats(mode + "/g").values
            guard [gamma, beta, meanBefore, varBefore].allSatisfy({ $0.count == channels }), g.count == x.values.count
            else {
                throw ParityError.unknownLayout(
                    file: file.name, detail: "\(mode): parameter or g sizes do not fit x \(x.shape)")
            }
            var y = [Float](repeating: 0, count: x.values.count), dx = y
            var dGamma = [Float](repeating: 0, count: channels), dBeta = dGamma
            var config = BatchNorm.Config(epsilon: epsilon, momentum: momentum, runningVariance: .biased)
            if mode == "train" {
                var mean = dGamma, rstd = dGamma, runningMean = meanBefore, runningVar = varBefore
                BatchNorm.forwardTrain(
                    &y, x.values, gamma: gamma, beta: beta, mean: &mean, rstd: &rstd,
                    runningMean: &runningMean, runningVar: &runningVar,
                    batch: batch, channels: channels, plane: plane, relu: false, config: config, context)
                BatchNorm.backwardTrain(
                    dx: &dx, dy: g, x.values, reluOutput: nil, gamma: gamma, mean: mean, rstd: rstd,
                    dGamma: &dGamma, dBeta: &dBeta, batch: batch, channels: channels, plane: plane, context)
                try report.add(
                    "train/batch_mean", mean, try file.doubles("train/f64/batch_mean"), tolerance: Parity.layerTolerance
                )
                let variance = rstd.map { Float(1 / (Double($0) * Double($0)) - Double(epsilon)) }
                try report.add(
                    "train/batch_var_biased", variance, try file.doubles("train/f64/batch_var_biased"),
                    tolerance: Parity.layerTolerance)
                try report.add(
                    "train/running_mean_after", runningMean, try file.doubles("train/f64/running_mean_after"),
                    tolerance: Parity.layerTolerance)
                try report.add(
                    "train/running_var_after_mxnet (biased rule)", runningVar,
                    try file.doubles("train/f64/running_var_after_mxnet"), tolerance: Parity.layerTolerance)
                // the same batch again under PyTorch's rule
                config.runningVariance = .unbiased
                var scratch = y
                runningMean = meanBefore
                runningVar = varBefore
                BatchNorm.forwardTrain(
                    &scratch, x.values, gamma: gamma, beta: beta, mean: &mean, rstd: &rstd,
                    runningMean: &runningMean, runningVar: &runningVar,
                    batch: batch, channels: channels, plane: plane, relu: false, config: config, context)
                try report.add(
                    "train/running_var_after (unbiased rule)", runningVar,
                    try file.doubles("train/f64/running_var_after"), tolerance: Parity.layerTolerance)
            } else {
                BatchNorm.forwardEval(
                    &y, x.values, gamma: gamma, beta: beta, runningMean: meanBefore, runningVar: varBefore,
                    batch: batch, channels: channels, plane: plane, relu: false, config: config, context)
                BatchNorm.backwardEval(
                    dx: &dx, dy: g, x.values, gamma: gamma, runningMean: meanBefore,
                    runningVar: varBefore, dGamma: &dGamma, dBeta: &dBeta,
                    batch: batch, channels: channels, plane: plane, config: config, context)
            }
            try report.add(mode + "/y", y, try file.doubles(mode + "/f64/y"), tolerance: Parity.layerTolerance)
            try report.add(
                mode + "/grads/x", dx, try file.doubles(mode + "/f64/grads/x"), tolerance: Parity.layerTolerance)
            try report.add(
                mode + "/grads/gamma", dGamma, try file.doubles(mode + "/f64/grads/gamma"),
                tolerance: Parity.layerTolerance)
            try report.add(
                mode + "/grads/beta", dBeta, try file.doubles(mode + "/f64/grads/beta"),
                tolerance: Parity.layerTolerance)
        }
        return report
    }
}
