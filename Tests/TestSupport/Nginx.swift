import Foundation

/// A real nginx for the remote-cache tests: WebDAV PUT (`dav_methods PUT`,
/// `create_full_put_path on`) on a scratch directory, on a free loopback port, in the
/// foreground (`daemon off`) with its pid file, logs and temporary paths in the scratch
/// directory. Started by the test, stopped by it by PID (`stop`, or when released).
/// With `login`, every request needs HTTP basic auth (an apr1 htpasswd from openssl).
public final class Nginx: @unchecked Sendable {
    /// What `/cache/…` serves: `cas/` and `ac/` appear here.
    public let served: URL
    public let port: Int
    private let directory: URL
    private let process = Process()

    /// The remote's URL: `http://127.0.0.1:PORT/cache`.
    public var url: String { "http://127.0.0.1:\(port)/cache" }

    public init(in directory: URL, login: (user: String, password: String)? = nil) throws {
        self.directory = directory
        served = directory.appendingPathComponent("www/cache")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        for temp in ["body", "proxy", "fastcgi", "uwsgi", "scgi"] {
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent(temp), withIntermediateDirectories: true)
        }
        port = try Self.freePort()
        var auth = ""
        if let login {
            let hash = try TestProcess.program("openssl", ["passwd", "-apr1", login.password], separateErrors: true)
            guard hash.status == 0 else { throw NginxError("openssl passwd failed: \(hash.errors)") }
            let line = "\(login.user):\(hash.output.trimmingCharacters(in: .whitespacesAndNewlines))\n"
            try line.write(to: directory.appendingPathComponent("htpasswd"), atomically: true, encoding: .utf8)
            auth = "auth_basic \"repro\";\n            auth_basic_user_file \(directory.path)/htpasswd;"
        }
        let conf = directory.appendingPathComponent("nginx.conf")
        try config(auth: auth).write(to: conf, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", directory.path, "-c", conf.path, "-e", directory.path + "/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitUntilListening()
    }

    deinit { stop() }

    /// Fast shutdown (SIGTERM to the master, which stops its workers), then waits for it.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    /// The served file of a remote path (`cas/<sha>`, `ac/<key>`).
    public func file(_ path: String) -> URL { served.appendingPathComponent(path) }

    private func config(auth: String) -> String {
        let user = getuid() == 0 ? "user root;\n" : ""
        return """
            \(user)daemon off;
            worker_processes 1;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/error.log;
            events { worker_connections 64; }
            http {
                access_log \(directory.path)/access.log;
                client_body_temp_path \(directory.path)/body;
                proxy_temp_path \(directory.path)/proxy;
                fastcgi_temp_path \(directory.path)/fastcgi;
                uwsgi_temp_path \(directory.path)/uwsgi;
                scgi_temp_path \(directory.path)/scgi;
                client_max_body_size 0;
                server {
                    listen 127.0.0.1:\(port);
                    root \(directory.path)/www;
                    location /cache/ {
                        dav_methods PUT;
                        create_full_put_path on;
                        dav_access user:rw group:r all:r;
                        \(auth)
                    }
                }
            }

            """
    }

    /// Polls the port (every 20 ms, for at most 10 s) until nginx accepts connections.
    private func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard process.isRunning else {
                let log =
                    (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
                throw NginxError("nginx exited at start: \(log)")
            }
            if Self.accepts(port) { return }
            usleep(20_000)
        }
        stop()
        throw NginxError("nginx did not listen on port \(port) within 10 s")
    }

    /// A port the kernel says is free now (bound to port 0, then released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw NginxError("socket failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw NginxError("cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}

public struct NginxError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
