import Foundation
import Support
import XCTest

/// The Codable bridge and the styles: repro's spelling as the lock has it, Foundation's as
/// the training outputs have it (checked against Foundation's own encoder, byte for byte).
final class JSONCodingTests: XCTestCase {
    /// Everything the training outputs and checkpoints hold, and the corners of each.
    private struct Sample: Codable, Equatable {
        var labels: String? = "fine"
        var labelSmoothing = 1.0
        var missing: Int? = nil
        var epochs = 120
        var seed: UInt64 = 7
        var offset: Int64 = -5
        var half: Float = 0.1
        var flag = true
        var empty: [Double] = []
        var emptyObject: [String: String] = [:]
        var cells: [[Double?]] = [[1.0, nil], []]
        var notes = ["row/a": "t\"e\\s\u{1}\u{8}\u{c}\n\r\té😀"]
        var numbers = [1.0, 0.1, 1e-4, 1e-5, 100.0, 1e16, 1e17, -0.0, 0.0, 5e-324, 2.5e-7, -3.0, 0.30000000000000004]
    }

    private func foundation(_ value: some Encodable, _ formatting: JSONEncoder.OutputFormatting) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func testFoundationStylesWriteFoundationsBytes() throws {
        let value = try JSONValue(encoding: Sample())
        XCTAssertEqual(try value.text(.foundation), try foundation(Sample(), [.sortedKeys]))
        let pretty = try foundation(Sample(), [.sortedKeys, .prettyPrinted])
        XCTAssertEqual(try value.text(.foundationPretty), pretty + "\n")
        XCTAssertTrue(pretty.contains("\"empty\" : [\n\n  ]"), "an empty array, as Foundation breaks it")
        let floats = try JSONValue(encoding: [2.0, 0.5])
        XCTAssertEqual(try floats.text(.foundation), "[2,0.5]", "an integral float loses its .0")
    }

    func testReproStylesKeepIntegersAndFloatsApart() throws {
        let value = try JSONValue(encoding: ["b": [JSONNumber.int(2), .float(2.0)], "a": []])
        XCTAssertEqual(value.canonical, #"{"a":[],"b":[2,2.0]}"#)
        XCTAssertEqual(value.pretty, "{\n  \"a\": [],\n  \"b\": [\n    2,\n    2.0\n  ]\n}\n")
        XCTAssertEqual(
            try JSONParser.parse(value.pretty).decode([String: [JSONNumber]].self),
            ["b": [.int(2), .float(2.0)], "a": []])
    }

    func testValuesReadBackAsWritten() throws {
        for style in [JSONStyle.canonical, .pretty, .foundation, .foundationPretty] {
            let data = try JSONValue.data(Sample(), style)
            XCTAssertEqual(try JSONValue.decode(Sample.self, from: data), Sample(), "\(style)")
        }
    }

    func testNonFiniteNumbersHaveNoFoundationSpelling() {
        XCTAssertThrowsError(try JSONValue(encoding: [Double.nan]).text(.foundation))
        XCTAssertThrowsError(try JSONValue(encoding: ["loss": [Double.infinity]]).text(.foundationPretty))
    }

    func testMismatchesAreDecodingErrors() throws {
        let json = try JSONParser.parse(#"{"epochs": 1.5, "name": 3}"#)
        XCTAssertThrowsError(try json.decode(Epochs.self)) { error in
            guard case DecodingError.typeMismatch(_, let context) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(context.codingPath.map(\.stringValue), ["epochs"], "an integer is read only from an integer")
        }
        XCTAssertThrowsError(try JSONParser.parse("{}").decode(Epochs.self)) { error in
            guard case DecodingError.keyNotFound(let key, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key.stringValue, "epochs")
        }
        XCTAssertThrowsError(try JSONParser.parse("[1, 2]").decode(Epochs.self))
        XCTAssertThrowsError(try JSONParser.parse("[300]").decode([UInt8].self), "beyond UInt8")
        XCTAssertThrowsError(try JSONValue(encoding: [UInt64.max]), "beyond Int")
    }

    /// A value's fields flattened into another's object: the keyed container asked for twice.
    func testContainersOfOneEncoderShareTheirObject() throws {
        struct Outer: Encodable {
            func encode(to encoder: Encoder) throws {
                try Epochs(epochs: 3).encode(to: encoder)
                var object = encoder.container(keyedBy: Epochs.CodingKeys.self)
                try object.encode(4, forKey: .extra)
            }
        }
        XCTAssertEqual(try JSONValue(encoding: Outer()).canonical, #"{"epochs":3,"extra":4}"#)
    }

    private struct Epochs: Codable {
        enum CodingKeys: String, CodingKey { case epochs, extra }
        var epochs: Int

        init(epochs: Int) { self.epochs = epochs }

        init(from decoder: Decoder) throws {
            epochs = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .epochs)
        }

        func encode(to encoder: Encoder) throws {
            var object = encoder.container(keyedBy: CodingKeys.self)
            try object.encode(epochs, forKey: .epochs)
        }
    }

    /// An integer or a float, told apart by the JSON layer.
    private enum JSONNumber: Codable, Equatable {
        case int(Int), float(Double)

        init(from decoder: Decoder) throws {
            let value = try decoder.singleValueContainer()
            if let i = try? value.decode(Int.self) {
                self = .int(i)
            } else {
                self = .float(try value.decode(Double.self))
            }
        }

        func encode(to encoder: Encoder) throws {
            var value = encoder.singleValueContainer()
            switch self {
            case .int(let i): try value.encode(i)
            case .float(let d): try value.encode(d)
            }
        }
    }
}
