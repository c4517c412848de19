//! Reading delivery status notifications (RFC 3464) with a real MIME parser (`mail-parser`):
//! the `message/delivery-status` part's per-recipient fields (Final-Recipient,
//! Original-Recipient, Action, Status, Diagnostic-Code), the addresses the report was
//! delivered to (where the VERP address shows), and the Message-ID of the returned mail.
//! Old Exim reports that are plain text ("The following address(es) failed") are read from
//! their text too. Pure: no database, no I/O.

use mail_parser::{MessageParser, MimeHeaders, PartType};
use sha2::{Digest, Sha256};

/// What a report says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// A stable key of the report (its own Message-ID, else a digest of its status part), so
    /// that the same report ingested twice is recognised.
    pub key: String,
    /// Addresses the report was delivered to, most specific first (Delivered-To,
    /// X-Original-To, Envelope-To, To): the VERP address is among them.
    pub envelope_to: Vec<String>,
    /// The Message-ID of the mail that bounced, from the returned message or its headers.
    pub original_message_id: Option<String>,
    pub recipients: Vec<RecipientStatus>,
}

/// One recipient's fate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientStatus {
    /// Original-Recipient when given, else Final-Recipient.
    pub recipient: String,
    /// `failed`, `delayed`, `delivered`, `relayed` or `expanded` (lower case).
    pub action: String,
    /// The status code, `5.1.1`.
    pub status: String,
    pub diagnostic: Option<String>,
}

/// How a recipient's status counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The address does not work: 5.x.x on a failed action.
    Hard,
    /// It may work later: a delay, or a 4.x.x failure.
    Soft,
}

impl RecipientStatus {
    /// Hard or soft, or why the status is not a bounce at all.
    pub fn severity(&self) -> Result<Severity, String> {
        match (self.action.as_str(), self.status.chars().next()) {
            ("failed", Some('5')) => Ok(Severity::Hard),
            ("failed", Some('4')) | ("delayed", _) => Ok(Severity::Soft),
            ("failed", _) => Err(format!(
                "action failed with status {:?}, which is neither 4.x.x nor 5.x.x",
                self.status
            )),
            (other, _) => Err(format!("action {other}: the mail was not bounced")),
        }
    }
}

/// Why a message is not a report this module can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DsnError {
    #[error("not a mail message: no header fields could be read")]
    NotAMessage,
    #[error("not a delivery status notification: {0}")]
    NotAReport(String),
}

/// Reads one raw message (as delivered to the bounce mailbox, or posted to the webhook).
pub fn parse(raw: &[u8]) -> Result<Report, DsnError> {
    let message = MessageParser::default()
        .parse(raw)
        .filter(|m| !m.headers().is_empty())
        .ok_or(DsnError::NotAMessage)?;
    let mut envelope_to = Vec::new();
    for name in ["Delivered-To", "X-Original-To", "Envelope-To", "To"] {
        for header in message.headers() {
            if header.name().eq_ignore_ascii_case(name) {
                let raw_value = &raw[header.offset_start() as usize..header.offset_end() as usize];
                envelope_to.extend(addresses_in(&String::from_utf8_lossy(raw_value)));
            }
        }
    }
    let mut status_text: Option<String> = None;
    let mut original_message_id = None;
    for part in &message.parts {
        let Some(ct) = part.content_type() else {
            continue;
        };
        let (ctype, sub) = (
            ct.ctype().to_ascii_lowercase(),
            ct.subtype().unwrap_or("").to_ascii_lowercase(),
        );
        match (ctype.as_str(), sub.as_str()) {
            ("message", "delivery-status" | "global-delivery-status") if status_text.is_none() => {
                status_text = Some(String::from_utf8_lossy(part.contents()).into_owned());
            }
            ("message", "rfc822" | "global") => {
                if let PartType::Message(inner) = &part.body {
                    original_message_id = original_message_id.or(inner.message_id().map(bracket));
                }
            }
            ("text", "rfc822-headers") => {
                original_message_id = original_message_id.or_else(|| {
                    MessageParser::default()
                        .parse_headers(part.contents())
                        .and_then(|h| h.message_id().map(bracket))
                });
            }
            _ => {}
        }
    }
    let own_id = message.message_id().map(bracket);
    let (recipients, digest_source) = match &status_text {
        Some(text) => (delivery_status(text)?, text.clone()),
        None => {
            let body = message
                .body_text(0)
                .map(|b| b.into_owned())
                .unwrap_or_default();
            let recipients = plain_text_failure(&body).ok_or_else(|| {
                DsnError::NotAReport(
                    "no message/delivery-status part, and no \"following address(es) failed\" text"
                        .into(),
                )
            })?;
            if original_message_id.is_none() {
                original_message_id = returned_message_id(&body);
            }
            (recipients, body)
        }
    };
    let key = match own_id {
        Some(id) => format!("message-id {id}"),
        None => format!("sha256 {}", hex(&Sha256::digest(digest_source.as_bytes()))),
    };
    Ok(Report {
        key,
        envelope_to,
        original_message_id,
        recipients,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `abc@x` → `<abc@x>` (mail-parser gives Message-IDs without brackets).
fn bracket(id: &str) -> String {
    format!(
        "<{}>",
        id.trim().trim_start_matches('<').trim_end_matches('>')
    )
}

/// Every `local@domain` in a header value (inside angle brackets or bare).
fn addresses_in(value: &str) -> Vec<String> {
    value
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '"'))
        .map(|t| {
            let t = t.trim();
            match (t.find('<'), t.rfind('>')) {
                (Some(a), Some(b)) if a < b => &t[a + 1..b],
                _ => t.trim_matches(|c| c == '<' || c == '>'),
            }
        })
        .filter(|t| t.contains('@') && !t.starts_with('@'))
        .map(str::to_owned)
        .collect()
}

/// The per-recipient field groups of a `message/delivery-status` body (RFC 3464 §2.1: the
/// per-message group, then one group per recipient, separated by blank lines), each read
/// with mail-parser's header parser so folded fields come out whole.
fn delivery_status(text: &str) -> Result<Vec<RecipientStatus>, DsnError> {
    let normalized = text.replace("\r\n", "\n");
    let mut out = Vec::new();
    for group in normalized.split("\n\n").skip(1) {
        if group.trim().is_empty() {
            continue;
        }
        let block = format!("{}\r\n\r\n", group.trim_matches('\n').replace('\n', "\r\n"));
        let Some(fields) = MessageParser::default().parse_headers(block.as_bytes()) else {
            continue;
        };
        let field = |name: &str| -> Option<String> {
            fields.headers().iter().find_map(|h| {
                h.name()
                    .eq_ignore_ascii_case(name)
                    .then(|| unfold(&block[h.offset_start() as usize..h.offset_end() as usize]))
            })
        };
        let typed = |v: String| match v.split_once(';') {
            Some((_, rest)) => rest.trim().to_owned(),
            None => v.trim().to_owned(),
        };
        let recipient = field("Original-Recipient")
            .or_else(|| field("Final-Recipient"))
            .map(typed);
        let (Some(recipient), Some(action)) = (recipient, field("Action")) else {
            continue;
        };
        let action = action
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let status = field("Status")
            .and_then(|s| s.split_whitespace().next().map(str::to_owned))
            .unwrap_or_else(|| match action.as_str() {
                "failed" => "5.0.0".to_owned(),
                _ => "4.0.0".to_owned(),
            });
        out.push(RecipientStatus {
            recipient: recipient
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned(),
            action,
            status,
            diagnostic: field("Diagnostic-Code").map(typed),
        });
    }
    if out.is_empty() {
        return Err(DsnError::NotAReport(
            "the delivery-status part names no recipient with an Action".into(),
        ));
    }
    Ok(out)
}

/// A header value on one line, runs of blanks made one space.
fn unfold(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An RFC 3463 status code (`5.1.1`) anywhere in `text`.
fn status_code_in(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .find(|t| {
            let parts: Vec<&str> = t.split('.').collect();
            parts.len() == 3
                && matches!(parts[0], "2" | "4" | "5")
                && parts[1..]
                    .iter()
                    .all(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(str::to_owned)
}

/// Exim's plain-text report (before it sent multipart/report): "This is a permanent error.
/// The following address(es) failed:", then each address on an indented line followed by
/// more-indented lines of the remote server's answer.
fn plain_text_failure(body: &str) -> Option<Vec<RecipientStatus>> {
    let lower = body.to_ascii_lowercase();
    let start = lower.find("following address(es) failed")?;
    let permanent = lower[..start].contains("permanent error");
    let rest = &body[start..];
    let mut out: Vec<RecipientStatus> = Vec::new();
    let mut details: Vec<Vec<String>> = Vec::new();
    for line in rest.lines().skip(1) {
        if line.starts_with("------") {
            break;
        }
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if indent <= 2 && trimmed.contains('@') && !trimmed.contains(' ') {
            out.push(RecipientStatus {
                recipient: trimmed.trim_matches(|c| c == '<' || c == '>').to_owned(),
                action: "failed".into(),
                status: String::new(),
                diagnostic: None,
            });
            details.push(Vec::new());
        } else if indent > 2 {
            if let Some(d) = details.last_mut() {
                d.push(trimmed.to_owned());
            }
        } else if !out.is_empty() {
            break;
        }
    }
    for (r, d) in out.iter_mut().zip(details) {
        let text = d.join(" ");
        let default = if permanent { "5.0.0" } else { "4.0.0" };
        r.status = status_code_in(&text).unwrap_or_else(|| default.to_owned());
        r.diagnostic = (!text.is_empty()).then_some(text);
    }
    (!out.is_empty()).then_some(out)
}

/// The Message-ID in the copy of the returned message a plain-text report ends with.
fn returned_message_id(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let copy = lower.find("this is a copy of the message")?;
    body[copy..].lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("message-id")
            .then(|| bracket(value))
    })
}

#[cfg(test)]
mod tests;
