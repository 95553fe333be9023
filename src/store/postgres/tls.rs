//! TLS to the server: which sslmode asks for what, and the rustls client that checks the server's
//! certificate. matchgate never accepts a certificate it cannot verify against a root certificate.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

/// libpq's sslmode values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub fn parse(value: &str) -> Option<SslMode> {
        Some(match value {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// How a connection uses TLS, decided from the mode and whether there is a root certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TlsPlan {
    /// No TLS at all.
    Plain,
    /// TLS, the server's chain checked against `roots`; `required`: refuse a server without TLS;
    /// `check_name`: the certificate must also name the host (verify-full).
    Verified {
        roots: PathBuf,
        required: bool,
        check_name: bool,
    },
}

/// The plan for `mode` over TCP, given the root certificate file if there is one.
/// Over a Unix socket PostgreSQL has no TLS and libpq ignores sslmode: callers pass `Plain`.
pub(super) fn plan(mode: SslMode, roots: Option<&Path>) -> Result<TlsPlan, String> {
    let Some(roots) = roots else {
        return match mode {
            // libpq would take TLS here without checking the certificate; an unverified
            // certificate proves nothing, so without a root certificate we do not use TLS.
            SslMode::Disable | SslMode::Allow | SslMode::Prefer => Ok(TlsPlan::Plain),
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => Err(format!(
                "sslmode={} needs the root certificate that signed the server's certificate, \
                 and there is none: set sslrootcert=/path/to/root.crt in the URL (or \
                 PGSSLROOTCERT), or put it in ~/.postgresql/root.crt; matchgate never accepts \
                 a certificate it cannot verify",
                mode.name()
            )),
        };
    };
    let verified = |required, check_name| TlsPlan::Verified {
        roots: roots.to_path_buf(),
        required,
        check_name,
    };
    Ok(match mode {
        SslMode::Disable => TlsPlan::Plain,
        // allow tries TLS second in libpq, prefer first; one attempt with TLS when offered
        // serves both. A certificate that fails the check is refused, never fallen back from.
        SslMode::Allow | SslMode::Prefer => verified(false, false),
        // require with a root certificate is verify-ca, as in libpq.
        SslMode::Require | SslMode::VerifyCa => verified(true, false),
        SslMode::VerifyFull => verified(true, true),
    })
}

/// A rustls client trusting only the certificates in `roots` (PEM).
pub(super) fn client_config(roots: &Path, check_name: bool) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let webpki =
        WebPkiServerVerifier::builder_with_provider(Arc::new(root_store(roots)?), provider.clone())
            .build()
            .map_err(|e| {
                format!(
                    "cannot use the root certificates in {}: {e}",
                    roots.display()
                )
            })?;
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?;
    let config = if check_name {
        builder.with_webpki_verifier(webpki)
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ChainOnly(webpki)))
    };
    Ok(config.with_no_client_auth())
}

fn root_store(path: &Path) -> Result<RootCertStore, String> {
    let cannot = |e: &dyn std::fmt::Display| {
        format!(
            "cannot read the root certificate file {} (sslrootcert): {e}",
            path.display()
        )
    };
    let file = std::fs::File::open(path).map_err(|e| cannot(&e))?;
    let mut store = RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut BufReader::new(file)) {
        store
            .add(cert.map_err(|e| cannot(&e))?)
            .map_err(|e| cannot(&e))?;
    }
    if store.is_empty() {
        return Err(cannot(
            &"no PEM certificate (-----BEGIN CERTIFICATE-----) in it",
        ));
    }
    Ok(store)
}

/// verify-ca: the chain must lead to a root certificate, the host name is not checked.
/// webpki checks the name only after the chain, so NotValidForName means the chain was good.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// A sentence for a certificate the check refused, or None when `err` is another TLS failure.
pub(super) fn describe_refusal(err: &rustls::Error, host: &str, roots: &Path) -> Option<String> {
    let rustls::Error::InvalidCertificate(cert) = err else {
        return None;
    };
    let why = match cert {
        CertificateError::UnknownIssuer => format!(
            "the server's certificate is not signed by a root certificate in {}",
            roots.display()
        ),
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            format!(
                "the server's certificate is not valid for the host name {host} (sslmode=verify-full checks it)"
            )
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            "the server's certificate has expired".to_string()
        }
        _ => "the server's certificate was refused".to_string(),
    };
    Some(format!("certificate verify failed: {why} ({err})"))
}
