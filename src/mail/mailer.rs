//! The one `Mailer`: turns an outbox row into a MIME message and hands it to the configured
//! transport, classifying failures as transient (try again later) or permanent (stop).
//!
//! It never touches the database: recording what happened is the outbox worker's job.

use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::{AsyncSmtpTransportBuilder, PoolConfig};
use lettre::Tokio1Executor;
use lettre::{Address, AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message};

use super::outbox::OutboxRow;
use super::settings::{MailConfigError, MailSettings, SmtpSecurity, TransportSettings};
use crate::domain::Email;

/// Why a mail was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth another try later: the relay is unreachable, timed out, or answered 4xx.
    #[error("{0}")]
    Transient(String),
    /// Will fail the same way every time: the relay answered 5xx about this mail (its reason
    /// is kept), or the stored mail cannot be turned into a message.
    #[error("{0}")]
    Permanent(String),
}

impl SendError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, SendError::Permanent(_))
    }

    pub fn reason(&self) -> &str {
        match self {
            SendError::Transient(r) | SendError::Permanent(r) => r,
        }
    }
}

/// A mail as the in-memory transport keeps it.
#[derive(Debug, Clone)]
pub struct SentMail {
    pub recipients: Vec<String>,
    pub message_id: String,
    /// The whole message as it would have gone over the wire.
    pub raw: String,
}

/// The mails an in-memory mailer has "sent", shared with whoever made it (unit tests).
#[derive(Debug, Clone, Default)]
pub struct MemoryMailbox(Arc<Mutex<Vec<SentMail>>>);

impl MemoryMailbox {
    pub fn sent(&self) -> Vec<SentMail> {
        self.lock().clone()
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<SentMail>> {
        // A panic while holding this lock can only come from a test that already failed.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

enum Transport {
    Smtp(Box<SmtpRelay>),
    File(AsyncFileTransport<Tokio1Executor>),
    Memory(MemoryMailbox),
}

/// One pooled SMTP transport, reused for every mail: connections stay open between mails.
///
/// lettre's async client bounds only the connect with its timeout, so each mail's whole
/// exchange runs under our own limit. A mail that hits it may leave a pooled connection in
/// the middle of a command; the pool is then replaced rather than trusted again.
struct SmtpRelay {
    builder: AsyncSmtpTransportBuilder,
    limit: Duration,
    /// The transport in use and its generation, bumped at each replacement.
    current: RwLock<(u64, AsyncSmtpTransport<Tokio1Executor>)>,
}

impl SmtpRelay {
    fn current(&self) -> (u64, AsyncSmtpTransport<Tokio1Executor>) {
        let guard = self.current.read().unwrap_or_else(|p| p.into_inner());
        (guard.0, guard.1.clone())
    }

    /// Replaces the transport of `generation` with a fresh pool, unless another send has
    /// already done so.
    fn replace(&self, generation: u64) {
        let mut guard = self.current.write().unwrap_or_else(|p| p.into_inner());
        if guard.0 == generation {
            *guard = (generation + 1, self.builder.clone().build());
        }
    }

    async fn send(&self, message: Message) -> Result<(), SendError> {
        let (generation, transport) = self.current();
        match tokio::time::timeout(self.limit, transport.send(message)).await {
            Ok(result) => result.map(drop).map_err(|e| classify_smtp(&e)),
            Err(_) => {
                self.replace(generation);
                Err(SendError::Transient(format!(
                    "the SMTP relay did not complete the exchange within {} s",
                    self.limit.as_secs_f64()
                )))
            }
        }
    }
}

/// Sends outbox rows through the configured transport.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    description: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("transport", &self.description)
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl Mailer {
    /// Builds the transport the settings name. For SMTP this must run inside a Tokio runtime
    /// (the connection pool keeps a task there); nothing is sent or connected yet, so an
    /// unreachable relay is not an error here — mail waits in the outbox until it is back.
    pub fn new(settings: &MailSettings) -> Result<Mailer, MailConfigError> {
        let transport = match &settings.transport {
            TransportSettings::File { dir } => {
                std::fs::create_dir_all(dir).map_err(|e| MailConfigError::CreateDir {
                    path: dir.clone(),
                    reason: e.to_string(),
                })?;
                Transport::File(AsyncFileTransport::new(dir))
            }
            TransportSettings::Smtp {
                host,
                port,
                security,
                credentials,
            } => {
                if tokio::runtime::Handle::try_current().is_err() {
                    return Err(MailConfigError::NoRuntime);
                }
                let tls_err = |e: lettre::transport::smtp::Error| MailConfigError::Tls {
                    host: host.clone(),
                    reason: e.to_string(),
                };
                let tls = match security {
                    SmtpSecurity::None => Tls::None,
                    SmtpSecurity::StartTls => {
                        Tls::Required(TlsParameters::new(host.clone()).map_err(tls_err)?)
                    }
                    SmtpSecurity::Implicit => {
                        Tls::Wrapper(TlsParameters::new(host.clone()).map_err(tls_err)?)
                    }
                };
                let pool_size = u32::try_from(settings.delivery.concurrency.max(1)).unwrap_or(64);
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    .port(*port)
                    .tls(tls)
                    .timeout(Some(settings.delivery.smtp_timeout))
                    .pool_config(PoolConfig::new().max_size(pool_size));
                if let Some(c) = credentials {
                    builder =
                        builder.credentials(Credentials::new(c.user.clone(), c.password.clone()));
                }
                Transport::Smtp(Box::new(SmtpRelay {
                    current: RwLock::new((0, builder.clone().build())),
                    builder,
                    limit: settings.delivery.smtp_timeout,
                }))
            }
        };
        Ok(Mailer {
            transport,
            from: settings.from.clone(),
            description: settings.describe(),
        })
    }

    /// A mailer that keeps what it sends in memory, and the handle to read it back.
    pub fn memory(from: Mailbox) -> (Mailer, MemoryMailbox) {
        let mailbox = MemoryMailbox::default();
        let mailer = Mailer {
            transport: Transport::Memory(mailbox.clone()),
            from,
            description: "memory".into(),
        };
        (mailer, mailbox)
    }

    /// The transport as a URL without secrets, for logs and `tandem mail status`.
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// Opens (or reuses) an SMTP connection and checks the relay answers, logging in if
    /// credentials are set. For operators' checks; sending does not depend on it.
    pub async fn check(&self) -> Result<(), SendError> {
        match &self.transport {
            Transport::Smtp(relay) => match relay.current().1.test_connection().await {
                Ok(true) => Ok(()),
                Ok(false) => Err(SendError::Transient(
                    "the SMTP relay accepted the connection but did not answer NOOP".into(),
                )),
                Err(e) => Err(classify_smtp(&e)),
            },
            Transport::File(_) | Transport::Memory(_) => Ok(()),
        }
    }

    /// Sends one outbox row, under the row's own Message-ID.
    pub async fn send(&self, row: &OutboxRow) -> Result<(), SendError> {
        let message = self.message(row)?;
        let result = match &self.transport {
            Transport::Smtp(relay) => relay.send(message).await,
            Transport::File(t) => t
                .send(message)
                .await
                .map(drop)
                .map_err(|e| SendError::Transient(format!("cannot write the mail file: {e}"))),
            Transport::Memory(mailbox) => {
                let recipients = message
                    .envelope()
                    .to()
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                let raw = String::from_utf8_lossy(&message.formatted()).into_owned();
                mailbox.lock().push(SentMail {
                    recipients,
                    message_id: row.message_id.clone(),
                    raw,
                });
                Ok(())
            }
        };
        if let Err(e) = &result {
            tracing::debug!(
                outbox_id = row.id,
                to = %masked(&row.recipient),
                error = %e,
                "mail not delivered"
            );
        }
        result
    }

    /// The MIME message for a row: multipart/alternative (text, then HTML), the row's
    /// Message-ID and extra headers.
    pub fn message(&self, row: &OutboxRow) -> Result<Message, SendError> {
        let to: Address = row.recipient.parse().map_err(|e| {
            SendError::Permanent(format!("the recipient address is not valid: {e}"))
        })?;
        let headers: Vec<(String, String)> = serde_json::from_str(&row.headers)
            .map_err(|e| SendError::Permanent(format!("the stored headers are not valid: {e}")))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(row.subject.as_str())
            .message_id(Some(row.message_id.clone()));
        for (name, value) in headers {
            let header = HeaderName::new_from_ascii(name.clone()).map_err(|_| {
                SendError::Permanent(format!("the stored header name {name:?} is not valid"))
            })?;
            builder = builder.raw_header(HeaderValue::new(header, value));
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                row.body_text.clone(),
                row.body_html.clone(),
            ))
            .map_err(|e| SendError::Permanent(format!("the message cannot be built: {e}")))
    }
}

/// 4xx and network trouble are transient; 5xx replies are permanent for this mail, except
/// the authentication ones (530, 534, 535, 538), which say the relay settings are wrong
/// rather than the mail: retrying them lets mail go out once an operator fixes the password.
fn classify_smtp(e: &lettre::transport::smtp::Error) -> SendError {
    let text = e.to_string();
    match e.status().map(u16::from) {
        Some(530 | 534 | 535 | 538) => SendError::Transient(text),
        Some(_) if e.is_permanent() => SendError::Permanent(text),
        Some(_) => SendError::Transient(text),
        None if e.is_client() => SendError::Permanent(text),
        None => SendError::Transient(text),
    }
}

/// A recipient as logs may show it.
pub fn masked(recipient: &str) -> String {
    Email::parse(recipient)
        .map(|e| e.masked())
        .unwrap_or_else(|_| "***".into())
}
