import Foundation

/// The credentials of an HTTP remote, first found wins:
///
/// 1. a user and password in the `--remote` URL given on the command line;
/// 2. `REPRO_REMOTE_TOKEN` (sent as `Authorization: Bearer TOKEN`);
/// 3. `REPRO_REMOTE_USER` and `REPRO_REMOTE_PASSWORD` (HTTP basic);
/// 4. the `machine` entry of `~/.netrc` (`$NETRC` if set) for the remote's host (HTTP basic).
///
/// Never from pipeline.yaml or the lock (`RemoteURL` refuses them there), and never
/// printed: messages name the remote by its redacted URL.
struct RemoteCredentials {
    /// The `Authorization` header's value; nil: no credentials.
    let authorization: String?

    init(url: RemoteURL, environment: [String: String]) throws {
        if let user = url.user {
            authorization = Self.basic(user: user, password: url.password ?? "")
        } else if let token = environment["REPRO_REMOTE_TOKEN"], !token.isEmpty {
            authorization = "Bearer \(token)"
        } else if let user = environment["REPRO_REMOTE_USER"], !user.isEmpty {
            guard let password = environment["REPRO_REMOTE_PASSWORD"] else {
                throw PipelineError.badInput("REPRO_REMOTE_USER is set but REPRO_REMOTE_PASSWORD is not")
            }
            authorization = Self.basic(user: user, password: password)
        } else if let host = url.host, let login = Netrc.load(environment: environment)?.login(for: host) {
            authorization = Self.basic(user: login.user, password: login.password)
        } else {
            authorization = nil
        }
    }

    private static func basic(user: String, password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }
}
