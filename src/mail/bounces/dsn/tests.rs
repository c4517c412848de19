//! The parser on the reports in `tests/fixtures/bounces/`.

use super::*;

const VERP: &str = "bounces+42-0123456789abcdef@tandem.test";
const RCPT: &str = "ann.lee@partner.example";
const MSGID: &str = "<r4nd0m@tandem.test>";

/// A fixture with its placeholders filled in, CRLF line ends as on the wire.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/bounces/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .replace("@@VERP@@", VERP)
        .replace("@@RCPT@@", RCPT)
        .replace("@@MSGID@@", MSGID)
        .replace('\n', "\r\n")
        .into_bytes()
}

fn only(report: &Report) -> &RecipientStatus {
    assert_eq!(report.recipients.len(), 1, "{report:?}");
    &report.recipients[0]
}

#[test]
fn a_postfix_hard_bounce_names_the_recipient_status_diagnostic_and_verp_address() {
    let report = parse(&fixture("postfix_hard.eml")).unwrap();
    let r = only(&report);
    assert_eq!(r.recipient, RCPT);
    assert_eq!(r.action, "failed");
    assert_eq!(r.status, "5.1.1");
    assert_eq!(r.severity(), Ok(Severity::Hard));
    let diagnostic = r.diagnostic.as_deref().unwrap();
    assert!(diagnostic.starts_with("550 5.1.1"), "{diagnostic}");
    assert!(
        diagnostic.ends_with("User unknown in virtual mailbox table"),
        "{diagnostic}"
    );
    assert_eq!(report.envelope_to.first().map(String::as_str), Some(VERP));
    assert_eq!(report.original_message_id.as_deref(), Some(MSGID));
    assert_eq!(
        report.key,
        "message-id <20261217091203.4F1A2B3C4D@relay.tandem.test>"
    );
}

#[test]
fn a_postfix_delay_warning_is_a_soft_bounce() {
    let report = parse(&fixture("postfix_delayed.eml")).unwrap();
    let r = only(&report);
    assert_eq!((r.action.as_str(), r.status.as_str()), ("delayed", "4.2.2"));
    assert_eq!(r.severity(), Ok(Severity::Soft));
    assert!(report.envelope_to.iter().all(|a| a == VERP), "{report:?}");
}

#[test]
fn a_modern_exim_report_is_read_from_its_delivery_status_part() {
    let report = parse(&fixture("exim_multipart.eml")).unwrap();
    let r = only(&report);
    assert_eq!(r.recipient, RCPT);
    assert_eq!(r.status, "5.0.0");
    assert_eq!(r.diagnostic.as_deref(), Some("550 5.1.1 No such user here"));
    assert_eq!(r.severity(), Ok(Severity::Hard));
    assert_eq!(report.envelope_to.first().map(String::as_str), Some(VERP));
    assert_eq!(report.original_message_id.as_deref(), Some(MSGID));
}

#[test]
fn an_old_plain_text_exim_report_is_read_from_its_text() {
    let report = parse(&fixture("exim_plain.eml")).unwrap();
    let r = only(&report);
    assert_eq!(r.recipient, RCPT);
    assert_eq!(r.status, "5.1.1");
    assert_eq!(r.severity(), Ok(Severity::Hard));
    assert!(r.diagnostic.as_deref().unwrap().contains("User unknown"));
    assert_eq!(report.original_message_id.as_deref(), Some(MSGID));
    assert_eq!(report.envelope_to.first().map(String::as_str), Some(VERP));
}

#[test]
fn an_exchange_report_with_a_human_part_first_is_read_from_its_status_part() {
    let report = parse(&fixture("exchange.eml")).unwrap();
    let r = only(&report);
    assert_eq!(r.recipient, RCPT);
    assert_eq!(r.status, "5.1.10");
    assert_eq!(r.severity(), Ok(Severity::Hard));
    assert_eq!(
        r.diagnostic.as_deref(),
        Some(
            "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
        )
    );
    assert_eq!(report.envelope_to, vec![VERP.to_owned()]);
    assert_eq!(report.original_message_id.as_deref(), Some(MSGID));
}

#[test]
fn an_ordinary_reply_is_not_a_report_and_says_why() {
    let err = parse(&fixture("not_a_bounce.eml")).unwrap_err();
    assert!(matches!(err, DsnError::NotAReport(_)), "{err:?}");
    assert!(err.to_string().contains("delivery-status"), "{err}");
}

#[test]
fn bytes_that_are_not_a_message_are_refused() {
    assert_eq!(parse(b""), Err(DsnError::NotAMessage));
}

#[test]
fn delivered_and_relayed_statuses_are_not_bounces() {
    let status = |action: &str, status: &str| RecipientStatus {
        recipient: RCPT.into(),
        action: action.into(),
        status: status.into(),
        diagnostic: None,
    };
    assert!(status("delivered", "2.0.0").severity().is_err());
    assert!(status("relayed", "2.0.0").severity().is_err());
    assert_eq!(status("failed", "4.4.7").severity(), Ok(Severity::Soft));
}

#[test]
fn a_report_without_its_own_message_id_is_keyed_by_its_contents() {
    let raw = String::from_utf8(fixture("postfix_hard.eml"))
        .unwrap()
        .replace(
            "Message-Id: <20261217091203.4F1A2B3C4D@relay.tandem.test>\r\n",
            "",
        );
    let a = parse(raw.as_bytes()).unwrap();
    let b = parse(raw.replace("Delivered-To", "X-Delivered-To").as_bytes()).unwrap();
    assert!(a.key.starts_with("sha256 "), "{}", a.key);
    assert_eq!(
        a.key, b.key,
        "headers added on delivery must not change the key"
    );
}
