//! The password file (`~/.pgpass`, PGPASSFILE, `passfile=`) read as libpq reads it: lines of
//! `hostname:port:database:username:password`, `*` matching anything, `\:` and `\\` escaping,
//! `#` comments, the first matching line winning, and a file others can read ignored.

use std::path::Path;

/// The connection a password is looked up for, each field as libpq compares it.
pub(super) struct PassKey<'a> {
    /// The host name as given, or the socket directory; `localhost` for the default socket.
    pub host: &'a str,
    pub port: u16,
    pub dbname: &'a str,
    pub user: &'a str,
}

/// The password for `key` in the file at `path`; None when there is no file, no match, or the
/// file is open to others (then with a warning on stderr, as libpq gives).
pub(super) fn password_from(path: &Path, key: &PassKey<'_>) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        eprintln!(
            "warning: password file {} is not a plain file; it was ignored",
            path.display()
        );
        return None;
    }
    if open_to_others(&meta) {
        eprintln!(
            "warning: password file {} has group or world access, so it was ignored; make it \
             private: chmod 600 {}",
            path.display(),
            path.display()
        );
        return None;
    }
    let contents = std::fs::read_to_string(path).ok()?;
    lookup(&contents, key)
}

#[cfg(unix)]
fn open_to_others(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o077 != 0
}

#[cfg(not(unix))]
fn open_to_others(_meta: &std::fs::Metadata) -> bool {
    false
}

/// The password of the first line matching `key`.
pub(super) fn lookup(contents: &str, key: &PassKey<'_>) -> Option<String> {
    let port = key.port.to_string();
    let wanted = [key.host, port.as_str(), key.dbname, key.user];
    contents
        .lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let fields = fields(line);
            let [host, port, db, user, password, ..] = fields.as_slice() else {
                return None; // too few fields: libpq skips the line
            };
            let matches = [host, port, db, user]
                .iter()
                .zip(wanted)
                .all(|(field, value)| field.wildcard || field.text == value);
            matches.then(|| password.text.clone())
        })
}

struct Field {
    text: String,
    /// Written as a bare `*`; an escaped `\*` is the text `*`.
    wildcard: bool,
}

/// Splits a line at unescaped `:`, removing the escapes.
fn fields(line: &str) -> Vec<Field> {
    let mut fields = Vec::new();
    let mut text = String::new();
    let mut raw = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ':' => fields.push(field(std::mem::take(&mut text), std::mem::take(&mut raw))),
            '\\' => {
                raw.push(c);
                if let Some(next) = chars.next() {
                    raw.push(next);
                    text.push(next);
                }
            }
            c => {
                raw.push(c);
                text.push(c);
            }
        }
    }
    fields.push(field(text, raw));
    fields
}

fn field(text: String, raw: String) -> Field {
    Field {
        text,
        wildcard: raw == "*",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key<'a>(host: &'a str, dbname: &'a str, user: &'a str) -> PassKey<'a> {
        PassKey {
            host,
            port: 5432,
            dbname,
            user,
        }
    }

    #[test]
    fn the_first_matching_line_wins_and_wildcards_match_anything() {
        let file = "\
# a comment: db.example:5432:team:alice:commented
db.example:5432:team:alice:exact
db.example:*:*:alice:any-db
*:*:*:*:fallback
*:*:*:alice:never-reached
";
        let find = |host, db, user| lookup(file, &key(host, db, user));
        assert_eq!(
            find("db.example", "team", "alice").as_deref(),
            Some("exact")
        );
        assert_eq!(
            find("db.example", "other", "alice").as_deref(),
            Some("any-db")
        );
        assert_eq!(
            find("elsewhere", "team", "alice").as_deref(),
            Some("fallback")
        );
        assert_eq!(
            find("db.example", "team", "bob").as_deref(),
            Some("fallback")
        );
    }

    #[test]
    fn the_port_must_match_too() {
        let file = "db.example:6543:*:alice:other-port\n";
        assert_eq!(lookup(file, &key("db.example", "d", "alice")), None);
    }

    #[test]
    fn escapes_let_fields_hold_colons_backslashes_and_stars() {
        let file = "\
/srv/pg:5432:*:alice:by-socket-path
\\*:5432:*:alice:only-a-host-named-star
*:5432:a\\:b:alice:p\\:w\\\\d
";
        assert_eq!(
            lookup(file, &key("/srv/pg", "x", "alice")).as_deref(),
            Some("by-socket-path")
        );
        assert_eq!(
            lookup(file, &key("*", "x", "alice")).as_deref(),
            Some("only-a-host-named-star")
        );
        assert_eq!(
            lookup(file, &key("db.example", "a:b", "alice")).as_deref(),
            Some("p:w\\d"),
            "the password is unescaped"
        );
        assert_eq!(lookup(file, &key("db.example", "x", "alice")), None);
    }

    #[test]
    fn short_lines_and_blank_lines_are_skipped() {
        let file = "\n*:*:*:alice\n\r\n*:*:*:alice:whole\r\n";
        assert_eq!(
            lookup(file, &key("h", "d", "alice")).as_deref(),
            Some("whole")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("pgpass");
        std::fs::write(&path, "*:*:*:*:secret\n").expect("write");
        let with_mode = |mode| {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
            password_from(&path, &key("h", "d", "u"))
        };
        assert_eq!(with_mode(0o600).as_deref(), Some("secret"));
        assert_eq!(with_mode(0o640), None);
        assert_eq!(with_mode(0o604), None);
        assert_eq!(with_mode(0o400).as_deref(), Some("secret"));
        assert_eq!(
            password_from(dir.path(), &key("h", "d", "u")),
            None,
            "a directory"
        );
        assert_eq!(
            password_from(&dir.path().join("none"), &key("h", "d", "u")),
            None
        );
    }
}
