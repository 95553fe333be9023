//! Confidential files are owner-only: databases, their `-wal`/`-shm`, training copies and exports
//! hold names, dates of birth, TINs and addresses. They are created `0600` (or `0660` with the
//! policy's `team_group` as their group) whatever the umask, and opening a database that others
//! can read warns once, naming the file and the fix.
//!
//! SQLite creates `-wal` and `-shm` with the main file's permission bits (and, as root, its
//! owner), so creating the main file private before SQLite first opens it covers all three.

use std::collections::HashSet;
use std::fs::OpenOptions;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Who may read a confidential file besides its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Nobody: mode 0600.
    Owner,
    /// The members of one group: mode 0660, group set to it.
    Team { name: String, gid: u32 },
}

impl Access {
    /// From the policy's `team_group` (None or empty: owner only). A group this host does not
    /// know is an error, never a silent fallback to wider access.
    pub fn from_team_group(team_group: Option<&str>) -> io::Result<Access> {
        match team_group.map(str::trim).filter(|g| !g.is_empty()) {
            None => Ok(Access::Owner),
            Some(name) => match group_id(name) {
                Some(gid) => Ok(Access::Team {
                    name: name.to_string(),
                    gid,
                }),
                None => Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("no group named {name:?} on this host (policy team_group)"),
                )),
            },
        }
    }

    /// The permission bits a confidential file gets.
    pub fn mode(&self) -> u32 {
        match self {
            Access::Owner => 0o600,
            Access::Team { .. } => 0o660,
        }
    }
}

/// The database and the two files SQLite keeps beside it in WAL mode.
pub fn database_files(db: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut s = db.as_os_str().to_owned();
        s.push(suffix);
        PathBuf::from(s)
    };
    [db.to_path_buf(), with("-wal"), with("-shm")]
}

/// Creates an empty file at `path` (which must not exist) readable by its owner only, whatever
/// the umask.
pub fn create_private(path: &Path) -> io::Result<()> {
    let file = private_options().create_new(true).open(path)?;
    set_mode(&file, 0o600)
}

/// A new temporary directory only its owner can enter (0700, whatever the umask), for training
/// copies; it is deleted when dropped.
pub fn private_temp_dir(prefix: &str) -> io::Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new().prefix(prefix).tempdir()?;
    set_dir_private(dir.path())?;
    Ok(dir)
}

/// Gives an existing confidential file exactly the access the policy allows.
pub fn restrict(path: &Path, access: &Access) -> io::Result<()> {
    let file = std::fs::File::open(path)?;
    if let Access::Team { gid, .. } = access {
        chown_group(&file, *gid)?;
    }
    set_mode(&file, access.mode())
}

/// Restricts the database and whichever of its `-wal`/`-shm` exist.
pub fn restrict_database(db: &Path, access: &Access) -> io::Result<()> {
    for path in database_files(db) {
        if path.exists() {
            restrict(&path, access)?;
        }
    }
    Ok(())
}

/// The files among the database's that someone other than the owner (and the team group, when
/// there is one) can read or write, with the command that fixes it.
pub fn exposure(db: &Path, access: &Access) -> Option<String> {
    let exposed: Vec<PathBuf> = database_files(db)
        .into_iter()
        .filter(|p| is_exposed(p, access))
        .collect();
    if exposed.is_empty() {
        return None;
    }
    let names: Vec<String> = exposed.iter().map(|p| shell_word(p)).collect();
    let names = names.join(" ");
    let fix = match access {
        Access::Owner => format!("chmod 600 {names}"),
        Access::Team { name, .. } => format!("chgrp {name} {names} && chmod 660 {names}"),
    };
    let who = match access {
        Access::Owner => "other accounts",
        Access::Team { .. } => "accounts outside the team group",
    };
    Some(format!(
        "warning: {} can be read by {who} on this host and it holds confidential records; fix: {fix}",
        names
    ))
}

/// Prints [`exposure`]'s warning on stderr, once per database per process.
pub fn warn_if_exposed(db: &Path, access: &Access) {
    static WARNED: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    let Some(message) = exposure(db, access) else {
        return;
    };
    let key = db.canonicalize().unwrap_or_else(|_| db.to_path_buf());
    let Ok(mut warned) = WARNED.lock() else {
        return;
    };
    if warned.get_or_insert_with(HashSet::new).insert(key) {
        eprintln!("{message}");
    }
}

/// A path as the user would paste it into a shell (the path is ours to name, not record text).
fn shell_word(path: &Path) -> String {
    let text = crate::domain::text_safety::escape_for_display(&path.display().to_string());
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(unix)]
fn private_options() -> OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = OpenOptions::new();
    options.write(true).mode(0o600);
    options
}

#[cfg(unix)]
fn set_mode(file: &std::fs::File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // fchmod is not filtered by the umask, unlike the mode given to open.
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(unix)]
fn set_dir_private(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

#[cfg(unix)]
fn chown_group(file: &std::fs::File, gid: u32) -> io::Result<()> {
    std::os::unix::fs::fchown(file, None, Some(gid))
}

#[cfg(unix)]
fn is_exposed(path: &Path, access: &Access) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    let mode = meta.mode();
    match access {
        Access::Owner => mode & 0o077 != 0,
        Access::Team { gid, .. } => mode & 0o007 != 0 || (mode & 0o070 != 0 && meta.gid() != *gid),
    }
}

#[cfg(unix)]
fn group_id(name: &str) -> Option<u32> {
    if let Ok(gid) = name.parse::<u32>() {
        return Some(gid);
    }
    let c_name = std::ffi::CString::new(name).ok()?;
    let mut group: libc::group = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut found: *mut libc::group = std::ptr::null_mut();
    // SAFETY: every pointer is to a live local of the right type and buf.len() is its size.
    let rc = unsafe {
        libc::getgrnam_r(
            c_name.as_ptr(),
            &mut group,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        )
    };
    (rc == 0 && !found.is_null()).then_some(group.gr_gid)
}

#[cfg(not(unix))]
fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true);
    options
}

#[cfg(not(unix))]
fn set_mode(_file: &std::fs::File, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(not(unix))]
fn set_dir_private(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(not(unix))]
fn chown_group(_file: &std::fs::File, _gid: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(not(unix))]
fn is_exposed(_path: &Path, _access: &Access) -> bool {
    false
}

#[cfg(not(unix))]
fn group_id(_name: &str) -> Option<u32> {
    None
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn a_private_file_is_owner_only_and_is_never_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.db");
        create_private(&path).expect("create");
        assert_eq!(mode(&path), 0o600);
        assert!(
            create_private(&path).is_err(),
            "an existing file is refused"
        );
    }

    #[test]
    fn exposure_names_every_readable_file_and_the_fix() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("m.db");
        create_private(&db).expect("create");
        assert_eq!(exposure(&db, &Access::Owner), None);
        let wal = database_files(&db)[1].clone();
        std::fs::write(&wal, b"").expect("wal");
        std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let message = exposure(&db, &Access::Owner).expect("exposed");
        assert!(message.contains("chmod 600"), "{message}");
        assert!(message.contains("m.db-wal"), "{message}");
        restrict_database(&db, &Access::Owner).expect("restrict");
        assert_eq!(exposure(&db, &Access::Owner), None);
        assert_eq!(mode(&wal), 0o600);
    }

    #[test]
    fn a_team_may_read_but_the_world_may_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("m.db");
        create_private(&db).expect("create");
        let gid = std::os::unix::fs::MetadataExt::gid(&std::fs::metadata(&db).expect("meta"));
        let team = Access::from_team_group(Some(&gid.to_string())).expect("numeric group");
        restrict(&db, &team).expect("restrict");
        assert_eq!(mode(&db), 0o660);
        assert_eq!(exposure(&db, &team), None);
        assert!(exposure(&db, &Access::Owner).is_some());
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o664)).expect("chmod");
        assert!(exposure(&db, &team).is_some());
        assert!(Access::from_team_group(Some("no-such-group-xq")).is_err());
        assert_eq!(
            Access::from_team_group(Some(" ")).expect("empty"),
            Access::Owner
        );
    }
}
