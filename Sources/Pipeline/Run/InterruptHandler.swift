import Foundation

/// Ctrl-C handling for a run: the first SIGINT (or SIGTERM) asks the running stages to
/// stop and starts nothing new; the second exits at once (130). Either way the store and
/// the lock stay valid: they are only ever changed by atomic renames.
public final class InterruptHandler: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "repro.interrupts")
    private var count = 0

    public init(onFirst: @escaping @Sendable () -> Void) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in
                count += 1
                if count > 1 { exit(130) }
                FileHandle.standardError.write(
                    Data("\nstopping: waiting for running stages to save their state (Ctrl-C again to abort)\n".utf8))
                onFirst()
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        sources.forEach { $0.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
