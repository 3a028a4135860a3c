import Foundation
import TestSupport
import XCTest

/// `repro bench` as a user runs it: repetitions timed apart, the median reported (the
/// PyTorch peer's protocol), and bad counts refused with a message.
final class BenchCommandTests: XCTestCase {
    private var scratch: ScratchDirectory!

    override func setUpWithError() throws { scratch = try ScratchDirectory("bench") }
    override func tearDownWithError() throws { scratch = nil }

    func testRepetitionsAreTimedApartAndTheMedianReported() throws {
        let run = try TestProcess.repro(
            [
                "bench", "--model", "cifar_resnet20_v1", "--batch", "8", "--threads", "1",
                "--warmup", "1", "--steps", "1", "--reps", "3", "--json",
            ], in: scratch.url)
        XCTAssertTrue(run.exited && run.status == 0, "\(run.description)\n\(run.output)")
        let lines = run.output.split(separator: "\n")
        XCTAssertTrue(lines.first?.contains("median of 3 reps of 1 steps") == true, run.output)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any])
        for (median, reps) in [("images_per_sec", "train_reps"), ("eval_images_per_sec", "eval_reps")] {
            let rates = try XCTUnwrap(json[reps] as? [Double], reps)
            XCTAssertEqual(rates.count, 3, reps)
            XCTAssertTrue(rates.allSatisfy { $0 > 0 }, "\(reps): \(rates)")
            XCTAssertEqual(json[median] as? Double, rates.sorted()[1], median)
        }
        XCTAssertEqual(json["warmup"] as? Int, 1)
        XCTAssertEqual(json["reps"] as? Int, 3)
    }

    /// Under mpirun the rates are the launch's, so the peak they are shared against is too:
    /// the sum of what each rank measured; rank 0 alone prints, with what it sent and waited.
    func testUnderMpirunThePeakIsTheRanksSum() throws {
        let run = try TestProcess.program(
            "mpirun",
            [
                "-np", "2", "--oversubscribe", "--bind-to", "none", TestProcess.repro.path, "bench", "--model",
                "cifar_resnet20_v1", "--batch", "8", "--devices", "2", "--threads", "1", "--steps", "1", "--json",
            ], in: scratch.url,
            environment: ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"], separateErrors: true)
        XCTAssertTrue(run.exited && run.status == 0, "\(run.description)\n\(run.output)\n\(run.errors)")
        XCTAssertTrue(run.output.contains("(2 ranks × 1 threads, measured)"), run.output)
        XCTAssertTrue(run.output.contains("\n2 ranks: rank 0 sent "), run.output)
        XCTAssertEqual(run.output.components(separatedBy: "FMA peak ").count, 2, "rank 0 alone prints: \(run.output)")
        XCTAssertFalse(run.errors.contains("exited improperly"), run.errors)
    }

    /// The share of peak beside the achieved figures: the kernels never execute more
    /// multiply-adds than the dense convolutions count, and a small batch on one thread
    /// stays well below the register-only FMA loop.
    func testTheShareOfTheMeasuredFMAPeakIsPrinted() throws {
        let run = try TestProcess.repro(
            ["bench", "--model", "cifar_resnet20_v1", "--batch", "8", "--threads", "1", "--steps", "1", "--json"],
            in: scratch.url)
        XCTAssertTrue(run.exited && run.status == 0, "\(run.description)\n\(run.output)")
        XCTAssertTrue(run.output.contains("FMA peak "), run.output)
        XCTAssertTrue(run.output.contains("% dense-equivalent"), run.output)
        let lines = run.output.split(separator: "\n")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any])
        let figure = { (key: String) in try XCTUnwrap(json[key] as? Double, key) }
        let (peak, dense, executed) = try (figure("peak_gflops"), figure("gflops"), figure("executed_gflops"))
        XCTAssertGreaterThan(executed, 0)
        XCTAssertLessThanOrEqual(executed, dense * (1 + 1e-9))
        XCTAssertLessThan(executed, peak, run.output)
        XCTAssertLessThanOrEqual(try figure("eval_executed_gflops"), try figure("eval_gflops") * (1 + 1e-9))
    }

    func testZeroRepetitionsAreRefused() throws {
        let run = try TestProcess.repro(["bench", "--reps", "0"], in: scratch.url)
        XCTAssertTrue(run.exited && run.status == 2, "\(run.description)\n\(run.output)")
        XCTAssertTrue(run.output.contains("--reps"), run.output)
        XCTAssertFalse(run.output.contains("Stack dump"), run.output)
    }
}
