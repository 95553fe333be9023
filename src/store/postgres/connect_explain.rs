//! What went wrong connecting, in words a person can act on: the server's own message when it
//! sent one, a TLS refusal named (wrong CA, wrong host), a missing password with where it was
//! looked for.

use super::{Host, PgTarget};
use crate::store::postgres::tls::{self, TlsPlan};

impl PgTarget {
    /// What went wrong in words a person can act on: the server's message when it sent one.
    pub(super) fn explain(&self, err: &postgres::Error, had_password: bool) -> String {
        if let Some(db) = err.as_db_error() {
            return match db.hint() {
                Some(hint) => format!("{} ({hint})", db.message()),
                None => db.message().to_string(),
            };
        }
        let causes = causes(err);
        if let TlsPlan::Verified { roots, .. } = &self.tls {
            let host = match &self.host {
                Host::Tcp(name) => name.as_str(),
                Host::Socket(_) => "",
            };
            let refusal = causes
                .iter()
                .filter_map(|e| e.downcast_ref::<rustls::Error>())
                .find_map(|e| tls::describe_refusal(e, host, roots));
            if let Some(refusal) = refusal {
                return refusal;
            }
        }
        let mut detail = err.to_string();
        for cause in causes.iter().map(ToString::to_string) {
            // An I/O error prints the error it wraps: say each thing once.
            if !detail.ends_with(&cause) {
                detail = format!("{detail}: {cause}");
            }
        }
        if !had_password && detail.contains("password missing") {
            let file = self.passfile.as_ref().map_or_else(
                || "~/.pgpass (no home directory; set PGPASSFILE)".to_string(),
                |f| f.display().to_string(),
            );
            detail.push_str(&format!(
                "; the server asks for a password and none was found for {} in {file} (nor in \
                 PGPASSWORD): add a line host:port:database:user:password there, mode 0600",
                self.user,
            ));
        }
        detail
    }
}

/// The chain of causes under an error, looking inside I/O errors (which hide their inner
/// error from `source`), so a rustls error under the TLS failure can be found.
fn causes(err: &postgres::Error) -> Vec<&(dyn std::error::Error + 'static)> {
    let mut found = Vec::new();
    let mut next = std::error::Error::source(err);
    while let Some(cause) = next {
        found.push(cause);
        next = match cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => {
                let inner: &(dyn std::error::Error + 'static) = inner;
                found.push(inner);
                inner.source()
            }
            None => cause.source(),
        };
    }
    found
}
