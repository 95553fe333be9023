//! Other hosts on this machine: a network namespace each, joined to this one by a veth pair on
//! its own /30 (10.77.N.1 here, 10.77.N.2 there), so what a process in it sends to the server
//! crosses a network interface that a test can pull. Needs root and iproute2 (`ip`); removed
//! when dropped.

use std::process::Command;

pub struct Host {
    name: String,
    link: String,
    /// This machine's address as the host sees it (where the server is).
    pub server_ip: String,
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether network namespaces can be made here (root and `ip`).
pub fn available() -> bool {
    let root = unsafe { libc::geteuid() } == 0;
    root && Command::new("ip")
        .args(["netns", "list"])
        .output()
        .is_ok_and(|o| o.status.success())
}

impl Host {
    /// Host number `n` (1..=250) of this test process.
    pub fn new(n: u8) -> Host {
        // Interface names are at most 15 bytes: unique per process and host.
        let tag = std::process::id() % 100_000;
        let host = Host {
            name: format!("mg{tag}h{n}"),
            link: format!("mg{tag}v{n}"),
            server_ip: format!("10.77.{n}.1"),
        };
        let peer = format!("{}p", host.link);
        ip(&["netns", "add", &host.name]);
        ip(&[
            "link", "add", &host.link, "type", "veth", "peer", "name", &peer,
        ]);
        ip(&["link", "set", &peer, "netns", &host.name]);
        ip(&[
            "addr",
            "add",
            &format!("{}/30", host.server_ip),
            "dev",
            &host.link,
        ]);
        ip(&["link", "set", &host.link, "up"]);
        let inside = |args: &[&str]| {
            let mut all = vec!["netns", "exec", &host.name, "ip"];
            all.extend_from_slice(args);
            ip(&all);
        };
        inside(&["addr", "add", &format!("10.77.{n}.2/30"), "dev", &peer]);
        inside(&["link", "set", &peer, "up"]);
        inside(&["link", "set", "lo", "up"]);
        host
    }

    /// The command that runs `program args` on this host.
    pub fn command(&self, program: &str, args: &[&str]) -> Vec<String> {
        let mut all = vec![
            "ip".to_string(),
            "netns".into(),
            "exec".into(),
            self.name.clone(),
            program.to_string(),
        ];
        all.extend(args.iter().map(|a| a.to_string()));
        all
    }

    /// Pulls the host's network cable (its link goes down on this side).
    pub fn pull_link(&self) {
        ip(&["link", "set", &self.link, "down"]);
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        // Removing the namespace removes its end of the pair, and with it this end.
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
        let _ = Command::new("ip")
            .args(["link", "del", &self.link])
            .output();
    }
}
