import ArgumentParser
import Foundation
import Pipeline

/// The `repro` command line (contract: ../shared/DESIGN.md, "Command line").
/// Exit codes: 0 success, 1 a stage or check failed, 2 bad usage or bad input.
struct Repro: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repro",
        abstract:
            "Regenerate the tables of \"An Improvement on the Bag of Tricks for Image Classification with CNNs\" as "
            + "a cached, content-addressed DAG of stages.",
        subcommands: [
            AllCommand.self, StageCommand.self, StatusCommand.self, DagCommand.self,
            VerifyCommand.self, AuditCommand.self, GcCommand.self, PushCommand.self, PullCommand.self,
            BenchCommand.self, ParityCommand.self,
            StorePutCommand.self, RunKeyCommand.self,
        ])
}

@main
enum Main {
    static func main() {
        // A write past a file-size limit (ulimit -f) then fails with EFBIG, reported with
        // the file's name like any refused write, instead of killing repro mid-write.
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try Repro.parseAsRoot()
            if command is KernelCommand { try CPUCheck.verify() }
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let error as any ClassifiedError {
            // The one place errors become exit codes (contract: 2 bad input, 1 failure).
            FileHandle.standardError.write(Data("repro: \(error)\n".utf8))
            exit(error.isBadInput ? 2 : 1)
        } catch {
            let code = Repro.exitCode(for: error)
            let message = Repro.fullMessage(for: error)
            if code == .success {
                print(message)
                exit(0)
            }
            if !message.isEmpty { FileHandle.standardError.write(Data("\(message)\n".utf8)) }
            // ArgumentParser uses 64 (EX_USAGE) for usage errors; the contract says 2.
            exit(code.rawValue == 1 ? 1 : 2)
        }
    }
}
