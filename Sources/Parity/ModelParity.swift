import NN
import Tensor

/// resnet20_c100.h5, resnext29_2x4d_c10.h5 (+ companions) and resnet20_c100_sgd.h5: one
/// training step of a whole model, rebuilt from the file's attributes (depth, classes,
/// cardinality, bottleneck_width) with its parameters, inputs and running statistics.
enum ModelParity {
    /// Forward (logits, loss, running statistics under both rules) and backward (every
    /// parameter gradient and the input gradient).
    static func checkStep(_ file: GoldenFile, _ context: ComputeContext) throws -> ParityReport {
        let step = try Step(file, context)
        var report = ParityReport(file: file.name, kind: step.description)
        let model = step.model
        try report.add("logits", step.logits, try file.doubles("f64/logits"), tolerance: Parity.layerTolerance)
        try report.add("loss", [step.lossValue], try file.doubles("f64/loss"), tolerance: Parity.layerTolerance)
        for view in model.parameters.views {
            try report.add(
                "grads/" + view.name, try model.gradients.values(named: view.name),
                try file.doubles("f64/grads/" + view.name), tolerance: Parity.gradientTolerance)
        }
        try report.add(
            "grads/input.x", step.inputGradient, try file.doubles("f64/grads/input.x"),
            tolerance: Parity.gradientTolerance)
        // running statistics after the forward: GluonCV's biased rule (ours by default) …
        for view in model.buffers.views {
            let path =
                view.name.hasSuffix("running_var")
                ? "f64/bn_running_after_mxnet/" + view.name : "f64/bn_running_after/" + view.name
            guard file.has(path) else { continue }
            try report.add(
                path, try model.buffers.values(named: view.name), try file.doubles(path),
                tolerance: Parity.layerTolerance)
        }
        // … and PyTorch's unbiased rule, from the same starting statistics
        try step.loadRunningStatistics()
        var config = model.batchNormConfig
        config.runningVariance = .unbiased
        model.batchNormConfig = config
        _ = step.train()
        for view in model.buffers.views where view.name.hasSuffix("running_var") {
            let path = "f64/bn_running_after/" + view.name
            guard file.has(path) else { continue }
            try report.add(
                path, try model.buffers.values(named: view.name), try file.doubles(path),
                tolerance: Parity.layerTolerance)
        }
        return report
    }

    /// One NAG step (PyTorch SGD, nesterov) from the step's gradients; compares p_after − p.
    static func checkSGDStep(_ file: GoldenFile, _ context: ComputeContext) throws -> ParityReport {
        let step = try Step(file, context)
        guard try file.double("dampening", default: 0) == 0 else {
            throw ParityError.unknownLayout(file: file.name, detail: "SGD with dampening is not supported")
        }
        let lr = try file.double("lr"), momentum = try file.double("momentum")
        let nesterov = try file.int("nesterov", default: 0) != 0, decay = try file.double("weight_decay")
        let model = step.model
        var report = ParityReport(
            file: file.name,
            kind:
                "SGD step (lr \(lr), momentum \(momentum), nesterov \(nesterov), wd \(decay)) after \(step.description)"
        )
        let before = model.parameters.storage.array
        let sgd = SGD(
            parameters: model.parameters, momentum: Float(momentum), nesterov: nesterov,
            weightDecay: WeightDecay(rate: Float(decay), kinds: model.parameterKinds))
        sgd.step(parameters: model.parameters, gradients: model.gradients, learningRate: Float(lr))
        for view in model.parameters.views {
            let after = try model.parameters.values(named: view.name)
            let old = before[view.offset..<view.offset + view.count]
            let reference = zip(try file.doubles("f64/params_after_step/" + view.name), old).map { $0 - Double($1) }
            try report.add(
                "step/" + view.name, zip(after, old).map { $0 - $1 }, reference, tolerance: Parity.gradientTolerance)
        }
        return report
    }

    /// The model of a step file with its parameters loaded, after one training forward and backward.
    struct Step: CustomStringConvertible {
        let file: GoldenFile
        let model: Model
        let input: [Float]
        let batch, height, width: Int
        let logits: [Float]
        let lossValue: Float
        let inputGradient: [Float]
        let devices: Int
        let labels: [Int]

        /// One training forward and backward of the file's batch (on its devices).
        func train() -> (logits: [Float], loss: Float, inputGradient: [Float]?) {
            Step.train(model, input, labels, batch: batch, height: height, width: width, devices: devices)
        }

        static func train(
            _ model: Model, _ input: [Float], _ labels: [Int], batch: Int, height: Int, width: Int,
            devices: Int
        ) -> (logits: [Float], loss: Float, inputGradient: [Float]?) {
            input.withUnsafeBufferPointer { x in
                model.accumulateGradients(
                    x.baseAddress!, batch: batch, height: height, width: width, devices: devices,
                    inputGradient: true
                ) { range, logits in
                    SoftmaxCrossEntropy.loss(logits: logits, labels: Array(labels[range]), classes: model.classes)
                }
            }
        }

        init(_ file: GoldenFile, _ context: ComputeContext) throws {
            self.file = file
            let depth = try file.int("depth"), classes = try file.int("classes")
            let name: String
            if file.root.hasAttribute("cardinality") {
                name = "cifar_resnext\(depth)_\(try file.int("cardinality"))x\(try file.int("bottleneck_width"))d"
            } else {
                name = "cifar_resnet\(depth)_v1"
            }
            do {
                model = try Model(name: name, classes: classes)
                model.context = context
            } catch {
                throw ParityError.unknownLayout(file: file.name, detail: "\(error)")
            }
            let stemReLU = if case .resNeXt = model.architecture { 1 } else { 0 }
            guard try file.int("stem_relu", default: stemReLU) == stemReLU else {
                throw ParityError.unknownLayout(file: file.name, detail: "stem_relu does not match the \(name) layout")
            }
            let momentum = try file.double("bn_momentum_pytorch", default: 0.1)
            model.batchNormConfig = BatchNorm.Config(
                epsilon: Float(try file.double("bn_eps", default: 1e-5)),
                momentum: Float(1 - momentum), runningVariance: .biased)
            for view in model.parameters.views {
                let values = try file.floats("params/" + view.name)
                do {
                    try model.parameters.load(named: view.name, shape: values.shape, values: values.values)
                } catch ArenaError.shapeMismatch(let tensor, let expected, let got) {
                    throw ParityError.shapeMismatch(
                        file: file.name, tensor: "params/" + tensor, expected: expected, got: got)
                }
            }
            let x = try file.floats("inputs/x")
            guard x.shape.count == 4, x.shape[1] == 3 else {
                throw ParityError.unknownLayout(
                    file: file.name, detail: "inputs/x has shape \(x.shape), not (N, 3, H, W)")
            }
            (batch, height, width) = (x.shape[0], x.shape[2], x.shape[3])
            input = x.values
            let labels = try file.labels("inputs/labels")
            guard labels.count == batch, labels.allSatisfy({ $0 >= 0 && $0 < classes }) else {
                throw ParityError.unknownLayout(
                    file: file.name, detail: "inputs/labels do not fit batch \(batch), \(classes) classes")
            }
            // `devices`: the batch split into equal parts, each with its own batch statistics
            devices = try file.int("devices", default: 1)
            guard devices >= 1, batch % devices == 0 else {
                throw ParityError.unknownLayout(
                    file: file.name, detail: "devices \(devices) does not split batch \(batch)")
            }
            description =
                "model step (\(name), \(classes) classes, batch "
                + "\(batch)\(devices > 1 ? " on \(devices) devices" : ""), \(height)x\(width))"
            try Step.loadRunningStatistics(file, model)
            self.labels = labels
            let step = Step.train(model, input, labels, batch: batch, height: height, width: width, devices: devices)
            (logits, lossValue, inputGradient) = (step.logits, step.loss, step.inputGradient ?? [])
        }

        let description: String

        func loadRunningStatistics() throws { try Step.loadRunningStatistics(file, model) }

        /// bn_running_before/<bn>.running_{mean,var} when the file has them, else 0 and 1.
        static func loadRunningStatistics(_ file: GoldenFile, _ model: Model) throws {
            for view in model.buffers.views {
                let path = "bn_running_before/" + view.name
                if file.has(path) {
                    let values = try file.floats(path)
                    do {
                        try model.buffers.load(named: view.name, shape: values.shape, values: values.values)
                    } catch ArenaError.shapeMismatch(let tensor, let expected, let got) {
                        throw ParityError.shapeMismatch(file: file.name, tensor: path, expected: expected, got: got)
                    }
                } else {
                    let fill: Float = view.name.hasSuffix("running_var") ? 1 : 0
                    model.buffers.pointer(view).update(repeating: fill, count: view.count)
                }
            }
        }
    }
}
