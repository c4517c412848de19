//! Mail: the transactional outbox, the one `Mailer`, the worker that moves one to the other,
//! and the templates of every mail Tandem sends.
//!
//! Every mail is an outbox row before it is a message: callers [`outbox::enqueue`] inside
//! their own transaction, and only the worker ([`worker::run_worker`], or
//! [`worker::drain_once`] for `tandem tick`) sends. Transient failures (relay unreachable,
//! 4xx) come back later with exponential back-off; permanent ones (5xx) are recorded with
//! the relay's reason and never retried. Nothing here sends mail inline from a request, and
//! nothing logs a full recipient address or a password.
//!
//! Configuration: `TANDEM_MAIL_URL` (`smtp://` or `smtps://`, either with `ca_file=` for a
//! relay with a private CA, or `file://`, the default: `.eml` files in `<data dir>/mail`)
//! and `TANDEM_MAIL_FROM`; see [`MailSettings::parse`].

pub mod bounces;
pub mod links;
mod mailer;
pub mod messages;
pub mod outbox;
mod refusals;
mod settings;
mod smtp;
pub mod transport;
pub mod worker;

pub use bounces::{BounceSettings, DEFAULT_SOFT_DAYS};
pub use links::Links;
pub use mailer::{masked, Mailer};
pub use outbox::{OutboxRow, OutboxStats, OutgoingMail};
pub use settings::{
    Backoff, DeliverySettings, MailConfigError, MailSettings, SmtpCredentials, SmtpSecurity,
    TransportSettings, DEFAULT_FROM,
};
pub use transport::{MemoryMailbox, SendError, SentMail, Transport};
pub use worker::{drain_once, drain_until, run_worker, DrainReport, WorkerHandle};
