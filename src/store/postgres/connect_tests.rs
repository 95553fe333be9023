use std::path::Path;

use super::*;

/// An environment with `vars` set, a home with nothing in it, and the login `carol`.
fn env(vars: &[(&str, &str)]) -> Environment {
    Environment {
        vars: vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        home: Some(PathBuf::from("/nonexistent-home")),
        login: Some("carol".into()),
    }
}

fn parse(url: &str, vars: &[(&str, &str)]) -> StoreResult<PgTarget> {
    PgTarget::parse_in(url, &env(vars))
}

fn refusal(url: &str, vars: &[(&str, &str)]) -> String {
    parse(url, vars).expect_err("refused").to_string()
}

#[test]
fn recognises_both_schemes_and_nothing_else() {
    assert!(is_postgres_url("postgres://db.example/matchgate"));
    assert!(is_postgres_url("postgresql://"));
    assert!(!is_postgres_url("matches.db"));
    assert!(!is_postgres_url("/srv/postgres://x"));
    assert!(!is_postgres_url("mysql://db.example/matchgate"));
}

#[test]
fn an_empty_url_takes_libpq_defaults_from_the_login() {
    let t = parse("postgres://", &[]).expect("parse");
    assert_eq!(t.host, Host::Socket(PathBuf::from("/var/run/postgresql")));
    assert_eq!(t.port, 5432);
    assert_eq!(t.user(), "carol");
    assert_eq!(t.dbname, "carol", "the database defaults to the user");
    assert_eq!(t.sslmode, SslMode::Prefer);
    assert_eq!(t.tls, TlsPlan::Plain, "a socket has no TLS");
    assert_eq!(t.application_name, "matchgate");
    assert_eq!(t.connect_timeout, Some(Duration::from_secs(10)));
    assert_eq!(
        t.passfile.as_deref(),
        Some(Path::new("/nonexistent-home/.pgpass"))
    );
    assert_eq!(t.env_password, None);
    assert_eq!(
        t.display(),
        "postgres://carol@/carol?host=/var/run/postgresql&port=5432"
    );
}

#[test]
fn the_environment_fills_what_the_url_leaves_out() {
    let vars = [
        ("PGHOST", "db.example"),
        ("PGPORT", "6543"),
        ("PGUSER", "alice"),
        ("PGDATABASE", "team"),
        ("PGSSLMODE", "disable"),
        ("PGPASSFILE", "/etc/matchgate/pgpass"),
        ("PGPASSWORD", "from-env"),
        ("PGCONNECT_TIMEOUT", "3"),
    ];
    let t = parse("postgresql://", &vars).expect("parse");
    assert_eq!(t.host, Host::Tcp("db.example".into()));
    assert_eq!(
        (t.port, t.user(), t.dbname.as_str()),
        (6543, "alice", "team")
    );
    assert_eq!(t.sslmode, SslMode::Disable);
    assert_eq!(
        t.passfile.as_deref(),
        Some(Path::new("/etc/matchgate/pgpass"))
    );
    assert_eq!(t.env_password.as_deref(), Some("from-env"));
    assert_eq!(t.connect_timeout, Some(Duration::from_secs(3)));
    assert_eq!(
        t.display(),
        "postgres://alice@db.example:6543/team?sslmode=disable"
    );
}

#[test]
fn the_url_beats_the_environment_and_parameters_beat_the_url() {
    let vars = [
        ("PGHOST", "env.example"),
        ("PGUSER", "env"),
        ("PGPORT", "1"),
    ];
    let t = parse("postgres://bob@url.example:7000/ledger", &vars).expect("parse");
    assert_eq!(t.host, Host::Tcp("url.example".into()));
    assert_eq!(
        (t.port, t.user(), t.dbname.as_str()),
        (7000, "bob", "ledger")
    );
    let t = parse(
        "postgres://bob@url.example:7000/ledger?user=dave&dbname=other&port=7001&host=p.example",
        &vars,
    )
    .expect("parse");
    assert_eq!(t.host, Host::Tcp("p.example".into()));
    assert_eq!(
        (t.port, t.user(), t.dbname.as_str()),
        (7001, "dave", "other")
    );
}

#[test]
fn percent_escapes_a_socket_host_and_brackets_are_read() {
    let t = parse("postgres://o%27brien@%2Ftmp%2Fpg/my%20db", &[]).expect("parse");
    assert_eq!(t.user(), "o'brien");
    assert_eq!(t.dbname, "my db");
    assert_eq!(t.host, Host::Socket(PathBuf::from("/tmp/pg")));
    let t = parse("postgres://x@/db?host=/srv/sock&port=5433", &[]).expect("parse");
    assert_eq!(t.host, Host::Socket(PathBuf::from("/srv/sock")));
    assert_eq!(t.port, 5433);
    let t = parse("postgres://x@[::1]:5999/db", &[]).expect("parse");
    assert_eq!(t.host, Host::Tcp("::1".into()));
    assert_eq!(t.port, 5999);
    assert_eq!(t.display(), "postgres://x@[::1]:5999/db?sslmode=prefer");
    let t = parse(
        "postgres://x@db.example/a+b?application_name=screen%202",
        &[],
    )
    .expect("parse");
    assert_eq!(t.dbname, "a+b", "+ is not a space in libpq");
    assert_eq!(t.application_name, "screen 2");
}

#[test]
fn what_display_prints_reads_back_to_the_same_target() {
    for url in [
        "postgres://o%27brien@%2Ftmp%2Fpg/my%20db",
        "postgres://x@[::1]:5999/db?sslmode=disable",
        "postgresql://a%40b@h.example/d%2Fe",
        "postgres://",
    ] {
        let first = parse(url, &[]).expect("parse");
        let again = parse(first.display(), &[]).expect("parse the display");
        assert_eq!(again.display(), first.display(), "{url}");
        assert_eq!(
            (&again.host, again.port, again.user(), &again.dbname),
            (&first.host, first.port, first.user(), &first.dbname),
            "{url}"
        );
    }
}

#[test]
fn a_password_in_the_url_is_refused_without_echoing_it() {
    for url in [
        "postgres://alice:s3cret@db.example/team",
        "postgres://alice:@db.example/team",
        "postgres://alice:s3c@ret@db.example/team",
        "postgres://alice@db.example/team?password=s3cret",
    ] {
        let message = refusal(url, &[]);
        assert!(message.contains("password"), "{message}");
        assert!(message.contains("~/.pgpass"), "{message}");
        assert!(message.contains("PGPASSFILE"), "{message}");
        assert!(!message.contains("s3c"), "the secret leaked: {message}");
        assert!(!message.contains("ret@"), "the secret leaked: {message}");
    }
}

#[test]
fn unknown_parameters_and_bad_values_are_refused_by_name() {
    let message = refusal("postgres://a@h/d?sslmode=disable&keepalives=1", &[]);
    assert!(
        message.contains("unknown parameter `keepalives`"),
        "{message}"
    );
    assert!(
        message.contains("sslrootcert"),
        "lists what is known: {message}"
    );
    let message = refusal("postgres://a@h/d?sslmode=always", &[]);
    assert!(message.contains("sslmode `always`"), "{message}");
    let message = refusal("postgres://a@h:54x/d", &[]);
    assert!(message.contains("port `54x`"), "{message}");
    let message = refusal("postgres://a@h/d?connect_timeout=soon", &[]);
    assert!(message.contains("connect_timeout `soon`"), "{message}");
    let message = refusal("postgres://a@h/d?sslmode", &[]);
    assert!(message.contains("`sslmode` has no value"), "{message}");
    let message = refusal("postgres://a@h1,h2/d", &[]);
    assert!(message.contains("several hosts"), "{message}");
    let message = refusal("postgres://a@h/d%zz", &[]);
    assert!(message.contains("bad %-escape"), "{message}");
    let message = refusal("mysql://a@h/d", &[]);
    assert!(message.contains("postgres://"), "{message}");
    let message = refusal("postgres://a@h/d?sslmode=require&sslrootcert=system", &[]);
    assert!(message.contains("sslrootcert=system"), "{message}");
}

#[test]
fn a_zero_timeout_waits_as_long_as_it_takes() {
    let t = parse("postgres://a@h/d?connect_timeout=0", &[]).expect("parse");
    assert_eq!(t.connect_timeout, None);
}

#[test]
fn modes_without_a_root_certificate() {
    let plain = |mode: &str| {
        parse(&format!("postgres://a@h.example/d?sslmode={mode}"), &[])
            .expect("parse")
            .tls
    };
    // Without a root certificate nothing could verify a certificate: no TLS, not blind TLS.
    for mode in ["disable", "allow", "prefer"] {
        assert_eq!(plain(mode), TlsPlan::Plain, "{mode}");
    }
    for mode in ["require", "verify-ca", "verify-full"] {
        let message = refusal(&format!("postgres://a@h.example/d?sslmode={mode}"), &[]);
        assert!(message.contains(&format!("sslmode={mode}")), "{message}");
        assert!(message.contains("set sslrootcert="), "{message}");
    }
    // Over a Unix socket there is no TLS to ask for, as libpq ignores sslmode there.
    let t = parse("postgres://a@/d?host=/tmp&sslmode=verify-full", &[]).expect("parse");
    assert_eq!(t.tls, TlsPlan::Plain);
}

#[test]
fn modes_with_a_root_certificate() {
    let ca = "/etc/matchgate/root.crt";
    let with = |mode: &str| {
        parse(
            &format!("postgres://a@h.example/d?sslmode={mode}&sslrootcert={ca}"),
            &[],
        )
        .expect("parse")
        .tls
    };
    let verified = |required, check_name| TlsPlan::Verified {
        roots: PathBuf::from(ca),
        required,
        check_name,
    };
    assert_eq!(with("disable"), TlsPlan::Plain);
    assert_eq!(with("allow"), verified(false, false));
    assert_eq!(with("prefer"), verified(false, false));
    assert_eq!(with("require"), verified(true, false));
    assert_eq!(with("verify-ca"), verified(true, false));
    assert_eq!(with("verify-full"), verified(true, true));
    let from_env = parse(
        "postgres://a@h.example/d",
        &[("PGSSLMODE", "verify-full"), ("PGSSLROOTCERT", ca)],
    )
    .expect("parse");
    assert_eq!(from_env.tls, verified(true, true));
}

#[test]
fn the_default_root_certificate_is_used_when_it_exists() {
    let home = tempfile::tempdir().expect("home");
    std::fs::create_dir(home.path().join(".postgresql")).expect("dir");
    let root = home.path().join(".postgresql/root.crt");
    std::fs::write(&root, "not read until connecting").expect("root.crt");
    let mut environment = env(&[]);
    environment.home = Some(home.path().to_path_buf());
    let t = PgTarget::parse_in("postgres://a@h.example/d?sslmode=verify-full", &environment)
        .expect("parse");
    assert_eq!(
        t.tls,
        TlsPlan::Verified {
            roots: root,
            required: true,
            check_name: true
        }
    );
}

#[test]
fn the_password_comes_from_the_file_before_pgpassword() {
    let dir = tempfile::tempdir().expect("dir");
    let passfile = dir.path().join("pgpass");
    std::fs::write(&passfile, "h.example:5432:d:a:from-file\n").expect("write");
    set_private(&passfile);
    let url = format!("postgres://a@h.example/d?passfile={}", passfile.display());
    let t = parse(&url, &[("PGPASSWORD", "from-env")]).expect("parse");
    assert_eq!(t.password().as_deref(), Some("from-file"));
    let other = "postgres://b@h.example/d?passfile=/nonexistent/pgpass";
    let t = parse(other, &[("PGPASSWORD", "from-env")]).expect("parse");
    assert_eq!(t.password().as_deref(), Some("from-env"));
    let t = parse(other, &[]).expect("parse");
    assert_eq!(t.password(), None, "no password is fine: trust or peer");
}

#[test]
fn the_default_socket_is_looked_up_as_localhost() {
    let dir = tempfile::tempdir().expect("dir");
    let passfile = dir.path().join("pgpass");
    std::fs::write(
        &passfile,
        "localhost:5432:*:a:for-localhost\n/srv/pg:5432:*:a:for-srv\n",
    )
    .expect("write");
    set_private(&passfile);
    let vars = [("PGPASSFILE", passfile.to_str().expect("utf-8"))];
    let t = parse("postgres://a@/d", &vars).expect("parse");
    assert_eq!(t.password().as_deref(), Some("for-localhost"));
    let t = parse("postgres://a@/d?host=/srv/pg", &vars).expect("parse");
    assert_eq!(
        t.password().as_deref(),
        Some("for-srv"),
        "libpq: other sockets by path"
    );
}

#[test]
fn without_a_home_there_is_no_default_password_file() {
    let mut environment = env(&[]);
    environment.home = None;
    let t = PgTarget::parse_in("postgres://a@h.example/d", &environment).expect("parse");
    assert_eq!(t.passfile, None, "never ./.pgpass in the working directory");
}

#[test]
fn debug_shows_the_target_only() {
    let t = parse("postgres://a@h.example/d", &[("PGPASSWORD", "s3cret")]).expect("parse");
    let shown = format!("{t:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(shown.contains("postgres://a@h.example:5432/d"), "{shown}");
}

fn set_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
}
