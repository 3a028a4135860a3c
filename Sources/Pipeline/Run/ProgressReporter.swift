import Foundation

/// What a running stage tells the user: a short status ("epoch 3/200, 512 img/s") and,
/// when it knows, the fraction done, from which the display derives the ETA. Also the
/// stage's log file.
public final class ProgressReporter: @unchecked Sendable {
    public let stage: String
    let started = Date()
    private let lock = NSLock()
    private var message = "starting"
    private var fraction: Double?
    /// The stage's log, `artifacts/logs/<stage>.log`, emptied when the stage starts.
    public let logFile: URL?
    /// Where `announce` prints a permanent console line (the run's progress display).
    private let console: (String) -> Void

    init(stage: String, logFile: URL?, console: @escaping (String) -> Void = { _ in }) {
        self.stage = stage
        self.logFile = logFile
        self.console = console
        if let logFile {
            try? FileManager.default.createDirectory(
                at: logFile.deletingLastPathComponent(), withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
    }

    /// Sets the status line; `fraction` in 0...1 when the stage knows how far it is.
    public func update(_ message: String, fraction: Double? = nil) {
        lock.withLock {
            self.message = message
            self.fraction = fraction.map { min(1, max(0, $0)) }
        }
    }

    /// Appends a line to the stage's log file.
    public func log(_ line: String) {
        guard let logFile, let handle = try? FileHandle(forWritingTo: logFile) else { return }
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
    }

    /// Appends a line to the log and prints it on the console as "<stage>: <line>": for
    /// what a user must not miss (training resumed from a saved epoch after a crash).
    public func announce(_ line: String) {
        log(line)
        console("\(stage): \(line)")
    }

    /// "teacher: epoch 3/200, 512 img/s [1.5%, 2m10s, ETA 2h3m]"
    func line(now: Date = Date()) -> String {
        let (message, fraction) = lock.withLock { (self.message, self.fraction) }
        let elapsed = now.timeIntervalSince(started)
        var status = Duration.text(elapsed)
        if let fraction, fraction > 0.001 {
            let eta = elapsed / fraction * (1 - fraction)
            status = String(format: "%.1f%%, ", fraction * 100) + status + ", ETA " + Duration.text(eta)
        }
        return "\(stage): \(message) [\(status)]"
    }
}

/// Human durations: "0.4s", "12s", "3m05s", "2h03m".
public enum Duration {
    public static func text(_ seconds: Double) -> String {
        if seconds < 10 { return String(format: "%.1fs", seconds) }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }
}
