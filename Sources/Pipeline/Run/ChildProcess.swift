import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a shell command so that nothing outlives repro: the child gets its own process
/// group and SIGTERM when repro dies (`PR_SET_PDEATHSIG`, even on `kill -9`), and a
/// supervising shell turns that SIGTERM into a SIGKILL of the whole group, grandchildren
/// included. Output goes to a log file; stdin is /dev/null.
enum ChildProcess {
    // prctl is variadic in C, so Swift cannot call it directly; this is its fixed-argument
    // form, looked up once.
    private typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
    private static let prctl: Prctl? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl").map {
        unsafeBitCast($0, to: Prctl.self)
    }
    private static let setDeathSignal: Int32 = 1  // PR_SET_PDEATHSIG

    private static let supervisor = """
        trap 'trap - TERM; kill -KILL 0' TERM HUP INT
        /bin/sh -ec "$REPRO_COMMAND" &
        wait $!
        """

    /// The command's exit status (128 + signal when it was killed).
    static func run(
        _ command: String, directory: URL, environment: [String: String], log: URL,
        isCancelled: () -> Bool
    ) throws -> Int32 {
        var env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        env["REPRO_COMMAND"] = command
        let arguments: [String] = ["/bin/sh", "-c", supervisor]
        // Every C string the child needs is made here: after fork() in a multi-threaded
        // process only async-signal-safe calls are allowed, and building a Swift String
        // (or bridging one to C) may allocate or take a lock another thread held.
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        let workingDirectory = strdup(directory.path)
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
            free(workingDirectory)
        }
        guard let shell = argv[0], let workingDirectory else {
            throw PipelineError.failed("out of memory starting \(command)")
        }
        let logFD = open(log.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard logFD >= 0 else {
            throw PipelineError.failed("cannot open the log \(log.path): \(String(cString: strerror(errno)))")
        }
        defer { close(logFD) }
        let nullFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(nullFD) }
        let parent = getpid()
        let prctl = self.prctl
        // repro ignores SIGINT/SIGTERM while it runs (InterruptHandler), and SIGXFSZ always
        // (Main); dispositions set to "ignore" survive exec: the supervisor must get them
        // back, or its trap (and so the death signal) would not work, and the command
        // would not see the signals it expects.
        var noSignalsBlocked = sigset_t()
        sigemptyset(&noSignalsBlocked)

        // Between fork and exec only async-signal-safe calls: everything is prepared above.
        let pid = fork()
        if pid == 0 {
            _ = prctl?(setDeathSignal, UInt(SIGTERM), 0, 0, 0)
            if getppid() != parent { _exit(127) }  // repro died before prctl took effect
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
            signal(SIGHUP, SIG_DFL)
            signal(SIGXFSZ, SIG_DFL)
            sigprocmask(SIG_SETMASK, &noSignalsBlocked, nil)
            setpgid(0, 0)
            if chdir(workingDirectory) != 0 { _exit(126) }
            dup2(nullFD, 0)
            dup2(logFD, 1)
            dup2(logFD, 2)
            execve(shell, argv, envp)
            _exit(127)
        }
        guard pid > 0 else { throw PipelineError.failed("cannot start /bin/sh: \(String(cString: strerror(errno)))") }

        var status: Int32 = 0
        var pause: UInt32 = 1000
        var signalled = false
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR { throw PipelineError.failed("waitpid: \(String(cString: strerror(errno)))") }
            if !signalled && isCancelled() {
                kill(-pid, SIGTERM)
                signalled = true
            }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
