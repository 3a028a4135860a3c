import Foundation

/// The three Slurm commands the driver uses: sbatch, one batched squeue for every active
/// job, one batched scancel. Nothing here reads Slurm's accounting database: a cluster
/// without slurmdbd works, and a busy one is spared.
struct SlurmClient: Sendable {
    struct CommandError: Error, CustomStringConvertible {
        let description: String
    }

    /// Submits a batch script; returns the job id (`--parsable` prints `id[;cluster]`).
    func submit(_ script: URL) throws -> String {
        let result = try Self.run("sbatch", ["--parsable", script.path])
        let id = result.stdout.split(separator: "\n").last.map { String($0.split(separator: ";")[0]) } ?? ""
        guard result.status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw CommandError(
                description:
                    "sbatch \(script.path) failed (exit \(result.status)): "
                    + "\(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        return id
    }

    /// One query for all `ids`. nil when the controller could not be asked: unknown, ask
    /// again later. An id missing from the answer is unknown too (squeue silently drops
    /// purged ids from a multi-id query).
    func states(_ ids: [String]) -> [String: SlurmJobState]? {
        guard !ids.isEmpty else { return [:] }
        guard
            let result = try? Self.run(
                "squeue",
                [
                    "-h", "-t", "all", "-j", ids.joined(separator: ","),
                    "-O", "JobID:|,State:|,exit_code:|,Reason:|",
                ])
        else { return nil }
        // A single purged id makes squeue exit 1 with "Invalid job id"; that is an answer.
        if result.status != 0 && !result.stderr.contains("Invalid job id") { return nil }
        return SlurmJobState.parse(result.stdout)
    }

    /// The job whose comment ends with `submission=TOKEN` (a ledger token), nil when Slurm
    /// knows none; throws when it cannot be asked (so a job is never submitted twice).
    func find(submission: String) throws -> String? {
        guard !submission.isEmpty else { return nil }
        let result = try Self.run("squeue", ["-h", "-t", "all", "--me", "-o", "%i|%k"])
        guard result.status == 0 else {
            throw CommandError(
                description:
                    "squeue failed (exit \(result.status)): "
                    + "\(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)); cannot tell whether an "
                    + "earlier run submitted a job, so none is submitted: rerun when Slurm answers"
            )
        }
        return result.stdout.split(separator: "\n").first { $0.hasSuffix(",submission=\(submission)") }
            .map { String($0.split(separator: "|")[0]) }
    }

    /// Cancels `ids` in batches of 100 per scancel call; returns the ids it could not cancel.
    @discardableResult
    func cancel(_ ids: [String]) -> [String] {
        var failed: [String] = []
        for start in stride(from: 0, to: ids.count, by: 100) {
            let batch = Array(ids[start..<min(start + 100, ids.count)])
            let result = try? Self.run("scancel", batch)
            if result?.status != 0 { failed += batch }
        }
        return failed
    }

    /// Runs a Slurm command found on PATH and collects its output.
    static func run(_ command: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw CommandError(
                description:
                    "cannot run \(command): \(error.localizedDescription) (is Slurm's client installed and on PATH?)")
        }
        // Read stderr on another thread so neither pipe can fill up and block the child.
        let errorData = ErrorOutput()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { errorData.data = err.fileHandleForReading.readDataToEndOfFile() }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        group.wait()
        return (
            process.terminationStatus, String(decoding: output, as: UTF8.self),
            String(decoding: errorData.data, as: UTF8.self)
        )
    }
}

/// stderr of a Slurm command, filled by the reading thread before `group.wait()` returns.
private final class ErrorOutput: @unchecked Sendable {
    var data = Data()
}
