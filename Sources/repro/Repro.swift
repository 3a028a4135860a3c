import ArgumentParser
import Foundation

/// The `repro` command line (contract: ../shared/DESIGN.md, "Command line").
/// Exit codes: 0 success, 1 a stage or check failed, 2 bad usage or bad input.
struct Repro: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repro",
        abstract: "Regenerate the tables of \"An Improvement on the Bag of Tricks for Image Classification with CNNs\" as a cached, content-addressed DAG of stages.",
        subcommands: [
            AllCommand.self, StageCommand.self, StatusCommand.self, DagCommand.self,
            VerifyCommand.self, GcCommand.self, BenchCommand.self, ParityCommand.self,
            StorePutCommand.self, RunKeyCommand.self,
        ])
}

@main
enum Main {
    static func main() {
        do {
            var command = try Repro.parseAsRoot()
            try CPUCheck.verify()
            try command.run()
        } catch let failure as Failure {
            FileHandle.standardError.write(Data("repro: \(failure.message)\n".utf8))
            exit(failure.code)
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
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
