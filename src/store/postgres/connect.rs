//! Connecting to a PostgreSQL server from a `postgres://` URL, the way libpq would: defaults
//! from PG* environment variables, passwords only from a password file (or PGPASSWORD), and TLS
//! whose certificate is always verified.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio_postgres_rustls::MakeRustlsConnect;

use super::pgpass::{self, PassKey};
use super::tls::{self, SslMode, TlsPlan};
use super::url::{self, PASSWORD_ADVICE, refused};
use crate::store::{StoreError, StoreResult};

/// Where libpq looks for the server when no host is given (Debian's socket directory).
const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";
const DEFAULT_PORT: u16 = 5432;
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The URL parameters understood; any other is refused rather than silently ignored.
const KNOWN_PARAMS: [&str; 9] = [
    "host",
    "port",
    "user",
    "dbname",
    "sslmode",
    "sslrootcert",
    "passfile",
    "connect_timeout",
    "application_name",
];

/// Whether a --db value names a PostgreSQL server rather than a SQLite file.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// Where the server is: a TCP host name or address, or a Unix socket directory.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    Tcp(String),
    Socket(PathBuf),
}

/// A server, database and role to connect to, with every default filled in.
pub struct PgTarget {
    host: Host,
    port: u16,
    user: String,
    dbname: String,
    application_name: String,
    connect_timeout: Option<Duration>,
    sslmode: SslMode,
    tls: TlsPlan,
    /// None when there is no home directory to hold `~/.pgpass` and none was named.
    passfile: Option<PathBuf>,
    /// PGPASSWORD, the last resort after the password file.
    env_password: Option<String>,
    display: String,
}

/// Never the password: a target is printed in errors and logs.
impl std::fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PgTarget").field(&self.display).finish()
    }
}

/// What `parse` reads from outside the URL; tests build one instead of touching the process's.
pub(super) struct Environment {
    pub vars: HashMap<String, String>,
    pub home: Option<PathBuf>,
    pub login: Option<String>,
}

impl Environment {
    fn of_process() -> Environment {
        let names = [
            "PGHOST",
            "PGPORT",
            "PGUSER",
            "PGDATABASE",
            "PGSSLMODE",
            "PGSSLROOTCERT",
            "PGPASSFILE",
            "PGPASSWORD",
            "PGCONNECT_TIMEOUT",
            "PGAPPNAME",
        ];
        Environment {
            vars: names
                .iter()
                .filter_map(|n| Some((n.to_string(), std::env::var(n).ok()?)))
                .collect(),
            home: dirs::home_dir(),
            login: crate::login::login_name(),
        }
    }

    /// An empty variable counts as unset.
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).filter(|v| !v.is_empty()).cloned()
    }

    /// A file in the home directory; none without a home (never one in the working directory).
    fn in_home(&self, file: &str) -> Option<PathBuf> {
        self.home.as_ref().map(|home| home.join(file))
    }
}

impl PgTarget {
    /// Reads a `postgres://` URL, filling what it leaves out from the environment as libpq does.
    pub fn parse(url: &str) -> StoreResult<PgTarget> {
        PgTarget::parse_in(url, &Environment::of_process())
    }

    pub(super) fn parse_in(url: &str, env: &Environment) -> StoreResult<PgTarget> {
        let mut parts = url::split(url)?;
        let mut params: HashMap<String, String> = HashMap::new();
        for (name, value) in std::mem::take(&mut parts.params) {
            if name == "password" {
                return Err(refused(&format!(
                    "the URL holds a password (password=); {PASSWORD_ADVICE}"
                )));
            }
            if !KNOWN_PARAMS.contains(&name.as_str()) {
                return Err(refused(&format!(
                    "unknown parameter `{name}`; matchgate understands {}",
                    KNOWN_PARAMS.join(", ")
                )));
            }
            params.insert(name, value);
        }
        // A parameter overrides the same part written in the URL, as in libpq.
        let pick = |param: &str, part: Option<String>, var: &str| {
            params.get(param).cloned().or(part).or_else(|| env.var(var))
        };
        let host = match pick("host", parts.host.take(), "PGHOST") {
            None => Host::Socket(PathBuf::from(DEFAULT_SOCKET_DIR)),
            Some(h) if h.contains(',') => {
                return Err(refused(
                    "several hosts are named; matchgate connects to one",
                ));
            }
            Some(h) if h.starts_with('/') => Host::Socket(PathBuf::from(h)),
            Some(h) => Host::Tcp(h),
        };
        let port = match pick("port", parts.port.take(), "PGPORT") {
            None => DEFAULT_PORT,
            Some(p) => p
                .parse()
                .map_err(|_| refused(&format!("the port `{p}` is not a port number")))?,
        };
        let user = pick("user", parts.user.take(), "PGUSER")
            .or_else(|| env.login.clone())
            .ok_or_else(|| refused("no user: name one (postgres://user@host/db or PGUSER)"))?;
        let dbname = pick("dbname", parts.dbname.take(), "PGDATABASE").unwrap_or(user.clone());
        let sslmode_text = pick("sslmode", None, "PGSSLMODE").unwrap_or("prefer".into());
        let sslmode = SslMode::parse(&sslmode_text).ok_or_else(|| {
            refused(&format!(
                "sslmode `{sslmode_text}` is not one of disable, allow, prefer, require, \
                 verify-ca, verify-full"
            ))
        })?;
        let tls = match &host {
            // No TLS over a Unix socket: the server does not offer it and libpq ignores sslmode.
            Host::Socket(_) => TlsPlan::Plain,
            Host::Tcp(_) => {
                let roots = root_cert(pick("sslrootcert", None, "PGSSLROOTCERT"), env)?;
                tls::plan(sslmode, roots.as_deref()).map_err(|m| refused(&m))?
            }
        };
        let connect_timeout = match pick("connect_timeout", None, "PGCONNECT_TIMEOUT") {
            None => Some(DEFAULT_CONNECT_TIMEOUT),
            Some(t) => match t.trim().parse::<i64>() {
                // 0 (or less) waits as long as it takes, as in libpq.
                Ok(secs) if secs <= 0 => None,
                Ok(secs) => Some(Duration::from_secs(secs.unsigned_abs())),
                Err(_) => {
                    return Err(refused(&format!(
                        "connect_timeout `{t}` is not a whole number of seconds"
                    )));
                }
            },
        };
        let passfile = pick("passfile", None, "PGPASSFILE")
            .map(PathBuf::from)
            .or_else(|| env.in_home(".pgpass"));
        let mut target = PgTarget {
            host,
            port,
            user,
            dbname,
            application_name: pick("application_name", None, "PGAPPNAME")
                .unwrap_or("matchgate".into()),
            connect_timeout,
            sslmode,
            tls,
            passfile,
            env_password: env.var("PGPASSWORD"),
            display: String::new(),
        };
        target.display = target.render();
        Ok(target)
    }

    /// The URL as safe to print: no password, no passfile contents.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The role it connects as.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Opens a connection; a refusal carries the server's own reason.
    pub fn connect(&self) -> StoreResult<postgres::Client> {
        let mut config = postgres::Config::new();
        match &self.host {
            Host::Tcp(name) => config.host(name),
            Host::Socket(dir) => config.host_path(dir),
        };
        config
            .port(self.port)
            .user(&self.user)
            .dbname(&self.dbname)
            .application_name(&self.application_name);
        if let Some(timeout) = self.connect_timeout {
            config.connect_timeout(timeout);
        }
        // A pulled cable must end in an error, not a screen hanging on a write for the kernel's
        // fifteen minutes: unacknowledged data gives up after 20 s, an idle link is probed.
        config
            .tcp_user_timeout(Duration::from_secs(20))
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30));
        let password = self.password();
        if let Some(password) = &password {
            config.password(password);
        }
        let connected = match &self.tls {
            TlsPlan::Plain => {
                config.ssl_mode(postgres::config::SslMode::Disable);
                config.connect(postgres::NoTls)
            }
            TlsPlan::Verified {
                roots,
                required,
                check_name,
            } => {
                config.ssl_mode(if *required {
                    postgres::config::SslMode::Require
                } else {
                    postgres::config::SslMode::Prefer
                });
                let tls = tls::client_config(roots, *check_name).map_err(|d| self.server(d))?;
                config.connect(MakeRustlsConnect::new(tls))
            }
        };
        connected.map_err(|err| self.server(self.explain(&err, password.is_some())))
    }

    /// From the password file, else PGPASSWORD; None lets trust or peer authentication work.
    fn password(&self) -> Option<String> {
        let host = match &self.host {
            Host::Tcp(name) => name.clone(),
            // libpq looks up the default socket directory as `localhost`, others by their path.
            Host::Socket(dir) if dir == Path::new(DEFAULT_SOCKET_DIR) => "localhost".into(),
            Host::Socket(dir) => dir.display().to_string(),
        };
        let key = PassKey {
            host: &host,
            port: self.port,
            dbname: &self.dbname,
            user: &self.user,
        };
        let from_file = self
            .passfile
            .as_deref()
            .and_then(|f| pgpass::password_from(f, &key));
        from_file.or_else(|| self.env_password.clone())
    }

    fn server(&self, detail: String) -> StoreError {
        StoreError::Server {
            target: self.display.clone(),
            detail,
        }
    }

    /// `postgres://user@host:port/db?sslmode=…`, reading back to the same target.
    fn render(&self) -> String {
        let user = url::encode(&self.user, &[]);
        let db = url::encode(&self.dbname, &[]);
        let mode = self.sslmode.name();
        match &self.host {
            Host::Tcp(name) if name.contains(':') => {
                format!(
                    "postgres://{user}@[{name}]:{}/{db}?sslmode={mode}",
                    self.port
                )
            }
            Host::Tcp(name) => format!(
                "postgres://{user}@{}:{}/{db}?sslmode={mode}",
                url::encode(name, &[]),
                self.port
            ),
            Host::Socket(dir) => format!(
                "postgres://{user}@/{db}?host={}&port={}",
                url::encode(&dir.display().to_string(), &['/']),
                self.port
            ),
        }
    }
}

/// sslrootcert as given, else `~/.postgresql/root.crt` if it exists.
fn root_cert(given: Option<String>, env: &Environment) -> StoreResult<Option<PathBuf>> {
    match given {
        Some(system) if system == "system" => Err(refused(
            "sslrootcert=system (the operating system's certificates) is not supported: name \
             the PEM file of the root certificate that signed the server's",
        )),
        Some(path) => Ok(Some(PathBuf::from(path))),
        None => {
            let default = env.in_home(".postgresql/root.crt");
            Ok(default.filter(|path| path.is_file()))
        }
    }
}

/// What a failed connection means, told to a person (a child module: it reads the target).
#[path = "connect_explain.rs"]
mod explain;

#[cfg(test)]
#[path = "connect_tests.rs"]
mod tests;
