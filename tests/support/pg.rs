//! A throwaway PostgreSQL server for one test: `initdb` into a temporary directory, `pg_ctl
//! start` on a private socket and a free loopback port, stopped and removed when dropped. As
//! root (these machines) the server runs as the `postgres` user through `runuser`.
//!
//! Without PostgreSQL's binaries a test says loudly that it was skipped, unless
//! `MATCHGATE_REQUIRE_POSTGRES` is set (`.ci/run` sets it, after installing them): then it fails.
//!
//! Passwords never reach a command line: each server has its own password file (mode 0600),
//! named in the URLs it hands out (`passfile=`), as libpq's `~/.pgpass` would be.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The superuser's password of every throwaway server (it only listens on loopback).
const ADMIN_PASSWORD: &str = "throwaway-admin";

pub struct PgServer {
    dir: tempfile::TempDir,
    bindir: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// What a server starts with beyond the defaults.
#[derive(Default)]
pub struct ServerOptions {
    /// Certificate and key files: the server then offers TLS.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// A network (e.g. "10.77.0.0/16") whose hosts may connect over TCP with a password: the
    /// server then listens on every address, not only loopback.
    pub network: Option<String>,
}

impl PgServer {
    /// A fresh server, or None (after saying so on stderr) when PostgreSQL is not installed.
    pub fn start(test: &str) -> Option<PgServer> {
        PgServer::start_with(test, &ServerOptions::default())
    }

    pub fn start_with(test: &str, options: &ServerOptions) -> Option<PgServer> {
        let Some(bindir) = bindir() else {
            assert!(
                std::env::var_os("MATCHGATE_REQUIRE_POSTGRES").is_none(),
                "{test}: PostgreSQL's binaries are required (MATCHGATE_REQUIRE_POSTGRES) but not installed"
            );
            eprintln!(
                "\n*** SKIPPED {test}: PostgreSQL's binaries were not found (install Debian's `postgresql` package; .ci/run does) ***\n"
            );
            return None;
        };
        let as_postgres = unsafe { libc::geteuid() } == 0;
        let dir = tempfile::tempdir().expect("server directory");
        if as_postgres {
            chown_to_postgres(dir.path());
        }
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, ADMIN_PASSWORD).expect("password file");
        if as_postgres {
            chown_to_postgres(&pwfile);
        }
        let server = PgServer {
            port: free_port(),
            dir,
            bindir,
            as_postgres,
        };
        server.run_tool(
            "initdb",
            &[
                "-D",
                &server.data(),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                &format!("--pwfile={}", pwfile.display()),
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        );
        let listen = if options.network.is_some() {
            "*"
        } else {
            "127.0.0.1"
        };
        let mut settings = format!(
            "-k {} -p {} -c listen_addresses={listen} -c fsync=off -c max_connections=60",
            server.dir.path().display(),
            server.port
        );
        if let Some(network) = &options.network {
            let hba = server.dir.path().join("data").join("pg_hba.conf");
            let mut rules = std::fs::read_to_string(&hba).expect("pg_hba.conf");
            rules.push_str(&format!("host all all {network} scram-sha-256\n"));
            std::fs::write(&hba, rules).expect("pg_hba.conf");
        }
        if let Some((cert, key)) = &options.tls {
            for file in [cert, key] {
                let copy = server.dir.path().join(file.file_name().expect("file name"));
                std::fs::copy(file, &copy).expect("copy TLS file");
                std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o600))
                    .expect("key mode");
                if as_postgres {
                    chown_to_postgres(&copy);
                }
            }
            let name = |f: &PathBuf| server.dir.path().join(f.file_name().expect("file name"));
            settings.push_str(&format!(
                " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                name(cert).display(),
                name(key).display()
            ));
        }
        let log = server.dir.path().join("log");
        server.run_tool(
            "pg_ctl",
            &[
                "-D",
                &server.data(),
                "-l",
                log.to_str().expect("path"),
                "-w",
                "-o",
                &settings,
                "start",
            ],
        );
        server.write_passfile(&[("postgres", ADMIN_PASSWORD)]);
        Some(server)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The password file the URLs name (owner-only, as libpq requires).
    pub fn passfile(&self) -> PathBuf {
        self.dir.path().join("pgpass")
    }

    /// A `postgres://` URL for `user` on database `db` over TCP, its password from the passfile.
    pub fn url(&self, user: &str, db: &str) -> String {
        self.url_at("127.0.0.1", user, db)
    }

    /// The same, reaching the server at `host` (another host's view of it).
    pub fn url_at(&self, host: &str, user: &str, db: &str) -> String {
        format!(
            "postgres://{user}@{host}:{}/{db}?passfile={}&sslmode=disable",
            self.port,
            self.passfile().display()
        )
    }

    /// Runs SQL as the superuser (over the private socket) on `db`; returns psql's unaligned
    /// output. Panics with psql's message on an error.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = self.run_psql(db, sql).expect("run psql");
        assert!(
            out.status.success(),
            "psql failed on {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim_end().to_string()
    }

    /// The same, for cleaning up: false (never a panic) when it failed.
    pub fn try_psql(&self, db: &str, sql: &str) -> bool {
        self.run_psql(db, sql).is_ok_and(|out| out.status.success())
    }

    fn run_psql(&self, db: &str, sql: &str) -> std::io::Result<std::process::Output> {
        Command::new(self.bindir.join("psql"))
            .args(["-h", self.dir.path().to_str().expect("path")])
            .args(["-p", &self.port.to_string(), "-U", "postgres", "-d", db])
            .args(["-v", "ON_ERROR_STOP=1", "-X", "-At", "-c", sql])
            .output()
    }

    /// A new empty database; returns its name.
    pub fn create_database(&self, name: &str) -> String {
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        name.to_string()
    }

    /// A login role with a password (kept in the passfile).
    pub fn add_login(&self, role: &str, password: &str) {
        self.psql(
            "postgres",
            &format!("CREATE ROLE {role} LOGIN PASSWORD '{password}'"),
        );
        self.write_passfile(&[(role, password)]);
    }

    fn write_passfile(&self, logins: &[(&str, &str)]) {
        let path = self.passfile();
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .expect("passfile");
        for (role, password) in logins {
            // Any host name or address: other hosts reach this server by their own route to it.
            writeln!(file, "*:{}:*:{role}:{password}", self.port).expect("write passfile");
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .expect("passfile mode");
    }

    fn data(&self) -> String {
        self.dir
            .path()
            .join("data")
            .to_str()
            .expect("path")
            .to_string()
    }

    fn run_tool(&self, tool: &str, args: &[&str]) {
        let program = self.bindir.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let out = cmd.args(args).output().expect("run a PostgreSQL tool");
        assert!(
            out.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let data = self.data();
        let program = self.bindir.join("pg_ctl");
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let _ = cmd
            .args(["-D", &data, "-m", "immediate", "-w", "stop"])
            .output();
    }
}

/// Where `initdb` and `pg_ctl` are: MATCHGATE_PG_BINDIR, else Debian's newest
/// `/usr/lib/postgresql/N/bin`.
fn bindir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("MATCHGATE_PG_BINDIR") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn chown_to_postgres(path: &Path) {
    let out = Command::new("chown")
        .arg("postgres")
        .arg(path)
        .output()
        .expect("chown");
    assert!(out.status.success(), "chown postgres {}", path.display());
}
