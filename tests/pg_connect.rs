//! Connecting to a real PostgreSQL server as a person would: the password from the password
//! file, the server's refusal in words, and TLS checked against a self-signed CA (made here with
//! the `openssl` command), a wrong CA or a wrong host name refused.
#![cfg(unix)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use matchgate::store::StoreError;
use matchgate::store::postgres::connect::PgTarget;
use support::pg::{PgServer, ServerOptions};

const ROLE: &str = "reviewer_ann";
const PASSWORD: &str = "right-horse-battery";

fn connect(url: &str) -> Result<postgres::Client, StoreError> {
    PgTarget::parse(url)?.connect()
}

/// The server's refusal, checked to be a `Server` error naming the target without a secret.
fn server_refusal(url: &str) -> String {
    let target = PgTarget::parse(url).expect("the URL parses");
    match target.connect() {
        Err(StoreError::Server {
            target: shown,
            detail,
        }) => {
            assert_eq!(shown, target.display());
            assert!(!shown.contains(PASSWORD) && !detail.contains(PASSWORD));
            eprintln!("REFUSAL {url}\n  -> {detail}");
            detail
        }
        Err(other) => panic!("expected a server error from {url}, got {other}"),
        Ok(_) => panic!("{url} connected but should have been refused"),
    }
}

fn uses_tls(client: &mut postgres::Client) -> bool {
    client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .expect("pg_stat_ssl")
        .get(0)
}

fn write_private(path: &Path, contents: &str) {
    std::fs::write(path, contents).expect("write");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod 600");
}

#[test]
fn the_password_file_logs_in_and_a_wrong_password_is_refused_by_the_server() {
    let Some(server) = PgServer::start("pg_connect password file") else {
        return;
    };
    server.add_login(ROLE, PASSWORD);
    let target = PgTarget::parse(&server.url(ROLE, "postgres")).expect("parse");
    assert_eq!(target.user(), ROLE);
    let mut client = target
        .connect()
        .expect("connect with the passfile's password");
    let row = client
        .query_one(
            "SELECT current_user::text, application_name FROM pg_stat_activity \
             WHERE pid = pg_backend_pid()",
            &[],
        )
        .expect("who am I");
    assert_eq!(row.get::<_, String>(0), ROLE);
    assert_eq!(row.get::<_, String>(1), "matchgate");
    assert!(!uses_tls(&mut client), "sslmode=disable");

    let dir = tempfile::tempdir().expect("dir");
    let wrong = dir.path().join("pgpass");
    write_private(
        &wrong,
        &format!("127.0.0.1:{}:*:{ROLE}:not-the-password\n", server.port()),
    );
    let url = |passfile: &Path| {
        format!(
            "postgres://{ROLE}@127.0.0.1:{}/postgres?passfile={}&sslmode=disable",
            server.port(),
            passfile.display()
        )
    };
    let detail = server_refusal(&url(&wrong));
    assert!(
        detail.contains(&format!(
            "password authentication failed for user \"{ROLE}\""
        )),
        "{detail}"
    );

    // PGPASSWORD would be the next source; only without it is "no password" what happens.
    if std::env::var_os("PGPASSWORD").is_none() {
        let missing = dir.path().join("no-such-pgpass");
        let detail = server_refusal(&url(&missing));
        assert!(
            detail.contains("none was found for reviewer_ann"),
            "{detail}"
        );
        assert!(detail.contains("no-such-pgpass"), "{detail}");
    }
}

#[test]
fn a_server_without_tls_is_used_plainly_by_prefer_and_refused_by_require() {
    let Some(server) = PgServer::start("pg_connect server without TLS") else {
        return;
    };
    server.add_login(ROLE, PASSWORD);
    let pki = Pki::new();
    let ca = pki.ca("team-ca");
    let over_tls = |mode: &str| {
        format!(
            "postgres://{ROLE}@127.0.0.1:{}/postgres?passfile={}&sslmode={mode}&sslrootcert={}",
            server.port(),
            server.passfile().display(),
            ca.display()
        )
    };
    let mut client = connect(&over_tls("prefer")).expect("prefer falls back");
    assert!(!uses_tls(&mut client));
    let detail = server_refusal(&over_tls("require"));
    assert!(detail.contains("server does not support TLS"), "{detail}");
}

/// A private CA and certificates signed by it, made with the `openssl` command.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Pki {
        let found = Command::new("openssl").arg("version").output();
        assert!(
            found.is_ok_and(|o| o.status.success()),
            "these tests make certificates with the openssl command: apt-get install -y openssl"
        );
        Pki {
            dir: tempfile::tempdir().expect("dir"),
        }
    }

    /// Runs `openssl` with `args` split at spaces (no argument here holds one).
    fn openssl(&self, args: &str) {
        let out = Command::new("openssl")
            .current_dir(self.dir.path())
            .args(args.split_whitespace())
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "openssl {args}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    /// A self-signed CA: `name.crt` (what sslrootcert names) and `name.key`.
    fn ca(&self, name: &str) -> PathBuf {
        let (crt, key) = (format!("{name}.crt"), format!("{name}.key"));
        self.openssl(&format!(
            "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
             -subj /CN={name} -keyout {key} -out {crt}"
        ));
        self.path(&crt)
    }

    /// A server certificate for `san` (e.g. `IP:127.0.0.1,DNS:localhost`) signed by `ca`.
    fn server(&self, name: &str, ca: &str, san: &str) -> (PathBuf, PathBuf) {
        let (crt, key, csr, ext) = (
            format!("{name}.crt"),
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.ext"),
        );
        std::fs::write(
            self.path(&ext),
            format!(
                "subjectAltName={san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            ),
        )
        .expect("extensions");
        self.openssl(&format!(
            "req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN={name} \
             -keyout {key} -out {csr}"
        ));
        self.openssl(&format!(
            "x509 -req -in {csr} -CA {ca}.crt -CAkey {ca}.key -CAcreateserial -days 2 \
             -extfile {ext} -out {crt}"
        ));
        (self.path(&crt), self.path(&key))
    }
}

/// A URL over TCP to 127.0.0.1 with `params` (sslmode, sslrootcert) after the passfile.
fn tls_url(server: &PgServer, params: &str) -> String {
    format!(
        "postgres://{ROLE}@127.0.0.1:{}/postgres?passfile={}&{params}",
        server.port(),
        server.passfile().display()
    )
}

/// Whether this machine's environment names a root certificate for URLs without sslrootcert.
fn default_root_cert_present() -> bool {
    std::env::var_os("PGSSLROOTCERT").is_some()
        || dirs::home_dir().is_some_and(|h| h.join(".postgresql/root.crt").exists())
}

#[test]
fn tls_verifies_the_server_against_its_ca_and_refuses_another_ca() {
    let pki = Pki::new();
    let ca = pki.ca("team-ca");
    let other_ca = pki.ca("other-ca");
    let tls = pki.server("server", "team-ca", "IP:127.0.0.1,DNS:localhost");
    let options = ServerOptions {
        tls: Some(tls),
        ..ServerOptions::default()
    };
    let Some(server) = PgServer::start_with("pg_connect TLS", &options) else {
        return;
    };
    server.add_login(ROLE, PASSWORD);
    let with_ca = |mode: &str, ca: &Path| format!("sslmode={mode}&sslrootcert={}", ca.display());

    let mut client = connect(&tls_url(&server, &with_ca("verify-full", &ca))).expect("verify-full");
    assert!(uses_tls(&mut client));
    let mut client = connect(&tls_url(&server, &with_ca("prefer", &ca))).expect("prefer");
    assert!(
        uses_tls(&mut client),
        "prefer with a root certificate uses TLS"
    );

    for mode in ["verify-full", "verify-ca", "require", "prefer"] {
        let detail = server_refusal(&tls_url(&server, &with_ca(mode, &other_ca)));
        assert!(
            detail.contains("certificate verify failed"),
            "{mode}: {detail}"
        );
        assert!(
            detail.contains("not signed by a root certificate in")
                && detail.contains("other-ca.crt"),
            "{mode}: {detail}"
        );
    }

    if default_root_cert_present() {
        eprintln!("pg_connect: a default root certificate is set here; not testing its absence");
        return;
    }
    let refused = connect(&tls_url(&server, "sslmode=require"))
        .err()
        .expect("require without a root certificate is refused")
        .to_string();
    assert!(refused.contains("set sslrootcert="), "{refused}");
    // Without a root certificate prefer does not take TLS it could not verify.
    let mut client = connect(&tls_url(&server, "sslmode=prefer")).expect("prefer");
    assert!(!uses_tls(&mut client));
}

#[test]
fn verify_ca_accepts_a_certificate_for_another_name_and_verify_full_does_not() {
    let pki = Pki::new();
    let ca = pki.ca("team-ca");
    let tls = pki.server("server", "team-ca", "DNS:db.wrong-name.invalid");
    let options = ServerOptions {
        tls: Some(tls),
        ..ServerOptions::default()
    };
    let Some(server) = PgServer::start_with("pg_connect TLS host name", &options) else {
        return;
    };
    server.add_login(ROLE, PASSWORD);
    let with_ca = |mode: &str| format!("sslmode={mode}&sslrootcert={}", ca.display());

    for mode in ["verify-ca", "require"] {
        let mut client = connect(&tls_url(&server, &with_ca(mode))).expect(mode);
        assert!(uses_tls(&mut client), "{mode}");
    }
    let detail = server_refusal(&tls_url(&server, &with_ca("verify-full")));
    assert!(
        detail.contains("not valid for the host name 127.0.0.1"),
        "{detail}"
    );
}
