//! The SMTP side of the `Mailer`: a small pool of lettre SMTP connections over TCP sockets
//! we open ourselves.
//!
//! Why not lettre's own pooled `AsyncSmtpTransport`: lettre 0.11.23 leaves Nagle's algorithm
//! on, and writes a message's final `.` separately from its body, so every mail waits for the
//! relay's delayed ACK (40 ms on Linux): about 25 mails/s per connection. Opening the socket
//! ourselves with `TCP_NODELAY` and handing it to lettre's SMTP client removes the stall
//! (lettre merged the same fix upstream, PR #1159; drop this once a release carries it).
//! `smtps://` still goes through lettre's own connect, which opens the socket inside
//! lettre, so it keeps the stall; use STARTTLS (587) for large volumes.
//!
//! lettre's async client bounds only the TCP connect with a timeout, so each mail's whole
//! exchange runs under our own limit. A connection goes back to the pool only after a
//! completed exchange; one abandoned mid-command is dropped, never reused.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, Certificate, CertificateStore, TlsParameters,
};
use lettre::transport::smtp::extension::ClientId;

use super::settings::{MailConfigError, SmtpCredentials, SmtpSecurity};
use super::transport::{Outgoing, SendError, Sending, Transport};

/// A parked connection used within this long is reused as is; an older one is first checked
/// with NOOP, which costs a round trip but catches a relay that closed it meanwhile.
const TRUSTED_IDLE: Duration = Duration::from_secs(1);
/// Parked connections older than this are closed rather than checked: relays drop idle
/// sessions after a minute or more.
const MAX_IDLE: Duration = Duration::from_secs(30);

pub(super) struct SmtpRelay {
    host: String,
    port: u16,
    security: SmtpSecurity,
    tls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    hello: ClientId,
    limit: Duration,
    max_parked: usize,
    parked: Mutex<Vec<Parked>>,
}

impl Transport for SmtpRelay {
    fn send<'a>(&'a self, mail: Outgoing<'a>) -> Sending<'a> {
        Box::pin(self.deliver(mail.envelope, mail.raw))
    }

    fn check(&self) -> Sending<'_> {
        Box::pin(self.open_and_quit())
    }
}

struct Parked {
    conn: AsyncSmtpConnection,
    since: Instant,
}

impl SmtpRelay {
    pub(super) fn new(
        host: &str,
        port: u16,
        security: SmtpSecurity,
        credentials: Option<&SmtpCredentials>,
        ca_file: Option<&Path>,
        limit: Duration,
        max_parked: usize,
    ) -> Result<SmtpRelay, MailConfigError> {
        let tls = match security {
            SmtpSecurity::None => None,
            SmtpSecurity::StartTls | SmtpSecurity::Implicit => Some(tls_parameters(host, ca_file)?),
        };
        Ok(SmtpRelay {
            host: host.to_owned(),
            port,
            security,
            tls,
            credentials: credentials.map(|c| Credentials::new(c.user.clone(), c.password.clone())),
            hello: ClientId::default(),
            limit,
            max_parked: max_parked.max(1),
            parked: Mutex::new(Vec::new()),
        })
    }

    /// Sends one message: MAIL, RCPT, DATA on a pooled or new connection, under the limit.
    async fn deliver(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SendError> {
        let exchange = async {
            let mut conn = match self.reusable().await {
                Some(conn) => conn,
                None => self.connect().await?,
            };
            let result = conn.send(envelope, message).await;
            // lettre marks a connection broken after any error reply or I/O failure.
            if !conn.has_broken() {
                self.park(conn);
            }
            result.map(drop).map_err(|e| classify(&e))
        };
        self.within_limit(exchange).await
    }

    /// Opens a session (and logs in), then leaves it politely.
    async fn open_and_quit(&self) -> Result<(), SendError> {
        self.within_limit(async {
            let mut conn = self.connect().await?;
            conn.quit()
                .await
                .map(drop)
                .map_err(|e| SendError::Transient(format!("the SMTP relay refused QUIT: {e}")))
        })
        .await
    }

    async fn within_limit(
        &self,
        exchange: impl std::future::Future<Output = Result<(), SendError>>,
    ) -> Result<(), SendError> {
        tokio::time::timeout(self.limit, exchange)
            .await
            .unwrap_or_else(|_| {
                Err(SendError::Transient(format!(
                    "the SMTP relay {}:{} did not complete the exchange within {} s",
                    self.host,
                    self.port,
                    self.limit.as_secs_f64()
                )))
            })
    }

    /// A new session: TCP with `TCP_NODELAY`, greeting and EHLO, STARTTLS if configured, then
    /// login. Every failure here is about the relay or its settings, not the mail, so it is
    /// transient: mail waits until the relay (or its configuration) is fixed.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let relay = format!("{}:{}", self.host, self.port);
        let fail = |what: &str, e: &dyn std::fmt::Display| {
            SendError::Transient(format!("SMTP relay {relay}: {what}: {e}"))
        };
        let mut conn = match (self.security, &self.tls) {
            (SmtpSecurity::Implicit, Some(tls)) => AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(self.limit),
                &self.hello,
                Some(tls.clone()),
                None,
            )
            .await
            .map_err(|e| tls_failure(&relay, &self.host, "cannot open a TLS session", &e))?,
            _ => {
                let tcp = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
                    .await
                    .map_err(|e| fail("cannot connect", &e))?;
                tcp.set_nodelay(true)
                    .map_err(|e| fail("cannot set TCP_NODELAY", &e))?;
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                    .await
                    .map_err(|e| fail("no SMTP greeting", &e))?
            }
        };
        if let (SmtpSecurity::StartTls, Some(tls)) = (self.security, &self.tls) {
            if !conn.can_starttls() {
                return Err(SendError::Transient(format!(
                    "SMTP relay {relay} does not offer STARTTLS, which TANDEM_MAIL_URL requires"
                )));
            }
            conn.starttls(tls.clone(), &self.hello)
                .await
                .map_err(|e| tls_failure(&relay, &self.host, "STARTTLS failed", &e))?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(DEFAULT_MECHANISMS, credentials)
                .await
                .map_err(|e| fail("login refused", &e))?;
        }
        Ok(conn)
    }

    /// The most recently parked connection that is still usable, if any.
    async fn reusable(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let Parked { mut conn, since } = self.lock().pop()?;
            let idle = since.elapsed();
            if idle <= TRUSTED_IDLE || (idle <= MAX_IDLE && conn.test_connected().await) {
                return Some(conn);
            }
        }
    }

    fn park(&self, conn: AsyncSmtpConnection) {
        let mut parked = self.lock();
        parked.retain(|p| p.since.elapsed() <= MAX_IDLE);
        if parked.len() < self.max_parked {
            parked.push(Parked {
                conn,
                since: Instant::now(),
            });
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Parked>> {
        // The lock is never held across an await or a panic-prone call.
        self.parked.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// TLS settings for `host`: the public roots (webpki-roots), or with `ca_file` only the CA
/// certificates in that PEM file. Either way the certificate must be valid for `host`;
/// there is deliberately no switch to accept any certificate.
fn tls_parameters(host: &str, ca_file: Option<&Path>) -> Result<TlsParameters, MailConfigError> {
    let tls_err = |reason: String| MailConfigError::Tls {
        host: host.to_owned(),
        reason,
    };
    let mut builder = TlsParameters::builder(host.to_owned());
    if let Some(path) = ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| tls_err(format!("cannot read ca_file {}: {e}", path.display())))?;
        if !pem
            .windows(b"-----BEGIN CERTIFICATE-----".len())
            .any(|w| w == b"-----BEGIN CERTIFICATE-----")
        {
            return Err(tls_err(format!(
                "ca_file {} holds no PEM certificate",
                path.display()
            )));
        }
        let ca = Certificate::from_pem(&pem)
            .map_err(|e| tls_err(format!("ca_file {}: {e}", path.display())))?;
        builder = builder
            .certificate_store(CertificateStore::None)
            .add_root_certificate(ca);
    }
    builder.build().map_err(|e| tls_err(e.to_string()))
}

/// A failed TLS handshake, transient like every connection failure, but saying in words
/// what was wrong with the relay's certificate and what to change.
fn tls_failure(
    relay: &str,
    host: &str,
    what: &str,
    e: &lettre::transport::smtp::Error,
) -> SendError {
    let reason = match certificate_error(e) {
        Some(rustls::CertificateError::UnknownIssuer) => format!(
            "the relay's certificate is not signed by a trusted CA (unknown issuer); for a \
             relay with a private CA add ca_file=/path/to/ca.pem to TANDEM_MAIL_URL ({e})"
        ),
        Some(
            rustls::CertificateError::NotValidForName
            | rustls::CertificateError::NotValidForNameContext { .. },
        ) => format!(
            "the relay's certificate is not valid for the host name {host}; put the name the \
             certificate was issued for in TANDEM_MAIL_URL ({e})"
        ),
        Some(
            rustls::CertificateError::Expired | rustls::CertificateError::ExpiredContext { .. },
        ) => format!("the relay's certificate has expired ({e})"),
        Some(other) => format!("the relay's certificate was refused: {other:?} ({e})"),
        None => e.to_string(),
    };
    SendError::Transient(format!("SMTP relay {relay}: {what}: {reason}"))
}

/// The rustls certificate verdict inside a lettre error, if that is what it is: rustls
/// reports it as an `io::Error` wrapping a `rustls::Error`, somewhere in the source chain.
fn certificate_error(e: &lettre::transport::smtp::Error) -> Option<rustls::CertificateError> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        let inner = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|i| i as &(dyn std::error::Error + 'static))
            .unwrap_or(err);
        if let Some(rustls::Error::InvalidCertificate(c)) = inner.downcast_ref::<rustls::Error>() {
            return Some(c.clone());
        }
        next = err.source();
    }
    None
}

/// 4xx and network trouble are transient; 5xx replies are permanent for this mail, except
/// the authentication ones (530, 534, 535, 538), which say the relay settings are wrong
/// rather than the mail: retrying them lets mail go out once an operator fixes the password.
fn classify(e: &lettre::transport::smtp::Error) -> SendError {
    let text = e.to_string();
    match e.status().map(u16::from) {
        Some(530 | 534 | 535 | 538) => SendError::Transient(text),
        Some(_) if e.is_permanent() => SendError::Permanent(text),
        Some(_) => SendError::Transient(text),
        None if e.is_client() => SendError::Permanent(text),
        None => SendError::Transient(text),
    }
}
