import Foundation
import Yams

/// The remotes pipeline.yaml names (`remote:` at the top level, a name → URL) and the one
/// the profile chain chooses (`remote: NAME` in a profile). Credentials never live here:
/// a URL with a user or password in it is refused at its line (`RemoteURL`).
///
/// ```yaml
/// remote:
///   origin: https://cache.example.org/bag-of-tricks
///   lab: file:///srv/repro-cache
/// profiles:
///   smoke: {remote: lab}
/// ```
public struct RemoteSpec: Sendable {
    /// Name → URL, as written.
    public var named: [String: RemoteURL] = [:]
    /// The profile chain's choice, if any profile made one.
    public var chosen: String?

    public init(named: [String: RemoteURL] = [:], chosen: String? = nil) {
        self.named = named
        self.chosen = chosen
    }

    /// What `--remote NAME|URL` (or, without it, the profile's choice, else the only remote
    /// declared) stands for. Exit 2 when nothing says which remote.
    public func resolve(_ argument: String?) throws -> RemoteURL {
        if let argument {
            if let url = named[argument] { return url }
            guard argument.contains("://") else {
                throw PipelineError.badInput(
                    "no remote named '\(argument)'\(NearestName.hint(argument, among: named.keys.sorted())); give a "
                        + "name from the remote: mapping of pipeline.yaml or a URL (file:///path, https://host/prefix)")
            }
            return try RemoteURL(parsing: argument, allowCredentials: true)
        }
        if let chosen, let url = named[chosen] { return url }
        if named.count == 1, let only = named.values.first { return only }
        throw PipelineError.badInput(
            "which remote? give --remote NAME|URL, or name one in pipeline.yaml (remote: {origin: URL}) and choose it "
                + "in the profile (remote: origin)")
    }
}

extension PipelineFile.Reader {
    /// The top-level `remote:` mapping.
    func remotes(_ entry: PipelineFile.Entry) throws -> [String: RemoteURL] {
        var named: [String: RemoteURL] = [:]
        for remote in try entries(entry.value, what: "'remote' (a mapping of names to URLs)") {
            let text = try scalar(remote.value, what: "a URL (file:///path or https://host/prefix)")
            do {
                named[remote.key] = try RemoteURL(parsing: text, allowCredentials: false)
            } catch let error as PipelineError {
                throw PipelineError.spec(location(remote.value.mark), "remote '\(remote.key)': \(error)")
            }
        }
        return named
    }

    /// `remote: NAME` in a profile.
    func remoteChoice(_ entry: PipelineFile.Entry) throws -> (name: String, location: SourceLocation) {
        (try scalar(entry.value, what: "the name of a remote"), location(entry.value.mark))
    }
}
