import Foundation

/// A second name for a file's bytes: a hard link where the file system allows one (the
/// work directory and the cache share one; a 0.55 GB checkpoint is not copied), else a copy.
public enum HardLink {
    public static func make(_ source: URL, at target: URL) throws {
        do {
            try FileManager.default.linkItem(at: source, to: target)
        } catch {
            try FileManager.default.copyItem(at: source, to: target)
        }
    }
}
