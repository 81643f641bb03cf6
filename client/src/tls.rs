//! TLS for [`Conn`](crate::resp::Conn) (feature `tls`): rustls with the ring provider,
//! the system's trusted roots (`rustls-native-certs`) or a CA file (`--cacert`), or no
//! verification at all (`--insecure`, which the caller must announce loudly).

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme, StreamOwned};
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use crate::resp::ConnectError;

/// How the server's certificate is checked.
#[derive(Debug, Clone)]
pub enum Verify {
    /// Against the system's trusted roots.
    System,
    /// Against the certificates of a PEM file only (`--cacert`).
    CaPem(Vec<u8>),
    /// Not at all: any certificate is accepted (the signatures of the handshake are
    /// still checked). Only for servers whose traffic may be read by anyone on the path.
    Insecure,
}

/// A TLS client configuration, cheap to clone.
#[derive(Clone)]
pub struct Tls {
    config: Arc<ClientConfig>,
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl Tls {
    /// The configuration for `verify`; an error says what is wrong with the roots.
    pub fn new(verify: &Verify) -> Result<Tls, String> {
        let builder = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup: {e}"))?;
        let config = match verify {
            Verify::Insecure => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider())))
                .with_no_client_auth(),
            Verify::System => {
                let found = rustls_native_certs::load_native_certs();
                let mut roots = RootCertStore::empty();
                let (added, _) = roots.add_parsable_certificates(found.certs);
                if added == 0 {
                    let why = found.errors.first().map(|e| format!(": {e}")).unwrap_or_default();
                    return Err(format!(
                        "no trusted root certificate found on this system{why}; give one with --cacert"
                    ));
                }
                builder.with_root_certificates(roots).with_no_client_auth()
            }
            Verify::CaPem(pem) => {
                let mut roots = RootCertStore::empty();
                for cert in CertificateDer::pem_slice_iter(pem) {
                    let cert = cert.map_err(|e| format!("the CA file is not PEM: {e}"))?;
                    roots.add(cert).map_err(|e| format!("the CA file holds a certificate rustls refuses: {e}"))?;
                }
                if roots.is_empty() {
                    return Err("the CA file holds no certificate (expected PEM `-----BEGIN CERTIFICATE-----`)".into());
                }
                builder.with_root_certificates(roots).with_no_client_auth()
            }
        };
        Ok(Tls { config: Arc::new(config) })
    }

    /// Runs the handshake on `tcp` for `host` (a name or an IP address), within the
    /// stream's time-outs.
    pub(crate) fn handshake(
        &self,
        mut tcp: TcpStream,
        host: &str,
        addr: SocketAddr,
        timeout: Duration,
    ) -> Result<StreamOwned<ClientConnection, TcpStream>, ConnectError> {
        let fail = |reason: String| ConnectError::Tls { addr: addr.to_string(), reason };
        let name = ServerName::try_from(host.to_string()).map_err(|e| fail(format!("`{host}`: {e}")))?;
        let mut conn = ClientConnection::new(self.config.clone(), name).map_err(|e| fail(e.to_string()))?;
        while conn.is_handshaking() {
            if let Err(e) = conn.complete_io(&mut tcp) {
                return Err(fail(match e.kind() {
                    // A plain Redis port reads the ClientHello as the start of an inline
                    // command and waits for its end: silence, not a refusal.
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => format!(
                        "no TLS answer within {} s: is this a plain (non-TLS) port? use redis:// for it",
                        timeout.as_secs_f64()
                    ),
                    io::ErrorKind::UnexpectedEof
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted => {
                        "the server closed the connection during the handshake".to_string()
                    }
                    _ => match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                        Some(rustls::Error::InvalidCertificate(c)) => {
                            format!("the server's certificate is not trusted ({c:?}); give its CA with --cacert")
                        }
                        Some(r) => r.to_string(),
                        None => e.to_string(),
                    },
                }));
            }
        }
        Ok(StreamOwned::new(conn, tcp))
    }
}

/// `--insecure`: accepts any certificate, still checking the handshake's signatures.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
