/// One line of a run's learning curve: what the epoch ended with.
public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int  // 1-based
    public var learningRate: Double  // of the epoch's last update
    public var trainLoss: Double
    public var trainAccuracy: Double  // % against the hard label (the first image of a mixed pair)
    public var testTop1: Double
    public var testTop5: Double
    public var testLoss: Double

    public init(
        epoch: Int, learningRate: Double, trainLoss: Double, trainAccuracy: Double,
        testTop1: Double, testTop5: Double, testLoss: Double
    ) {
        self.epoch = epoch
        self.learningRate = learningRate
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.testTop1 = testTop1
        self.testTop5 = testTop5
        self.testLoss = testLoss
    }
}

extension Array where Element == EpochRecord {
    /// The epoch with the best test top-1 (the first of equals). Choosing it selects on
    /// the test set: an optimistic figure, reported beside the final epoch, never instead.
    public var best: EpochRecord? {
        self.max { $0.testTop1 < $1.testTop1 || ($0.testTop1 == $1.testTop1 && $0.epoch > $1.epoch) }
    }
}
