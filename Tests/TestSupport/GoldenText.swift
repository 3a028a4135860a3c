import Foundation
import XCTest

/// Command output checked against a golden text file, whole. To refresh the files after
/// a deliberate change of output, run the tests with REPRO_UPDATE_GOLDEN=1:
///
///     REPRO_UPDATE_GOLDEN=1 swift test -c release -Xswiftc -enable-testing --filter GoldenOutputTests
///
/// then review `git diff` of the golden files and commit them.
public enum GoldenText {
    public static var updating: Bool { ProcessInfo.processInfo.environment["REPRO_UPDATE_GOLDEN"] == "1" }

    public static func assertMatches(
        _ text: String, _ golden: URL, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        if updating {
            try FileManager.default.createDirectory(
                at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: golden, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: golden, encoding: .utf8) else {
            XCTFail("no golden file \(golden.path); create it with REPRO_UPDATE_GOLDEN=1", file: file, line: line)
            return
        }
        if text != expected {
            let got = text.split(separator: "\n", omittingEmptySubsequences: false)
            let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let first = (0..<min(got.count, want.count)).first { got[$0] != want[$0] } ?? min(got.count, want.count)
            XCTFail(
                """
                output differs from \(golden.lastPathComponent) at line \(first + 1):
                  expected: \(first < want.count ? String(want[first]) : "(end)")
                  got:      \(first < got.count ? String(got[first]) : "(end)")
                (refresh with REPRO_UPDATE_GOLDEN=1 if the change is meant)
                """, file: file, line: line)
        }
    }
}
