import Foundation
import XCTest

@testable import Pipeline

/// `remote:` in pipeline.yaml and a profile's choice, `--remote NAME|URL`, and where
/// credentials may come from (never the file).
final class RemoteSpecTests: XCTestCase {
    private let stages = "stages:\n  a: {kind: cmd, params: {run: 'true > $OUT/x', outputs: [x]}}\n"

    private func load(_ yaml: String, profile: String = "paper") throws -> PipelineDefinition {
        let sandbox = try Sandbox(yaml: stages + yaml)
        return try sandbox.load(profile: profile)
    }

    private func error(_ yaml: String, profile: String = "paper") throws -> String {
        try Sandbox.loadError(stages + yaml, kinds: [CmdKind()], profile: profile, file: #filePath, line: #line)
    }

    func testTheProfilesRemoteIsTheDefault() throws {
        let yaml = """
            remote: {origin: "https://cache.example.org/repro/", lab: "file:///srv/cache"}
            profiles:
              smoke: {remote: lab}
              quick: {extends: smoke}
            """
        XCTAssertEqual(try load(yaml, profile: "quick").remotes.resolve(nil).description, "file:///srv/cache")
        XCTAssertEqual(try load(yaml).remotes.resolve("origin").description, "https://cache.example.org/repro")
        XCTAssertEqual(try load(yaml).remotes.resolve("file:///tmp/x").description, "file:///tmp/x")
        XCTAssertThrowsError(try load(yaml).remotes.resolve(nil)) {
            XCTAssertTrue("\($0)".contains("which remote?"), "\($0)")
        }
        XCTAssertThrowsError(try load(yaml).remotes.resolve("orign")) {
            XCTAssertTrue("\($0)".contains("no remote named 'orign'; did you mean origin?"), "\($0)")
        }
        let only = try load("remote: {origin: \"http://127.0.0.1:8080/c\"}\n")
        XCTAssertEqual(try only.remotes.resolve(nil).description, "http://127.0.0.1:8080/c")
    }

    func testBadRemotesFailAtTheirLine() throws {
        XCTAssertEqual(
            try error("remote: {origin: \"file:///x\"}\nprofiles:\n  smoke: {remote: orgin}\n", profile: "smoke"),
            "pipeline.yaml:5:19: unknown remote 'orgin'; did you mean origin? (the remote: mapping names: origin)")
        XCTAssertEqual(
            try error("remote: {origin: \"https://bob:hunter2@cache.example.org/r\"}\n"),
            "pipeline.yaml:3:18: remote 'origin': 'https://***@cache.example.org/r' holds credentials; pipeline.yaml "
                + "must not: put them in ~/.netrc or REPRO_REMOTE_USER and REPRO_REMOTE_PASSWORD (or "
                + "REPRO_REMOTE_TOKEN)"
        )
        XCTAssertTrue(try error("remote: {origin: \"s3://bucket/x\"}\n").contains("unsupported remote scheme 's3:'"))
        XCTAssertTrue(try error("remote: {origin: \"file://relative/x\"}\n").contains("needs an absolute path"))
    }

    func testCredentialsFromTheURLTheEnvironmentOrNetrc() throws {
        let url = try RemoteURL(parsing: "https://cache.example.org/r", allowCredentials: false)
        let netrc = FileManager.default.temporaryDirectory.appendingPathComponent("netrc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: netrc) }
        try "machine other.org login x password y\nmachine cache.example.org\n  login alice\n  password pw\n".write(
            to: netrc, atomically: true, encoding: .utf8)
        let basic = "Basic " + Data("alice:pw".utf8).base64EncodedString()
        XCTAssertEqual(try RemoteCredentials(url: url, environment: ["NETRC": netrc.path]).authorization, basic)
        XCTAssertEqual(
            try RemoteCredentials(url: url, environment: ["NETRC": netrc.path, "REPRO_REMOTE_TOKEN": "t"])
                .authorization, "Bearer t")
        XCTAssertNil(try RemoteCredentials(url: url, environment: ["NETRC": "/nonexistent"]).authorization)
        let inline = try RemoteURL(parsing: "https://alice:pw@cache.example.org/r", allowCredentials: true)
        XCTAssertEqual(try RemoteCredentials(url: inline, environment: [:]).authorization, basic)
        XCTAssertEqual(inline.description, "https://cache.example.org/r", "never shown")
        XCTAssertEqual(
            Netrc(text: "default login d password e").login(for: "any"), Netrc.Login(user: "d", password: "e"))
    }
}
