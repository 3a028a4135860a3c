import Foundation

/// Shows the running stages on stderr: on a terminal, a live line per stage redrawn in
/// place; otherwise a plain line per stage every `plainInterval` seconds, so CI logs stay
/// readable. Finished-stage lines go through `emit` so they never tear the live block.
final class ProgressDisplay: @unchecked Sendable {
    private let lock = NSCondition()
    private var running: [ProgressReporter] = []
    private var drawnLines = 0
    private var stopped = false
    private let live: Bool
    private let quiet: Bool
    private let plainInterval: Double

    init(quiet: Bool = false, plainInterval: Double = 30) {
        self.live = isatty(STDERR_FILENO) == 1
        self.quiet = quiet
        self.plainInterval = plainInterval
        guard !quiet else { return }
        let thread = Thread { [self] in loop() }
        thread.start()
    }

    func add(_ reporter: ProgressReporter) {
        lock.withLock { running.append(reporter) }
    }

    func remove(_ reporter: ProgressReporter) {
        lock.withLock {
            running.removeAll { $0 === reporter }
        }
    }

    /// A permanent line (a stage finished or failed).
    func emit(_ line: String) {
        guard !quiet else { return }
        lock.withLock {
            clear()
            write(line + "\n")
            draw()
        }
    }

    func stop() {
        lock.withLock {
            stopped = true
            clear()
            lock.broadcast()
        }
    }

    private func loop() {
        lock.lock()
        defer { lock.unlock() }
        var lastPlain = Date()
        while !stopped {
            _ = lock.wait(until: Date().addingTimeInterval(live ? 0.25 : 1))
            if stopped { break }
            if live {
                clear()
                draw()
            } else if Date().timeIntervalSince(lastPlain) >= plainInterval {
                lastPlain = Date()
                for reporter in running { write(reporter.line() + "\n") }
            }
        }
    }

    // Called with the lock held.
    private func draw() {
        guard live else { return }
        let width = max(20, terminalWidth() - 1)
        let lines = running.map { String($0.line().prefix(width)) }
        for line in lines { write(line + "\n") }
        drawnLines = lines.count
    }

    private func clear() {
        guard live, drawnLines > 0 else { return }
        write(String(repeating: "\u{1B}[1A\u{1B}[2K", count: drawnLines))
        drawnLines = 0
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    private func terminalWidth() -> Int {
        var size = winsize()
        return ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    }
}
