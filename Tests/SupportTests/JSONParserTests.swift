import Foundation
import Support
import TestSupport
import XCTest

/// The JSON reader against what another program writes: Python's `json.dumps` escapes
/// every non-ASCII character, those outside the Basic Multilingual Plane as surrogate pairs.
final class JSONParserTests: XCTestCase {
    /// Runs python3 and returns what it printed.
    private func python(_ script: String) throws -> Data {
        let run = try TestProcess.program("python3", ["-c", script], separateErrors: true)
        XCTAssertEqual(run.status, 0, "python3 ran: \(run.errors)")
        return Data(run.output.utf8)
    }

    func testSurrogatePairsFromPythonAreCombined() throws {
        let data = try python(#"import json; print(json.dumps({"note": "😀 é 𝄞 ok"}))"#)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains(#"\ud83d\ude00"#), "python escaped the emoji as a pair")
        XCTAssertEqual(try JSONParser.parse(data), .object(["note": .string("😀 é 𝄞 ok")]))
    }

    func testLoneSurrogatesBecomeReplacementCharacters() throws {
        // A high surrogate followed by a non-surrogate escape, a lone low one, and one at the end.
        let data = try python(#"import json; print(json.dumps(["\ud800\u0041", "\udc00", "x\ud83d"]))"#)
        let expected = JSONValue.array([.string("\u{FFFD}A"), .string("\u{FFFD}"), .string("x\u{FFFD}")])
        XCTAssertEqual(try JSONParser.parse(data), expected)
    }

    func testBadEscapesAreErrors() {
        for text in [#""\u12""#, #""\uzzzz""#, #""\ud83d\u12""#] {
            XCTAssertThrowsError(try JSONParser.parse(text), text) { error in
                XCTAssertTrue("\(error)".contains("bad \\u escape"), "\(error)")
            }
        }
    }
}
