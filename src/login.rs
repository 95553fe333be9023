//! Who this process runs as, by the operating system (the default actor name, and the default
//! PostgreSQL user as libpq would take it).

/// The OS login name of this process, from its user id (not `$USER`, which anyone can set).
pub fn login_name() -> Option<String> {
    #[cfg(unix)]
    {
        // SAFETY: getpwuid returns a pointer into static storage or null; we copy the name out
        // at once and this program does not call getpw* from other threads.
        unsafe {
            let pw = libc::getpwuid(libc::getuid());
            if pw.is_null() || (*pw).pw_name.is_null() {
                return None;
            }
            let name = std::ffi::CStr::from_ptr((*pw).pw_name);
            name.to_str().ok().map(str::to_string)
        }
    }
    #[cfg(not(unix))]
    {
        std::env::var("USERNAME").ok()
    }
}
