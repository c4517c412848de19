//! What each mail says. Every mail is three templates in `templates/mail/<kind>/` (subject,
//! text body, HTML body) over one shared layout per format, compiled into the binary by
//! askama and rendered from the same input struct, so the two parts cannot disagree. HTML is
//! auto-escaped; nothing here builds markup with `format!`.
//!
//! Rendering never touches the database or the network; enqueueing the result is the
//! caller's job (see [`RenderedMail::to`]).

use askama::Template;
use chrono::NaiveDateTime;

use super::outbox::OutgoingMail;
use crate::domain::{Email, Language};
use crate::i18n::{en, en1, en2, DateStyle, Tr};

pub const KIND_INVITATION: &str = "invitation";
pub const KIND_REMINDER: &str = "reminder";
pub const KIND_FLAG_ALERT: &str = "flag_alert";
pub const KIND_FLAG_DIGEST: &str = "flag_digest";
pub const KIND_WAVE_SUMMARY: &str = "wave_summary";
pub const KIND_PASSWORD_RESET: &str = "password_reset";

/// An invitation to answer one wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationMail {
    pub person_name: String,
    /// The respondent's own firm.
    pub own_firm: String,
    /// The firm the questions are about.
    pub partner_firm: String,
    /// When the wave closes, in the partnership's timezone (see [`format_deadline`]).
    pub deadline_local: String,
    /// How long the survey takes, as announced.
    pub minutes: u32,
    /// `<base>/s/<token>` (see [`survey_links`]).
    pub link: String,
    /// `<base>/s/<token>/opt-out`.
    pub opt_out_link: String,
    /// The partnership's minimum reporting size, quoted as the confidentiality promise.
    pub min_reporting_size: u32,
    /// The language the respondent reads (see `Language::for_respondent`).
    pub language: Language,
}

/// A reminder for an invitation not yet answered: the same facts, said shorter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderMail {
    pub person_name: String,
    pub own_firm: String,
    pub partner_firm: String,
    pub deadline_local: String,
    pub minutes: u32,
    pub link: String,
    pub opt_out_link: String,
    pub min_reporting_size: u32,
    pub language: Language,
}

/// An alert to an ombudsman that a flag fired.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagAlertMail {
    pub ombudsman_name: String,
    pub partnership: String,
    /// The wave the rule fired on; `None` for a flag raised by hand.
    pub wave_seq: Option<i64>,
    /// The rule in words, e.g. "gap between the firms on trust"; a manual flag's title.
    pub rule: String,
    /// What the rule measured, e.g. "dimension trust, all respondents".
    pub scope: String,
    pub measured: Option<f64>,
    pub threshold: Option<f64>,
    pub severity: String,
    /// Who raised the flag by hand (`None` for a rule's flag), and their note.
    pub raised_by: Option<String>,
    pub note: String,
    /// Where the flag can be reviewed.
    pub link: String,
}

/// A mail ready to enqueue: subject, both bodies and extra headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    pub kind: &'static str,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub headers: Vec<(String, String)>,
}

impl RenderedMail {
    /// The outbox entry sending this mail to `recipient`.
    pub fn to(self, recipient: Email, invitation_id: Option<i64>) -> OutgoingMail {
        OutgoingMail {
            kind: self.kind.to_owned(),
            recipient,
            subject: self.subject,
            body_text: self.text,
            body_html: self.html,
            headers: self.headers,
            invitation_id,
        }
    }
}

/// The personal survey link and its opt-out link for a token: `<base>/s/<token>` and
/// `<base>/s/<token>/opt-out`.
pub fn survey_links(public_base_url: &str, token: &str) -> (String, String) {
    let link = format!("{}/s/{token}", public_base_url.trim_end_matches('/'));
    let opt_out = format!("{link}/opt-out");
    (link, opt_out)
}

/// A wave's closing time (naive UTC, as stored) as people in `tz` read it, e.g.
/// "Friday 4 December 2026 at 17:00 CET".
pub fn format_deadline(closes_at_utc: NaiveDateTime, tz: chrono_tz::Tz) -> String {
    format_deadline_in(Language::En, closes_at_utc, tz)
}

/// [`format_deadline`] in another language, e.g. "vendredi 4 décembre 2026 à 17:00 CET".
pub fn format_deadline_in(
    language: Language,
    closes_at_utc: NaiveDateTime,
    tz: chrono_tz::Tz,
) -> String {
    crate::i18n::local_time(language, closes_at_utc, tz, DateStyle::Mail)
}

/// Headers that let mail clients offer a one-click unsubscribe (RFC 2369, RFC 8058).
fn unsubscribe_headers(opt_out_link: &str) -> Vec<(String, String)> {
    vec![
        ("List-Unsubscribe".into(), format!("<{opt_out_link}>")),
        (
            "List-Unsubscribe-Post".into(),
            "List-Unsubscribe=One-Click".into(),
        ),
        ("Auto-Submitted".into(), "auto-generated".into()),
    ]
}

/// A subject is one line whatever the names in it contain.
fn one_line(subject: &str) -> String {
    subject
        .split(char::is_control)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim()
        .to_owned()
}

#[derive(Template)]
#[template(path = "mail/invitation/subject.txt")]
struct InvitationSubject<'a> {
    m: &'a InvitationMail,
    tr: Tr,
}

#[derive(Template)]
#[template(path = "mail/invitation/body.txt")]
struct InvitationText<'a> {
    m: &'a InvitationMail,
    tr: Tr,
}

#[derive(Template)]
#[template(path = "mail/invitation/body.html")]
struct InvitationHtml<'a> {
    m: &'a InvitationMail,
    tr: Tr,
}

pub fn invitation(m: &InvitationMail) -> Result<RenderedMail, askama::Error> {
    let tr = Tr::new(m.language);
    Ok(RenderedMail {
        kind: KIND_INVITATION,
        subject: one_line(&InvitationSubject { m, tr }.render()?),
        text: InvitationText { m, tr }.render()?,
        html: InvitationHtml { m, tr }.render()?,
        headers: unsubscribe_headers(&m.opt_out_link),
    })
}

#[derive(Template)]
#[template(path = "mail/reminder/subject.txt")]
struct ReminderSubject<'a> {
    m: &'a ReminderMail,
    tr: Tr,
}

#[derive(Template)]
#[template(path = "mail/reminder/body.txt")]
struct ReminderText<'a> {
    m: &'a ReminderMail,
    tr: Tr,
}

#[derive(Template)]
#[template(path = "mail/reminder/body.html")]
struct ReminderHtml<'a> {
    m: &'a ReminderMail,
    tr: Tr,
}

pub fn reminder(m: &ReminderMail) -> Result<RenderedMail, askama::Error> {
    let tr = Tr::new(m.language);
    Ok(RenderedMail {
        kind: KIND_REMINDER,
        subject: one_line(&ReminderSubject { m, tr }.render()?),
        text: ReminderText { m, tr }.render()?,
        html: ReminderHtml { m, tr }.render()?,
        headers: unsubscribe_headers(&m.opt_out_link),
    })
}

#[derive(Template)]
#[template(path = "mail/flag_alert/subject.txt")]
struct FlagAlertSubject<'a> {
    m: &'a FlagAlertMail,
}

#[derive(Template)]
#[template(path = "mail/flag_alert/body.txt")]
struct FlagAlertText<'a> {
    m: &'a FlagAlertMail,
    intro: &'a str,
    lines: &'a [String],
}

#[derive(Template)]
#[template(path = "mail/flag_alert/body.html")]
struct FlagAlertHtml<'a> {
    m: &'a FlagAlertMail,
    intro: &'a str,
    rows: &'a [(String, String)],
}

/// The alert of a flag a rule fired or a person raised by hand.
pub fn flag_alert(m: &FlagAlertMail) -> Result<RenderedMail, askama::Error> {
    let intro = match (&m.raised_by, m.wave_seq) {
        (Some(who), _) => en2(
            "mail-alert-intro-manual",
            "who",
            who,
            "partnership",
            &m.partnership,
        ),
        (None, Some(seq)) => en2(
            "mail-alert-intro-wave",
            "partnership",
            &m.partnership,
            "seq",
            seq,
        ),
        (None, None) => en1("mail-alert-intro", "partnership", &m.partnership),
    };
    let mut rows: Vec<(String, String)> = vec![
        (
            en(if m.raised_by.is_some() {
                "mail-alert-title-label"
            } else {
                "mail-alert-rule"
            }),
            m.rule.clone(),
        ),
        (en("mail-alert-scope"), m.scope.clone()),
    ];
    if let Some(measured) = m.measured {
        rows.push((en("mail-alert-measured"), format!("{measured:.2}")));
    }
    if let Some(threshold) = m.threshold {
        rows.push((en("mail-alert-threshold"), format!("{threshold:.2}")));
    }
    rows.push((en("mail-alert-severity"), m.severity.clone()));
    if !m.note.is_empty() {
        rows.push((en("mail-alert-note"), m.note.clone()));
    }
    let lines: Vec<String> = rows
        .iter()
        .map(|(label, value)| format!("{:<11}{value}", format!("{label}:")))
        .collect();
    Ok(RenderedMail {
        kind: KIND_FLAG_ALERT,
        subject: one_line(&FlagAlertSubject { m }.render()?),
        text: FlagAlertText {
            m,
            intro: &intro,
            lines: &lines,
        }
        .render()?,
        html: FlagAlertHtml {
            m,
            intro: &intro,
            rows: &rows,
        }
        .render()?,
        headers: vec![("Auto-Submitted".into(), "auto-generated".into())],
    })
}

/// The weekly digest of an ombudsman: open flags by severity, overdue actions, what is new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestMail {
    pub name: String,
    /// One sentence: how many flags, how many new since the last digest.
    pub intro: String,
    pub open_count: usize,
    /// Most severe first; empty groups are left out.
    pub groups: Vec<DigestGroup>,
    pub overdue: Vec<DigestAction>,
    /// The flag inbox, where the digest is also turned off.
    pub inbox_link: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestGroup {
    /// e.g. "High (2)".
    pub heading: String,
    pub flags: Vec<DigestFlag>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestFlag {
    pub partnership: String,
    pub title: String,
    pub scope: String,
    /// The measured value, two decimals.
    pub measured: Option<String>,
    /// Opened since the last digest.
    pub new: bool,
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestAction {
    pub partnership: String,
    pub flag_title: String,
    pub what: String,
    /// ISO date.
    pub due_on: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "mail/flag_digest/subject.txt")]
struct DigestSubject<'a> {
    m: &'a DigestMail,
}

#[derive(Template)]
#[template(path = "mail/flag_digest/body.txt")]
struct DigestText<'a> {
    m: &'a DigestMail,
}

#[derive(Template)]
#[template(path = "mail/flag_digest/body.html")]
struct DigestHtml<'a> {
    m: &'a DigestMail,
}

pub fn flag_digest(m: &DigestMail) -> Result<RenderedMail, askama::Error> {
    Ok(RenderedMail {
        kind: KIND_FLAG_DIGEST,
        subject: one_line(&DigestSubject { m }.render()?),
        text: DigestText { m }.render()?,
        html: DigestHtml { m }.render()?,
        headers: vec![("Auto-Submitted".into(), "auto-generated".into())],
    })
}

/// The summary of a closed wave to one relationship manager: only what they may see on the
/// dashboard, every line already in words (see `services::summary`), so the two parts say
/// the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryMail {
    pub name: String,
    pub partnership: String,
    pub wave_seq: i64,
    /// e.g. "opened 1 December 2026, closed 4 December 2026".
    pub dates: String,
    /// "both firms", or "Bolt Supplier only".
    pub sees: String,
    /// One line per firm shown: invitations answered, or why a firm's figures are withheld.
    pub responses: Vec<String>,
    /// The health index and its change; `None` for a one-side manager.
    pub health: Option<String>,
    /// What moved: a lead sentence (or why there is nothing to compare) and one line per
    /// significant change.
    pub moved_intro: String,
    pub moves: Vec<String>,
    /// The biggest between-firm gap; `None` for a one-side manager.
    pub gap: Option<String>,
    /// "3 open flags: 1 high, 1 medium, 1 low." or "No open flags."
    pub flags_intro: String,
    /// Most severe first; empty for a one-side manager (flags compare the firms).
    pub flag_groups: Vec<SummaryFlagGroup>,
    pub dashboard_link: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryFlagGroup {
    /// e.g. "High (2)".
    pub heading: String,
    pub flags: Vec<SummaryFlag>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryFlag {
    pub title: String,
    pub scope: String,
    /// The measured value, two decimals.
    pub measured: Option<String>,
    /// Absolute.
    pub link: String,
}

#[derive(Template)]
#[template(path = "mail/wave_summary/subject.txt")]
struct SummarySubject<'a> {
    m: &'a SummaryMail,
}

#[derive(Template)]
#[template(path = "mail/wave_summary/body.txt")]
struct SummaryText<'a> {
    m: &'a SummaryMail,
}

#[derive(Template)]
#[template(path = "mail/wave_summary/body.html")]
struct SummaryHtml<'a> {
    m: &'a SummaryMail,
}

pub fn wave_summary(m: &SummaryMail) -> Result<RenderedMail, askama::Error> {
    Ok(RenderedMail {
        kind: KIND_WAVE_SUMMARY,
        subject: one_line(&SummarySubject { m }.render()?),
        text: SummaryText { m }.render()?,
        html: SummaryHtml { m }.render()?,
        headers: vec![("Auto-Submitted".into(), "auto-generated".into())],
    })
}

/// A password reset an administrator sent: the one-time link and when it stops working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordResetMail {
    pub email: String,
    /// Absolute: `<base>/set-password/<token>`.
    pub link: String,
    /// e.g. "2026-12-05 08:30 UTC".
    pub expires: String,
}

#[derive(Template)]
#[template(path = "mail/password_reset/subject.txt")]
struct PasswordResetSubject<'a> {
    #[allow(dead_code)]
    m: &'a PasswordResetMail,
}

#[derive(Template)]
#[template(path = "mail/password_reset/body.txt")]
struct PasswordResetText<'a> {
    m: &'a PasswordResetMail,
}

#[derive(Template)]
#[template(path = "mail/password_reset/body.html")]
struct PasswordResetHtml<'a> {
    m: &'a PasswordResetMail,
}

pub fn password_reset(m: &PasswordResetMail) -> Result<RenderedMail, askama::Error> {
    Ok(RenderedMail {
        kind: KIND_PASSWORD_RESET,
        subject: one_line(&PasswordResetSubject { m }.render()?),
        text: PasswordResetText { m }.render()?,
        html: PasswordResetHtml { m }.render()?,
        headers: vec![("Auto-Submitted".into(), "auto-generated".into())],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invitation_input(partner_firm: &str) -> InvitationMail {
        let (link, opt_out_link) = survey_links(
            "https://tandem.example.com/",
            "tok_ABCdef-123456789012345678901",
        );
        InvitationMail {
            person_name: "Ann Lee".into(),
            own_firm: "Acme Retail".into(),
            partner_firm: partner_firm.into(),
            deadline_local: "Friday 4 December 2026 at 17:00 CET".into(),
            minutes: 2,
            link,
            opt_out_link,
            min_reporting_size: 5,
            language: Language::En,
        }
    }

    fn reminder_input(partner_firm: &str) -> ReminderMail {
        let i = invitation_input(partner_firm);
        ReminderMail {
            person_name: i.person_name,
            own_firm: i.own_firm,
            partner_firm: i.partner_firm,
            deadline_local: i.deadline_local,
            minutes: i.minutes,
            link: i.link,
            opt_out_link: i.opt_out_link,
            min_reporting_size: i.min_reporting_size,
            language: i.language,
        }
    }

    const LINK: &str = "https://tandem.example.com/s/tok_ABCdef-123456789012345678901";

    #[test]
    fn links_are_built_from_the_base_url_and_token() {
        let (link, opt_out) = survey_links("https://t.example.com/", "abc");
        assert_eq!(link, "https://t.example.com/s/abc");
        assert_eq!(opt_out, "https://t.example.com/s/abc/opt-out");
    }

    #[test]
    fn the_invitation_says_everything_in_both_parts() {
        let m = invitation(&invitation_input("Globex Supply")).unwrap();
        assert_eq!(m.kind, KIND_INVITATION);
        assert!(m.subject.contains("Globex Supply"), "{}", m.subject);
        for body in [&m.text, &m.html] {
            for expected in [
                "Ann Lee",
                "Globex Supply",
                "Acme Retail",
                "Friday 4 December 2026 at 17:00 CET",
                "about 2 minutes",
                "at least 5 people",
                "individual answers",
                LINK,
            ] {
                assert!(body.contains(expected), "missing {expected:?} in:\n{body}");
            }
            assert!(body.contains(&format!("{LINK}/opt-out")), "{body}");
        }
        assert!(m.html.contains(&format!("href=\"{LINK}\"")));
    }

    #[test]
    fn the_html_part_escapes_names_and_the_text_part_keeps_them() {
        let m = invitation(&invitation_input("<script>alert(1)</script>")).unwrap();
        assert!(!m.html.contains("<script>"), "{}", m.html);
        assert!(m.html.contains("&#60;script&#62;") || m.html.contains("&lt;script&gt;"));
        assert!(m.text.contains("<script>alert(1)</script>"));
        assert!(m.html.contains(LINK) && m.text.contains(LINK));
    }

    #[test]
    fn invitations_and_reminders_offer_one_click_unsubscribe() {
        for m in [
            invitation(&invitation_input("Globex")).unwrap(),
            reminder(&reminder_input("Globex")).unwrap(),
        ] {
            assert!(m
                .headers
                .contains(&("List-Unsubscribe".to_owned(), format!("<{LINK}/opt-out>"))));
            assert!(m.headers.contains(&(
                "List-Unsubscribe-Post".to_owned(),
                "List-Unsubscribe=One-Click".to_owned()
            )));
        }
    }

    #[test]
    fn the_reminder_is_shorter_and_carries_the_link() {
        let i = invitation(&invitation_input("Globex")).unwrap();
        let r = reminder(&reminder_input("Globex")).unwrap();
        assert_eq!(r.kind, KIND_REMINDER);
        assert!(r.subject.starts_with("Reminder"), "{}", r.subject);
        assert!(r.text.len() < i.text.len());
        assert!(r.text.contains(LINK) && r.html.contains(LINK));
    }

    #[test]
    fn a_subject_stays_on_one_line() {
        let m = invitation(&invitation_input("Globex\r\nBcc: someone@evil.example")).unwrap();
        assert!(!m.subject.contains('\n') && !m.subject.contains('\r'));
    }

    #[test]
    fn the_flag_alert_gives_the_numbers_and_the_link() {
        let m = flag_alert(&FlagAlertMail {
            ombudsman_name: "Olga".into(),
            partnership: "Acme & Globex".into(),
            wave_seq: Some(7),
            rule: "gap between the firms on trust".into(),
            scope: "dimension trust".into(),
            measured: Some(1.23456),
            threshold: Some(0.8),
            severity: "warning".into(),
            raised_by: None,
            note: String::new(),
            link: "https://tandem.example.com/ombudsman/flags/12".into(),
        })
        .unwrap();
        assert_eq!(m.kind, KIND_FLAG_ALERT);
        assert!(m.subject.contains("Acme & Globex"));
        for body in [&m.text, &m.html] {
            for expected in ["1.23", "0.80", "wave 7", "gap between the firms on trust"] {
                assert!(body.contains(expected), "missing {expected:?} in:\n{body}");
            }
            assert!(body.contains("https://tandem.example.com/ombudsman/flags/12"));
        }
        assert!(m.html.contains("Acme &#38; Globex") || m.html.contains("Acme &amp; Globex"));
        assert!(!m.headers.iter().any(|(n, _)| n == "List-Unsubscribe"));
    }

    fn summary_input(flag_groups: Vec<SummaryFlagGroup>) -> SummaryMail {
        SummaryMail {
            name: "mia".into(),
            partnership: "Acme & Globex".into(),
            wave_seq: 7,
            dates: "opened 1 December 2026, closed 4 December 2026".into(),
            sees: "both firms".into(),
            responses: vec!["Acme (customer): 10 of 10 answered (100 %)".into()],
            health: Some("Health index 77.2 (of 100), up 11.6 points from 65.5 in wave 6.".into()),
            moved_intro: "Significant changes since the previous wave.".into(),
            moves: vec!["Globex on trust: rose from 2.39 in wave 6 to 4.50 (p < 0.001)".into()],
            gap: Some("Trust: Globex 4.50, Acme 3.50, a gap of 1.00 points.".into()),
            flags_intro: "1 open flag: 1 high, 0 medium, 0 low.".into(),
            flag_groups,
            dashboard_link: "https://tandem.example.com/partnerships/3".into(),
        }
    }

    #[test]
    fn the_wave_summary_says_the_same_in_both_parts() {
        let flag = SummaryFlag {
            title: "significant gap between the firms".into(),
            scope: "dimension:trust".into(),
            measured: Some("1.00".into()),
            link: "https://tandem.example.com/partnerships/3#dim-trust".into(),
        };
        let m = wave_summary(&summary_input(vec![SummaryFlagGroup {
            heading: "High (1)".into(),
            flags: vec![flag],
        }]))
        .unwrap();
        assert_eq!(m.kind, KIND_WAVE_SUMMARY);
        assert_eq!(m.subject, "Acme & Globex: wave 7 closed, summary");
        for body in [&m.text, &m.html] {
            for expected in [
                "Health index 77.2 (of 100), up 11.6 points from 65.5 in wave 6.",
                "rose from 2.39 in wave 6 to 4.50",
                "a gap of 1.00 points",
                "High (1)",
                "significant gap between the firms",
                "measured 1.00",
                "https://tandem.example.com/partnerships/3#dim-trust",
                "https://tandem.example.com/partnerships/3",
            ] {
                assert!(body.contains(expected), "missing {expected:?} in:\n{body}");
            }
        }
        assert!(m.html.contains("p &#60; 0.001") || m.html.contains("p &lt; 0.001"));
        assert!(m.html.contains("Acme &#38; Globex") || m.html.contains("Acme &amp; Globex"));
        assert!(m.text.contains("Acme & Globex"));
    }

    #[test]
    fn a_one_side_summary_has_no_health_gap_or_flag_list() {
        let mut input = summary_input(Vec::new());
        input.health = None;
        input.gap = None;
        let m = wave_summary(&input).unwrap();
        for body in [&m.text, &m.html] {
            assert!(!body.contains("Health index"), "{body}");
            assert!(!body.contains("Biggest gap"), "{body}");
            assert!(body.contains("1 open flag: 1 high"), "{body}");
        }
    }

    #[test]
    fn deadlines_are_shown_in_the_partnership_timezone() {
        let closes = chrono::NaiveDate::from_ymd_opt(2026, 12, 4)
            .unwrap()
            .and_hms_opt(16, 0, 0)
            .unwrap();
        assert_eq!(
            format_deadline(closes, chrono_tz::Europe::Paris),
            "Friday 4 December 2026 at 17:00 CET"
        );
        assert_eq!(
            format_deadline(closes, chrono_tz::America::New_York),
            "Friday 4 December 2026 at 11:00 EST"
        );
    }
}
