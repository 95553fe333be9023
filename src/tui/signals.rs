//! SIGTERM, SIGHUP (a dropped SSH session) and SIGINT end a review session through the same path
//! as `q`: the event loop sees the flag, returns, and the session restores the terminal (where it
//! still exists). Every decision is committed before the screen says saved, so nothing is lost;
//! what a quit must release (claims) is released there too. A second signal while the first is
//! being handled ends the process at once, so a stuck session can still be stopped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set when a stop signal arrived; checked by the event loop between events.
pub struct StopSignals {
    flag: Arc<AtomicBool>,
    /// Set when the session is over, which retires the watchdog.
    done: Arc<AtomicBool>,
    #[cfg(unix)]
    ids: Vec<signal_hook::SigId>,
}

impl StopSignals {
    /// Starts catching the stop signals (unix; elsewhere it never fires).
    pub fn install() -> std::io::Result<StopSignals> {
        let flag = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicBool::new(false));
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            let mut ids = Vec::new();
            for signal in [SIGTERM, SIGHUP, SIGINT] {
                // Registered first, the conditional shutdown sees the flag of an earlier signal.
                ids.push(signal_hook::flag::register_conditional_shutdown(
                    signal,
                    1,
                    Arc::clone(&flag),
                )?);
                ids.push(signal_hook::flag::register(signal, Arc::clone(&flag))?);
            }
            spawn_watchdog(Arc::clone(&flag), Arc::clone(&done));
            Ok(StopSignals { flag, done, ids })
        }
        #[cfg(not(unix))]
        Ok(StopSignals { flag, done })
    }

    /// True once a stop signal arrived.
    pub fn stopped(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }
}

impl Drop for StopSignals {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
        #[cfg(unix)]
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Waits up to `timeout` for input (or a hang-up) on standard input; a signal cuts it short.
pub fn wait_for_input(timeout: std::time::Duration) {
    #[cfg(unix)]
    {
        let mut fds = libc::pollfd {
            fd: libc::STDIN_FILENO,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        unsafe { libc::poll(&mut fds, 1, timeout.as_millis() as libc::c_int) };
    }
    #[cfg(not(unix))]
    std::thread::sleep(timeout);
}

/// True when the terminal on standard input has hung up (its SSH connection or window closed).
/// A hung-up terminal reads as end-of-file forever, and waiting for a key there would spin.
pub fn terminal_hung_up() -> bool {
    #[cfg(unix)]
    {
        let mut fds = libc::pollfd {
            fd: libc::STDIN_FILENO,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, zero timeout.
        let n = unsafe { libc::poll(&mut fds, 1, 0) };
        n > 0 && fds.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
    }
    #[cfg(not(unix))]
    false
}

/// How long the loop has to reach the quit path after a stop signal or a hang-up.
const GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// Ends the process if the session has not quit within [`GRACE`] of a stop signal or of its
/// terminal hanging up (a read stuck on a dead terminal must not spin forever). Decisions are
/// committed before the screen says saved, so exiting loses none.
#[cfg(unix)]
fn spawn_watchdog(flag: Arc<AtomicBool>, done: Arc<AtomicBool>) {
    let _ = std::thread::Builder::new()
        .name("stop-watchdog".into())
        .spawn(move || {
            let mut since: Option<std::time::Instant> = None;
            loop {
                std::thread::sleep(std::time::Duration::from_millis(100));
                if done.load(Ordering::SeqCst) {
                    return;
                }
                if flag.load(Ordering::SeqCst) || terminal_hung_up() {
                    let start = *since.get_or_insert_with(std::time::Instant::now);
                    if start.elapsed() > GRACE {
                        std::process::exit(129);
                    }
                }
            }
        });
}
