import Foundation

/// Shell-style patterns over stage names (`*_eval`, `baseline@seed=?`), as `fnmatch` reads them.
enum Glob {
    static func isPattern(_ text: String) -> Bool {
        text.contains { "*?[".contains($0) }
    }

    static func matches(_ pattern: String, _ name: String) -> Bool {
        fnmatch(pattern, name, 0) == 0
    }
}
