//! The one interface every way of delivering mail implements (SMTP relay, `.eml` files,
//! memory for unit tests), and the error that says whether a failure is worth retrying.
//! The [`super::Mailer`] sits above it: it builds the message, a transport only delivers it.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

use lettre::address::Envelope;
use lettre::{AsyncFileTransport, AsyncTransport, Tokio1Executor};

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
    /// The envelope sender (`MAIL FROM`).
    pub sender: Option<String>,
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

/// One message ready to go: its envelope, its bytes as they go over the wire, and the
/// Message-ID the outbox gave it.
pub struct Outgoing<'a> {
    pub envelope: &'a Envelope,
    pub raw: &'a [u8],
    pub message_id: &'a str,
}

/// What a transport returns: a boxed future, so that the mailer can hold any transport
/// behind `dyn Transport` (an `async fn` in a trait cannot be called through `dyn`).
pub type Sending<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// A way of delivering a built message.
pub trait Transport: Send + Sync {
    /// Delivers one message; a failure says whether another try may succeed.
    fn send<'a>(&'a self, mail: Outgoing<'a>) -> Sending<'a>;

    /// Checks that the transport can deliver (an SMTP session opened and closed); the
    /// others have nothing to check.
    fn check(&self) -> Sending<'_> {
        Box::pin(async { Ok(()) })
    }
}

/// `.eml` files in a folder (the embedded default), each with its envelope beside it.
///
/// A mail file holds a personal link, so each is made owner-only (0600) right after lettre
/// writes it; the folder itself is 0700 (see [`crate::secrets::at_rest`]), so nobody else
/// can read a file in the moment before.
pub struct FileTransport {
    inner: AsyncFileTransport<Tokio1Executor>,
    dir: std::path::PathBuf,
}

impl FileTransport {
    pub fn new(dir: &Path) -> FileTransport {
        FileTransport {
            inner: AsyncFileTransport::new(dir),
            dir: dir.to_path_buf(),
        }
    }
}

impl Transport for FileTransport {
    fn send<'a>(&'a self, mail: Outgoing<'a>) -> Sending<'a> {
        Box::pin(async move {
            let id = self
                .inner
                .send_raw(mail.envelope, mail.raw)
                .await
                .map_err(|e| SendError::Transient(format!("cannot write the mail file: {e}")))?;
            for ext in ["eml", "json"] {
                let path = self.dir.join(format!("{id}.{ext}"));
                if path.exists() {
                    crate::secrets::at_rest::private_file(&path).map_err(|e| {
                        SendError::Transient(format!(
                            "cannot make the mail file {} private: {e}",
                            path.display()
                        ))
                    })?;
                }
            }
            Ok(())
        })
    }
}

impl Transport for MemoryMailbox {
    fn send<'a>(&'a self, mail: Outgoing<'a>) -> Sending<'a> {
        Box::pin(async move {
            let recipients = mail.envelope.to().iter().map(ToString::to_string).collect();
            self.lock().push(SentMail {
                sender: mail.envelope.from().map(ToString::to_string),
                recipients,
                message_id: mail.message_id.to_owned(),
                raw: String::from_utf8_lossy(mail.raw).into_owned(),
            });
            Ok(())
        })
    }
}
