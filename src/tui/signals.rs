//! The terminal as seen from its reader thread: whether it has hung up (a dropped SSH session, a
//! closed window) and waiting for input without crossterm. A hung-up terminal reads as
//! end-of-file forever, and crossterm's reader spins on that without returning, so the reader
//! asks crossterm only when input waits on a live terminal.

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

/// True when the terminal on standard input has hung up.
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
