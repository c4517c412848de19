//! The one `Mailer`: turns an outbox row into a MIME message and hands it to the configured
//! transport, classifying failures as transient (try again later) or permanent (stop).
//!
//! It never touches the database: recording what happened is the outbox worker's job.

use lettre::address::Envelope;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, Message};

use super::outbox::OutboxRow;
use super::settings::{MailConfigError, MailSettings, TransportSettings};
use super::smtp::SmtpRelay;
use super::transport::{FileTransport, MemoryMailbox, Outgoing, SendError, Transport};
use crate::domain::Email;

/// Sends outbox rows through the configured transport.
pub struct Mailer {
    transport: Box<dyn Transport>,
    from: Mailbox,
    /// The base of VERP envelope senders, when bounce handling is on.
    bounce_address: Option<Address>,
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
    /// Builds the transport the settings name. Nothing is sent or connected yet, so an
    /// unreachable relay is not an error here: mail waits in the outbox until it is back.
    pub fn new(settings: &MailSettings) -> Result<Mailer, MailConfigError> {
        let transport = match &settings.transport {
            TransportSettings::File { dir } => {
                crate::secrets::at_rest::private_dir(dir).map_err(|e| {
                    MailConfigError::CreateDir {
                        path: dir.clone(),
                        reason: e.to_string(),
                    }
                })?;
                Box::new(FileTransport::new(dir)) as Box<dyn Transport>
            }
            TransportSettings::Smtp {
                host,
                port,
                security,
                credentials,
                ca_file,
            } => Box::new(SmtpRelay::new(
                host,
                *port,
                *security,
                credentials.as_ref(),
                ca_file.as_deref(),
                settings.delivery.smtp_timeout,
                settings.delivery.concurrency,
            )?),
        };
        Ok(Mailer {
            transport,
            from: settings.from.clone(),
            bounce_address: settings.bounces.address.clone(),
            description: settings.describe(),
        })
    }

    /// A mailer that keeps what it sends in memory, and the handle to read it back.
    pub fn memory(from: Mailbox) -> (Mailer, MemoryMailbox) {
        let mailbox = MemoryMailbox::default();
        let mailer = Mailer {
            transport: Box::new(mailbox.clone()),
            from,
            bounce_address: None,
            description: "memory".into(),
        };
        (mailer, mailbox)
    }

    /// Sends with VERP envelope senders under `base` (see [`super::bounces::verp`]).
    pub fn with_bounce_address(mut self, base: Option<Address>) -> Mailer {
        self.bounce_address = base;
        self
    }

    /// The transport as a URL without secrets, for logs and `tandem mail status`.
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// Opens an SMTP session (with STARTTLS and login when configured) and closes it: for
    /// operators' checks (`tandem mail check`); sending does not depend on it.
    pub async fn check(&self) -> Result<(), SendError> {
        self.transport.check().await
    }

    /// Sends one outbox row, under the row's own Message-ID.
    pub async fn send(&self, row: &OutboxRow) -> Result<(), SendError> {
        let message = self.message(row)?;
        let raw = message.formatted();
        let message_id = self.wire_message_id(&row.message_id);
        let envelope = self.envelope(row, &message)?;
        let result = self
            .transport
            .send(Outgoing {
                envelope: &envelope,
                raw: &raw,
                message_id: &message_id,
            })
            .await;
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

    /// The message's envelope; with bounce handling on, its sender is the row's VERP address
    /// instead of the From: address.
    fn envelope(&self, row: &OutboxRow, message: &Message) -> Result<Envelope, SendError> {
        let Some(base) = &self.bounce_address else {
            return Ok(message.envelope().clone());
        };
        let sender = super::bounces::verp::address(base, row.id, &row.message_id);
        Envelope::new(Some(sender), message.envelope().to().to_vec())
            .map_err(|e| SendError::Permanent(format!("the envelope cannot be built: {e}")))
    }

    /// The Message-ID a stored row goes out under: the row's random part at the domain of
    /// our From address (RFC 5322 §3.6.4), the same on every re-send of the row.
    pub fn wire_message_id(&self, stored: &str) -> String {
        let local = stored
            .trim_start_matches('<')
            .split('@')
            .next()
            .unwrap_or_default();
        format!("<{local}@{}>", self.from.email.domain())
    }

    /// The MIME message for a row: multipart/alternative (text, then HTML), the row's
    /// Message-ID (see [`Mailer::wire_message_id`]) and extra headers.
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
            .message_id(Some(self.wire_message_id(&row.message_id)));
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

/// A recipient as logs may show it.
pub fn masked(recipient: &str) -> String {
    Email::parse(recipient)
        .map(|e| e.masked())
        .unwrap_or_else(|_| "***".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(recipient: &str, headers: &str) -> OutboxRow {
        let now = crate::db::now();
        OutboxRow {
            id: 7,
            kind: "invitation".into(),
            recipient: recipient.into(),
            subject: "Your view of the partnership".into(),
            body_text: "Hello Ann, https://t.example.com/s/abc".into(),
            body_html: "<p>Hello Ann, <a href=\"https://t.example.com/s/abc\">link</a></p>".into(),
            headers: headers.into(),
            message_id: "<abc123@tandem>".into(),
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: now,
            locked_until: None,
            last_error: None,
            sent_at: None,
            invitation_id: None,
            created_at: now,
        }
    }

    fn mailer() -> (Mailer, MemoryMailbox) {
        Mailer::memory("Tandem <surveys@tandem.test>".parse().unwrap())
    }

    #[tokio::test]
    async fn a_row_becomes_a_multipart_message_under_its_own_message_id() {
        let (mailer, mailbox) = mailer();
        let headers = r#"[["List-Unsubscribe","<https://t.example.com/s/abc/opt-out>"]]"#;

        mailer.send(&row("ann@example.com", headers)).await.unwrap();

        let sent = mailbox.sent();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].recipients, vec!["ann@example.com".to_owned()]);
        let raw = &sent[0].raw;
        assert!(raw.contains("Message-ID: <abc123@tandem.test>"), "{raw}");
        assert_eq!(sent[0].message_id, "<abc123@tandem.test>");
        assert!(raw.contains("From: Tandem <surveys@tandem.test>"), "{raw}");
        assert!(raw.contains("List-Unsubscribe: <https://t.example.com/s/abc/opt-out>"));
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("text/plain") && raw.contains("text/html"));
    }

    #[tokio::test]
    async fn with_a_bounce_address_the_envelope_sender_is_the_rows_verp_address() {
        let (mailer, mailbox) = mailer();
        let mailer = mailer.with_bounce_address(Some("bounces@tandem.test".parse().unwrap()));

        mailer.send(&row("ann@example.com", "[]")).await.unwrap();

        let sent = mailbox.sent();
        let expected = crate::mail::bounces::verp::address(
            &"bounces@tandem.test".parse().unwrap(),
            7,
            "<abc123@tandem>",
        );
        assert_eq!(
            sent[0].sender.as_deref(),
            Some(expected.to_string().as_str())
        );
        assert!(sent[0].raw.contains("From: Tandem <surveys@tandem.test>"));
    }

    #[tokio::test]
    async fn a_row_that_cannot_become_a_message_fails_permanently() {
        let (mailer, mailbox) = mailer();
        for bad in [
            row("not an address", "[]"),
            row("ann@example.com", "not json"),
            row("ann@example.com", r#"[["Bad Header","x"]]"#),
        ] {
            let err = mailer.send(&bad).await.unwrap_err();
            assert!(err.is_permanent(), "{err:?}");
        }
        assert!(mailbox.is_empty());
    }

    #[test]
    fn recipients_are_masked_for_logs() {
        assert_eq!(masked("ann.lee@example.com"), "a***@example.com");
        assert_eq!(masked("garbage"), "***");
    }
}
