import Foundation

/// `~/.netrc` as curl and ftp read it: `machine HOST login USER password SECRET` entries
/// (and one `default` entry), tokens separated by any whitespace; `macdef` bodies run to
/// the next blank line and are skipped.
struct Netrc {
    struct Login: Equatable {
        let user: String
        let password: String
    }

    private var machines: [String: Login] = [:]
    private var fallback: Login?

    init(text: String) {
        // Each entry: its machine (nil for `default`), then its fields.
        var entries: [(machine: String?, fields: [String: String])] = []
        var tokens = Self.tokens(text)[...]
        while let token = tokens.popFirst() {
            switch token {
            case "machine": entries.append((tokens.popFirst() ?? "", [:]))
            case "default": entries.append((nil, [:]))
            case "login", "password", "account":
                guard !entries.isEmpty, let value = tokens.popFirst() else { continue }
                entries[entries.count - 1].fields[token] = value
            default: break
            }
        }
        for entry in entries {
            guard let user = entry.fields["login"], let password = entry.fields["password"] else { continue }
            let login = Login(user: user, password: password)
            if let machine = entry.machine {
                if machines[machine] == nil { machines[machine] = login }
            } else if fallback == nil {
                fallback = login
            }
        }
    }

    /// `$HOME/.netrc` (or `$NETRC`), if there is one.
    static func load(environment: [String: String]) -> Netrc? {
        let path =
            environment["NETRC"]
            ?? environment["HOME"].map { $0 + "/.netrc" } ?? NSHomeDirectory() + "/.netrc"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Netrc(text: text)
    }

    func login(for host: String) -> Login? {
        machines[host] ?? fallback
    }

    /// Whitespace-separated tokens, `macdef` bodies left out.
    private static func tokens(_ text: String) -> [String] {
        var result: [String] = []
        var inMacro = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            if inMacro {
                if words.isEmpty { inMacro = false }
                continue
            }
            if let macro = words.firstIndex(of: "macdef") {
                result += words[..<macro]
                inMacro = true
                continue
            }
            result += words
        }
        return result
    }
}
