import ArgumentParser
import Foundation
import Pipeline
import Support

/// Plumbing (hidden from help): put files into a content store, optionally holding a lock
/// and pausing between writing and publishing. The store's multi-process tests drive it;
/// it is also a handy way to seed a cache by hand.
struct StorePutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-put", abstract: "Put files into a content store (plumbing).", shouldDisplay: false)

    @Option(help: "The store's directory.") var cache: String = "artifacts/cache"
    @Option(help: "Hold this lock file while writing.") var lock: String?
    @Flag(help: "After writing the temporary copy, print 'written' and wait for a line on stdin before publishing.")
    var waitBeforePublish = false
    @Argument(help: "Files to store.") var files: [String]

    func run() throws {
        let store = ContentStore(root: URL(fileURLWithPath: cache))
        let held = try lock.map { try FileLock(URL(fileURLWithPath: $0)) }
        defer { withExtendedLifetime(held) {} }
        for path in files {
            let temporary = try store.temporaryFile("put")
            do {
                try FileManager.default.copyItem(at: URL(fileURLWithPath: path), to: temporary)
            } catch {
                throw Failure.badInput("cannot read \(path): \(error.localizedDescription)")
            }
            if waitBeforePublish {
                print("written", temporary.path)
                fflush(stdout)
                _ = readLine()
            }
            print(try store.put(consuming: temporary))
        }
    }
}
