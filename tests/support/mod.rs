//! Shared helpers for the integration tests: running the real binary, reading the database, and
//! driving the review screen inside tmux.
#![allow(dead_code)] // each test file uses its own subset

#[cfg(unix)]
pub mod backend;
#[cfg(unix)]
pub mod cases;
#[cfg(unix)]
pub mod faults;
pub mod hostile;
#[cfg(unix)]
pub mod netns;
#[cfg(unix)]
pub mod pg;
#[cfg(unix)]
pub mod pg_screens;
#[cfg(unix)]
pub mod pg_team;
#[cfg(unix)]
pub mod queue;
#[cfg(unix)]
pub mod release_both;
#[cfg(unix)]
pub mod supervising;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_matchgate"));
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Runs the binary with arguments and returns its output.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run matchgate")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Opens the database read-only for checking what the binary wrote.
pub fn db(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open database")
}

pub fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

/// A review screen running in a detached tmux session on a private server socket.
pub struct Tmux {
    socket: String,
    session: String,
}

impl Tmux {
    /// Starts `matchgate <args>` in a `width`x`height` terminal. Panics when tmux is missing:
    /// CI installs it (`.ci/run`).
    pub fn start(args: &[&str], width: u16, height: u16, env: &[(&str, &str)]) -> Tmux {
        let mut command = vec![env!("CARGO_BIN_EXE_matchgate").to_string()];
        command.extend(args.iter().map(|a| a.to_string()));
        Tmux::start_command(&command, width, height, env)
    }

    /// Starts any command (program and arguments) in a `width`x`height` terminal.
    pub fn start_command(
        command: &[String],
        width: u16,
        height: u16,
        env: &[(&str, &str)],
    ) -> Tmux {
        // Unique per test in this process: tests run in parallel, each with its own tmux server.
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let id = format!(
            "mg{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let tmux = Tmux {
            socket: format!("{id}-sock"),
            session: id,
        };
        let mut cmd = Command::new("tmux");
        cmd.args([
            "-L",
            &tmux.socket,
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            &tmux.session,
        ]);
        cmd.args(["-x", &width.to_string(), "-y", &height.to_string()]);
        for (key, value) in env {
            cmd.args(["-e", &format!("{key}={value}")]);
        }
        cmd.arg("--");
        cmd.args(command);
        cmd.env("TERM", "xterm-256color");
        cmd.stdin(std::process::Stdio::null());
        let out = cmd
            .output()
            .expect("tmux is installed (apt-get install tmux)");
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            stderr(&out)
        );
        // Keep the pane after the program exits, so its last screen can be read.
        tmux.tmux(&["set-option", "-t", &tmux.session, "remain-on-exit", "on"]);
        tmux
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux")
    }

    /// Sends keys as tmux names them ("a", "Enter", "Escape", "Tab", "C-c").
    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            let out = self.tmux(&["send-keys", "-t", &self.session, key]);
            assert!(out.status.success(), "send-keys {key}");
        }
    }

    /// Sends keys in one tmux command, so they reach the program as one quick burst.
    pub fn keys_at_once(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.session];
        args.extend_from_slice(keys);
        let out = self.tmux(&args);
        assert!(out.status.success(), "send-keys {keys:?}");
    }

    pub fn resize(&self, width: u16, height: u16) {
        let out = self.tmux(&[
            "resize-window",
            "-t",
            &self.session,
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
        assert!(out.status.success(), "resize-window: {}", stderr(&out));
    }

    fn format(&self, format: &str) -> String {
        stdout(&self.tmux(&["display-message", "-p", "-t", &self.session, format]))
            .trim()
            .to_string()
    }

    /// Copies every byte the program writes to its terminal from now on into `file`.
    pub fn pipe_output(&self, file: &Path) {
        let target = format!("cat >> '{}'", file.display());
        let out = self.tmux(&["pipe-pane", "-O", "-t", &self.session, &target]);
        assert!(out.status.success(), "pipe-pane: {}", stderr(&out));
    }

    /// The exit status of the program once the pane is dead.
    /// tmux may mark the pane dead a moment before it records the status: wait for it.
    pub fn exit_status(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let status =
                self.format("#{pane_dead_status}#{?pane_dead_signal,signal #{pane_dead_signal},}");
            if !status.is_empty() || Instant::now() > deadline {
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The process id of the program in the pane.
    pub fn pane_pid(&self) -> i32 {
        self.format("#{pane_pid}").parse().expect("pane pid")
    }

    /// "1" while the program uses the alternate screen, "0" once it gave the terminal back.
    pub fn alternate_screen(&self) -> String {
        self.format("#{alternate_on}")
    }

    /// Kills the tmux server: the program loses its terminal (SIGHUP), as over a dropped SSH link.
    pub fn hang_up(&self) {
        let _ = self.tmux(&["kill-server"]);
    }

    pub fn pane_title(&self) -> String {
        self.format("#{pane_title}")
    }

    /// The screen and everything that scrolled off it.
    pub fn history(&self) -> String {
        stdout(&self.tmux(&["capture-pane", "-p", "-S", "-", "-t", &self.session]))
    }

    pub fn screen(&self) -> String {
        stdout(&self.tmux(&["capture-pane", "-p", "-t", &self.session]))
    }

    /// Waits (at most 15 s) until the screen shows `text`; panics with the screen otherwise.
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {text:?}; the screen was:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits (at most 15 s) until the screen shows every one of `texts` at once.
    pub fn wait_for_all(&self, texts: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if texts.iter().all(|t| screen.contains(t)) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for all of {texts:?}; the screen was:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits (at most 15 s) until the screen no longer shows `text`.
    pub fn wait_gone(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.screen().contains(text) {
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {text:?} to go; the screen was:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits (at most 15 s) until the program in the pane has exited.
    pub fn wait_exit(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let dead =
                stdout(&self.tmux(&["display-message", "-p", "-t", &self.session, "#{pane_dead}"]));
            if dead.trim() == "1" {
                return;
            }
            if Instant::now() > deadline {
                panic!("matchgate did not exit; the screen was:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// Writes a small import file in a temp dir and returns its path.
pub fn write_file(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write fixture");
    path
}

/// Imports `csv` into a new database in `dir` and returns the database's path.
pub fn imported(dir: &Path, csv: &str) -> PathBuf {
    let file = write_file(dir, "flagged.csv", csv);
    let db_path = dir.join("review.db");
    let out = run(&[
        "import",
        "--db",
        db_path.to_str().expect("utf-8"),
        file.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "import failed: {}", stderr(&out));
    db_path
}

/// Starts `matchgate review --db DB [args]` in a 100x32 tmux terminal. HOME and XDG point at
/// `dir`, so no user keymap on this machine changes the keys.
pub fn review(dir: &Path, db_path: &Path, args: &[&str], env: &[(&str, &str)]) -> Tmux {
    let home = dir.to_str().expect("utf-8");
    let mut all_args = vec!["review", "--db", db_path.to_str().expect("utf-8")];
    all_args.extend_from_slice(args);
    let mut all_env = vec![("HOME", home), ("XDG_CONFIG_HOME", home)];
    all_env.extend_from_slice(env);
    Tmux::start(&all_args, 100, 32, &all_env)
}

/// A new database `dir/team.db` with `csv` imported through the store (the store tests' way in).
pub fn store_db(dir: &Path, csv: &str) -> PathBuf {
    use matchgate::import::{FlaggedReader, Format, ImportOptions, OnBadRow};
    let path = dir.join("team.db");
    let (mut store, _) = matchgate::store::Store::create(&path).expect("create");
    let rows = FlaggedReader::new(
        csv.as_bytes(),
        "f.csv",
        Format::Csv,
        &ImportOptions::default(),
    )
    .expect("reader");
    store
        .import_matches(rows, OnBadRow::Abort, |e| panic!("{e}"))
        .expect("import");
    path
}

/// A person's own connection, as their screen opens it.
pub fn screen(path: &Path, reviewer: &str, session: &str) -> matchgate::store::Store {
    let mut store = matchgate::store::Store::open(path).expect("open");
    store.set_claimant(Some(matchgate::domain::claim::Claimant {
        reviewer: reviewer.into(),
        session: session.into(),
    }));
    store
}
