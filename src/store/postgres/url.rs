//! The syntax of a `postgres://` URL as libpq reads it: the parts as written, percent-decoded,
//! before any default is filled in. A password anywhere in it is refused here.

use crate::store::{StoreError, StoreResult};

/// What a URL says, each part absent when the URL leaves it out.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct UrlParts {
    pub user: Option<String>,
    pub host: Option<String>,
    pub port: Option<String>,
    pub dbname: Option<String>,
    /// `?name=value` pairs in order (a later one overrides an earlier one, as in libpq).
    pub params: Vec<(String, String)>,
}

/// Where a password belongs instead of the command line, for every refusal that finds one.
pub(super) const PASSWORD_ADVICE: &str = "a password on the command line is visible to everyone \
     on this machine (process list, shell history): put it in ~/.pgpass or the file PGPASSFILE \
     or passfile= names, one line host:port:database:user:password, mode 0600";

/// Splits `postgres[ql]://[user@][host][:port][/dbname][?param=value&...]`.
pub(super) fn split(url: &str) -> StoreResult<UrlParts> {
    let rest = url
        .strip_prefix("postgresql://")
        .or_else(|| url.strip_prefix("postgres://"))
        .ok_or_else(|| refused("a PostgreSQL URL starts with postgres:// or postgresql://"))?;
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let (authority, path) = match before_query.split_once('/') {
        Some((authority, path)) => (authority, Some(path)),
        None => (before_query, None),
    };
    let mut parts = UrlParts::default();
    // The last '@': an unencoded '@' inside a password must not leave the secret in the host.
    let hostport = match authority.rsplit_once('@') {
        Some((userinfo, hostport)) => {
            if userinfo.contains(':') {
                return Err(refused(&format!(
                    "the URL holds a password; {PASSWORD_ADVICE}"
                )));
            }
            parts.user = non_empty(decode(userinfo, "the user name")?);
            hostport
        }
        None => authority,
    };
    if hostport.contains(',') {
        return Err(refused(
            "the URL names several hosts; matchgate connects to one server",
        ));
    }
    let (host, port) = split_host_port(hostport)?;
    parts.host = non_empty(decode(host, "the host")?);
    parts.port = port.map(|p| decode(p, "the port")).transpose()?;
    parts.dbname = path
        .map(|p| decode(p, "the database name"))
        .transpose()?
        .and_then(non_empty);
    if let Some(query) = query {
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').ok_or_else(|| {
                refused(&format!(
                    "URL parameter `{}` has no value (write name=value)",
                    decode(pair, "a parameter").unwrap_or_else(|_| pair.to_string())
                ))
            })?;
            let name = decode(name, "a parameter name")?;
            let value = decode(value, &format!("the value of `{name}`"))?;
            parts.params.push((name, value));
        }
    }
    Ok(parts)
}

/// `host:port`, `[v6]:port` or either alone; the port is left as written.
fn split_host_port(hostport: &str) -> StoreResult<(&str, Option<&str>)> {
    if let Some(bracketed) = hostport.strip_prefix('[') {
        let (host, after) = bracketed
            .split_once(']')
            .ok_or_else(|| refused("the URL's host opens `[` without closing `]`"))?;
        return match after {
            "" => Ok((host, None)),
            _ => match after.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err(refused("unexpected text after `]` in the URL's host")),
            },
        };
    }
    Ok(match hostport.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (hostport, None),
    })
}

/// `%XX` escapes to bytes, then UTF-8; `+` stays `+` (libpq does not read it as a space).
pub(super) fn decode(text: &str, what: &str) -> StoreResult<String> {
    let bad = || refused(&format!("{what} in the URL has a bad %-escape"));
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3).ok_or_else(bad)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| refused(&format!("{what} in the URL is not UTF-8")))
}

/// Escapes what would change a URL's meaning, so a printed URL reads back the same.
pub(super) fn encode(text: &str, keep: &[char]) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || "-._~".contains(c) || keep.contains(&c) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

pub(super) fn refused(message: &str) -> StoreError {
    StoreError::Refused(format!("PostgreSQL URL: {message}"))
}
