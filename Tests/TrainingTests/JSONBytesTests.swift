import Dataset
import Foundation
import Support
import XCTest

@testable import Training

/// The JSON Training writes keeps the bytes Foundation's encoder gave it: a checkpoint's
/// config attribute (compared as text on resume) and a run's history (a hashed output).
final class JSONBytesTests: XCTestCase {
    private func foundation(_ value: some Encodable, _ formatting: JSONEncoder.OutputFormatting) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func testTheConfigAttributeIsFoundationsSortedJSON() throws {
        var other = TrainingConfig()
        other.devices = 4
        other.labels = .coarse
        other.seed = 1 << 40
        other.mixup = "stitch-horizontal"
        other.weightDecay = 5e-5
        other.decayEpochs = []
        for config in [TrainingConfig(), other] {
            XCTAssertEqual(try Checkpoint.configText(config), try foundation(config, [.sortedKeys]))
        }
    }

    func testAHistoryIsFoundationsPrettyJSON() throws {
        let history = [
            EpochRecord(
                epoch: 1, learningRate: 0.1, trainLoss: 4.25, trainAccuracy: 3.0,
                testTop1: 5.5, testTop5: 20.0, testLoss: 4.0),
            EpochRecord(
                epoch: 2, learningRate: 1e-5, trainLoss: 0.012345678901234, trainAccuracy: 100.0,
                testTop1: 71.23, testTop5: 91.0, testLoss: 1.0000000000000002),
        ]
        let written = String(decoding: try JSONValue.data(history, .foundationPretty), as: UTF8.self)
        XCTAssertEqual(written, try foundation(history, [.sortedKeys, .prettyPrinted]) + "\n")
        XCTAssertEqual(try JSONValue.decode([EpochRecord].self, from: Data(written.utf8)), history)
    }
}
