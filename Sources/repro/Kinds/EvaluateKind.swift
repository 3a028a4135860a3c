import Dataset
import Foundation
import NN
import Pipeline
import Support
import Tensor
import Training

/// What `evaluate` writes (`evaluation.json`), and what tables and the report read.
struct EvaluationRecord: Codable {
    var stage: String
    var model: String
    var top1: Double
    var top5: Double
    var loss: Double
    var images: Int
    /// The best epoch by test top-1: selected on the test set, so optimistic.
    var bestEpoch: Int
    var bestTop1: Double
    var bestTop5: Double
    var bestIsTestSetSelection = true
    /// The teacher's train stage when the run was distilled (its training loss carries the T²-scaled soft term).
    var distilledFrom: String?
    var history: [EpochRecord]

    /// The record an evaluate stage among `context`'s dependencies wrote.
    static func read(_ stage: String, in context: StageContext) throws -> EvaluationRecord {
        let file = try context.output(of: stage, named: "evaluation")
        return try JSONValue.decode(EvaluationRecord.self, from: Data(contentsOf: file))
    }
}

/// `kind: evaluate`: top-1, top-5 and loss of a trained model on the test split, in
/// inference mode (RECIPE.md §9). The final epoch is the headline; the best epoch is
/// recorded too and flagged as selected on the test set. Outputs `evaluation` (JSON) and
/// `timing` (the training's seconds per epoch; volatile).
struct EvaluateKind: TypedStageKind {
    let name = "evaluate"
    // 4: 1x1 convolutions on our own kernels (ResNeXt: other bits); 5: and the strided ones (all models)
    let version = 5

    struct Parameters: StageParameters {
        var run = ""
        var dataset = "cifar100"
        var batchSize = 500

        static let fields: [ParameterField<Parameters>] = [
            .stage("run", \.run, doc: "the train stage whose checkpoint is evaluated", required: true),
            .stage("dataset", \.dataset, doc: "the dataset stage"),
            .field("batch_size", \.batchSize, doc: "images per batch", check: positive),
        ]
    }

    func run(_ context: StageContext) throws -> StageResult {
        let p = Parameters(context.parameters)
        let trainStage = p.run
        // The run's label set, as its train stage recorded it (fine unless it says coarse).
        let labels =
            context.dependencies[trainStage]?.metrics["labels"].flatMap { LabelSet(rawValue: $0.description) } ?? .fine
        let dataset = try CIFARConverter.load(try context.output(of: p.dataset, named: "data")).relabeled(labels)
        let model = try Checkpoint.loadModel(try context.output(of: trainStage, named: "checkpoint"))
        guard model.classes == dataset.fineClasses else {
            throw TrainingError.checkpointMismatch(
                "stage \(context.stage): \(trainStage) has \(model.classes) classes, the dataset \(dataset.fineClasses)"
            )
        }
        model.context.threads = context.threads
        context.progress.update("evaluating \(trainStage) on \(dataset.test.count) test images")
        let loader = BatchLoader.evaluation(split: dataset.test, classes: dataset.fineClasses, batchSize: p.batchSize)
        let result = Evaluation.run(model, loader: loader)
        let historyFile = try context.output(of: trainStage, named: "history")
        let history = try JSONValue.decode([EpochRecord].self, from: Data(contentsOf: historyFile))
        let best = history.best
        let record = EvaluationRecord(
            stage: trainStage, model: model.name, top1: result.top1, top5: result.top5, loss: result.loss,
            images: result.count, bestEpoch: best?.epoch ?? 0, bestTop1: best?.testTop1 ?? result.top1,
            bestTop5: best?.testTop5 ?? result.top5,
            distilledFrom: context.dependencies[trainStage]?.metrics["teacher"]?.description,
            history: history)
        let evaluation = context.outputDirectory.appendingPathComponent("evaluation.json")
        try JSONValue.data(record, .foundationPretty).write(to: evaluation)
        var outputs: [String: StageResult.Output] = ["evaluation": .init(evaluation)]
        if let timing = context.dependencies[trainStage]?.files["timing"] {
            let copy = context.outputDirectory.appendingPathComponent("timing.json")
            try FileManager.default.copyItem(at: timing, to: copy)
            outputs["timing"] = .init(copy, volatile: true)
        }
        return StageResult(
            outputs: outputs,
            metrics: [
                "top1": .number(result.top1), "top5": .number(result.top5), "loss": .number(result.loss),
                "best_epoch": .number(Double(record.bestEpoch)), "best_top1": .number(record.bestTop1),
            ])
    }
}
