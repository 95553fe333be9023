//! The review screen's peak memory: the real binary in a real terminal (tmux, as the end-to-end
//! tests drive it), a key script (moves across pages, a few decisions, a search and its jump),
//! then VmHWM from `/proc/<pid>/status` before it quits.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A detached tmux session on a private server socket, killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(program: &str, args: &[&str], home: &Path) -> Tmux {
        let tmux = Tmux {
            socket: format!("mg-scale-{}", std::process::id()),
        };
        let home = format!("{}", home.display());
        let out = Command::new("tmux")
            .args(["-L", &tmux.socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-s", "screen", "-x", "120", "-y", "40"])
            // No user keymap changes the keys.
            .args(["-e", &format!("HOME={home}")])
            .args(["-e", &format!("XDG_CONFIG_HOME={home}")])
            .arg("--")
            .arg(program)
            .args(args)
            .env("TERM", "xterm-256color")
            .stdin(Stdio::null())
            .output()
            .expect("tmux runs");
        assert!(
            out.status.success(),
            "tmux new-session: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "screen"];
        args.extend_from_slice(keys);
        assert!(self.tmux(&args).status.success(), "send-keys {keys:?}");
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "screen"]).stdout)
            .into_owned()
    }

    fn wait_for(&self, text: &str) {
        self.wait_until(text, |screen| screen.contains(text));
    }

    fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !done(&self.screen()) {
            assert!(
                Instant::now() < deadline,
                "the screen never showed {what}:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the screen stops changing (the keys sent so far are answered).
    fn wait_still(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut last = self.screen();
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let now = self.screen();
            if now == last || Instant::now() > deadline {
                return;
            }
            last = now;
        }
    }

    fn pane(&self, format: &str) -> String {
        let out = self.tmux(&["display-message", "-p", "-t", "screen", format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

fn ensure_tmux() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("installing tmux (the screen's terminal) with apt-get");
        let _ = Command::new("apt-get")
            .args(["install", "-y", "tmux"])
            .status();
    }
}

/// The largest resident set the process had, in KiB.
fn vm_hwm(pid: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc status")
}

/// Peak memory (KiB) of `matchgate review --db <db> --reviewer screen` through the key script.
pub fn peak_kib(bin: &str, db: &Path, home: &Path) -> u64 {
    ensure_tmux();
    let d = db.to_str().expect("path");
    let reviewer = super::screen::REVIEWER;
    let tmux = Tmux::start(bin, &["review", "--db", d, "--reviewer", reviewer], home);
    tmux.wait_for("↔ candidate");
    let pid = tmux.pane("#{pane_pid}");
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    assert_eq!(comm.trim(), "matchgate", "the pane runs matchgate itself");
    // 300 moves (three pages of the window), 20 keys at a time.
    for _ in 0..15 {
        tmux.keys(&["j"; 20]);
        tmux.wait_still();
    }
    for keys in [&["a"][..], &["s"], &["r", "4"], &["a"], &["s"], &["r", "4"]] {
        tmux.keys(keys);
        tmux.wait_still();
    }
    tmux.keys(&["/"]);
    for c in "margaret".chars() {
        tmux.keys(&[&c.to_string()]);
    }
    // A hit in the search popup (its lines start at the popup's left border).
    tmux.wait_until("a search hit", |screen| {
        screen
            .lines()
            .any(|l| l.contains("│R") && l.contains("Margaret"))
    });
    tmux.keys(&["Enter"]);
    tmux.wait_until("the search closed on its hit", |screen| {
        !screen.contains("Enter jumps") && screen.contains("↔ candidate")
    });
    let kib = vm_hwm(&pid);
    tmux.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while tmux.pane("#{pane_dead}") != "1" && std::path::Path::new(&format!("/proc/{pid}")).exists()
    {
        assert!(
            Instant::now() < deadline,
            "the screen did not quit:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    kib
}
