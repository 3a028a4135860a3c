import NN

/// losses.h5: one group per loss (ce_hard, ce_smooth, ce_mixup, ce_mixup_smooth, distill,
/// distill_smooth). The kind comes from what a group holds: teacher_logits → distillation,
/// labels2 → mixup (attribute lam), attribute eta → label smoothing.
enum LossParity {
    static func check(_ file: GoldenFile) throws -> ParityReport {
        let groups = file.root.childNames.filter { file.root.contains($0 + "/logits") }
        var report = ParityReport(file: file.name, kind: "losses: \(groups.joined(separator: ", "))")
        let tolerance = Parity.layerTolerance
        for name in groups {
            let group = try file.group(name)
            let logits = try file.floats(name + "/logits")
            guard logits.shape.count == 2 else {
                throw ParityError.unknownLayout(
                    file: file.name, detail: "\(name)/logits has shape \(logits.shape), not (N, K)")
            }
            let classes = logits.shape[1]
            let labels = try file.labels(name + "/labels")
            guard labels.count == logits.shape[0], labels.allSatisfy({ $0 >= 0 && $0 < classes }) else {
                throw ParityError.unknownLayout(
                    file: file.name, detail: "\(name)/labels do not fit \(logits.shape) logits")
            }
            let eta = Float(try file.double("eta", in: group, default: 0))
            var hard = Targets.oneHot(labels, classes: classes, smoothing: eta)
            if file.has(name + "/labels2") {
                let lambda = Float(try file.double("lam", in: group))
                let other = Targets.oneHot(try file.labels(name + "/labels2"), classes: classes, smoothing: eta)
                hard = Targets.mix(hard, other, lambda: lambda)
            }
            let output: LossOutput
            if file.has(name + "/teacher_logits") {
                let distillation = Distillation(
                    temperature: Float(try file.double("temperature", in: group)),
                    hardWeight: Float(try file.double("hard_weight", in: group)))
                let soft = distillation.softTargets(
                    teacherLogits: try file.floats(name + "/teacher_logits").values,
                    classes: classes)
                let result = distillation.loss(
                    logits: logits.values, softTargets: soft, hardTargets: hard, classes: classes)
                try report.add(
                    name + "/soft_target", soft, try file.doubles(name + "/f64/soft_target"), tolerance: tolerance)
                try report.add(
                    name + "/per_sample_soft", result.perSampleSoft, try file.doubles(name + "/f64/per_sample_soft"),
                    tolerance: tolerance)
                try report.add(
                    name + "/per_sample_hard", result.perSampleHard, try file.doubles(name + "/f64/per_sample_hard"),
                    tolerance: tolerance)
                if file.has(name + "/hard_target") {
                    try report.add(
                        name + "/hard_target", hard, try file.doubles(name + "/hard_target"), tolerance: tolerance)
                }
                output = result.total
            } else {
                output = SoftmaxCrossEntropy.loss(logits: logits.values, targets: hard, classes: classes)
                if file.has(name + "/target") {
                    try report.add(name + "/target", hard, try file.doubles(name + "/target"), tolerance: tolerance)
                }
            }
            try report.add(
                name + "/per_sample", output.perSample, try file.doubles(name + "/f64/per_sample"), tolerance: tolerance
            )
            try report.add(name + "/loss", [output.loss], try file.doubles(name + "/f64/loss"), tolerance: tolerance)
            try report.add(
                name + "/grads/logits", output.dLogits, try file.doubles(name + "/f64/grads/logits"),
                tolerance: tolerance)
        }
        return report
    }
}
