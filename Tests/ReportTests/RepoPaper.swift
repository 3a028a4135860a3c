import Foundation

@testable import Report

/// The committed paper file (artifacts/paper/paper_tables.yaml), as the table and report
/// stages read it: the tests check the real numbers and claims, not a copy of them.
enum RepoPaper {
    static let name = "artifacts/paper/paper_tables.yaml"
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(name)
    // A broken committed file fails every test that uses it, with the reader's message.
    static let paper: Paper = {
        do { return try Paper.load(file, name: name) } catch { fatalError("\(error)") }
    }()

    static func table(_ id: String) -> PaperTable {
        guard let table = paper.table(id) else { fatalError("\(name) has no \(id)") }
        return table
    }
}
