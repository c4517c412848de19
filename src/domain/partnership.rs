use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;

use super::{segment_key, AttributeText, Cadence, Language};

/// The smallest group any aggregate may be shown for, unless a partnership asks for more.
pub const DEFAULT_MIN_REPORTING_SIZE: i64 = 5;
/// No partnership may go below this: with fewer, answers could be guessed.
pub const FLOOR_MIN_REPORTING_SIZE: i64 = 3;
/// Comments need a larger group than numbers: a sentence can identify its author.
pub const DEFAULT_MIN_COMMENT_SIZE: i64 = 10;
pub const DEFAULT_RESPONSE_WINDOW_DAYS: i64 = 10;
pub const DEFAULT_REMINDER_DAYS: [i64; 2] = [3, 7];

/// What a caller asks for when creating a partnership (API body or CLI flags).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnershipInput {
    /// Display name, unique (compared without case).
    pub name: String,
    /// The customer firm's name; created if new.
    pub customer: String,
    /// The supplier firm's name; created if new.
    pub supplier: String,
    /// Survey template id (default `partnership-perception`).
    pub template: Option<String>,
    /// `monthly`, `quarterly` (default), `half-yearly` or `every N days`.
    pub cadence: Option<String>,
    /// Date of the first wave (YYYY-MM-DD), in the partnership's timezone.
    #[schema(value_type = Option<String>, format = Date)]
    pub first_wave_on: Option<NaiveDate>,
    /// Local send time, HH:MM (default 09:00).
    pub send_time: Option<String>,
    /// IANA timezone, e.g. Europe/Paris (default UTC).
    pub timezone: Option<String>,
    /// Days a wave stays open (default 10).
    pub response_window_days: Option<i64>,
    /// Days of the window on which non-respondents are reminded (default [3, 7]).
    pub reminder_days: Option<Vec<i64>>,
    /// Minimum group size for any aggregate (default 5, never below 3).
    pub min_reporting_size: Option<i64>,
    /// Minimum group size for comments (default 10, never below the reporting size).
    pub min_comment_size: Option<i64>,
    /// The language of people whose roster row names none: `en` (default), `fr`, `de` or `es`.
    pub language: Option<String>,
}

/// A checked partnership definition.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnershipSpec {
    pub name: String,
    pub name_key: String,
    pub customer: String,
    pub supplier: String,
    pub template: String,
    pub cadence: Cadence,
    pub first_wave_on: Option<NaiveDate>,
    pub send_time: NaiveTime,
    pub timezone: chrono_tz::Tz,
    pub response_window_days: i64,
    pub reminder_days: Vec<i64>,
    pub min_reporting_size: i64,
    pub min_comment_size: i64,
    pub language: Language,
}

/// One thing wrong with one field.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl PartnershipInput {
    /// Checks every field and returns all problems at once. `template_known` says whether a
    /// template id exists in the catalogue.
    pub fn validate(
        &self,
        template_known: impl Fn(&str) -> bool,
        default_template: &str,
    ) -> Result<PartnershipSpec, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut bad = |field: &str, message: String| {
            problems.push(FieldProblem {
                field: field.to_owned(),
                message,
            })
        };

        let name = text_field("name", &self.name, &mut bad);
        let customer = text_field("customer", &self.customer, &mut bad);
        let supplier = text_field("supplier", &self.supplier, &mut bad);
        if !customer.is_empty() && segment_key(&customer) == segment_key(&supplier) {
            bad(
                "supplier",
                "the customer and the supplier must be two different firms".into(),
            );
        }
        let template = self
            .template
            .as_deref()
            .map(str::trim)
            .unwrap_or(default_template)
            .to_owned();
        if !template_known(&template) {
            bad(
                "template",
                format!("no survey template has the id {template:?}"),
            );
        }
        let cadence = match self.cadence.as_deref() {
            None => Cadence::Quarterly,
            Some(c) => c.parse().unwrap_or_else(|e| {
                bad("cadence", e);
                Cadence::Quarterly
            }),
        };
        let send_time = match self.send_time.as_deref() {
            None => NaiveTime::from_hms_opt(9, 0, 0).expect("09:00 is a valid time"),
            Some(t) => NaiveTime::parse_from_str(t.trim(), "%H:%M").unwrap_or_else(|_| {
                bad("send_time", format!("{t:?} is not a time of day as HH:MM"));
                NaiveTime::MIN
            }),
        };
        let timezone = match self.timezone.as_deref() {
            None => chrono_tz::UTC,
            Some(tz) => tz.trim().parse::<chrono_tz::Tz>().unwrap_or_else(|_| {
                bad(
                    "timezone",
                    format!("{tz:?} is not an IANA timezone such as Europe/Paris"),
                );
                chrono_tz::UTC
            }),
        };
        let window = self
            .response_window_days
            .unwrap_or(DEFAULT_RESPONSE_WINDOW_DAYS);
        if !(1..=365).contains(&window) {
            bad(
                "response_window_days",
                format!("{window} is not between 1 and 365 days"),
            );
        }
        let mut reminder_days = self
            .reminder_days
            .clone()
            .unwrap_or_else(|| DEFAULT_REMINDER_DAYS.to_vec());
        reminder_days.sort_unstable();
        if reminder_days.windows(2).any(|w| w[0] == w[1]) {
            bad("reminder_days", "a reminder day is listed twice".into());
        }
        if let Some(d) = reminder_days.iter().find(|d| **d < 1 || **d >= window) {
            bad(
                "reminder_days",
                format!("reminder day {d} is not inside the {window}-day response window"),
            );
        }
        let min_reporting_size = self
            .min_reporting_size
            .unwrap_or(DEFAULT_MIN_REPORTING_SIZE);
        if min_reporting_size < FLOOR_MIN_REPORTING_SIZE {
            bad(
                "min_reporting_size",
                format!(
                    "{min_reporting_size} is below {FLOOR_MIN_REPORTING_SIZE}: groups that small could reveal individual answers"
                ),
            );
        }
        let min_comment_size = self
            .min_comment_size
            .unwrap_or(DEFAULT_MIN_COMMENT_SIZE.max(min_reporting_size));
        if min_comment_size < min_reporting_size {
            bad(
                "min_comment_size",
                format!(
                    "{min_comment_size} is below the minimum reporting size {min_reporting_size}"
                ),
            );
        }

        let language = match self.language.as_deref() {
            None => Language::En,
            Some(code) => code.parse().unwrap_or_else(|e| {
                bad("language", e);
                Language::En
            }),
        };

        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(PartnershipSpec {
            name_key: segment_key(&name),
            name,
            customer,
            supplier,
            template,
            cadence,
            first_wave_on: self.first_wave_on,
            send_time,
            timezone,
            response_window_days: window,
            reminder_days,
            min_reporting_size,
            min_comment_size,
            language,
        })
    }
}

fn text_field(field: &str, raw: &str, bad: &mut impl FnMut(&str, String)) -> String {
    match AttributeText::parse(field, raw) {
        Ok(t) if t.as_str().is_empty() => {
            bad(field, format!("{field} is required"));
            String::new()
        }
        Ok(t) => t.into_string(),
        Err(e) => {
            bad(field, e);
            String::new()
        }
    }
}

/// `3,7` as stored, from `[3, 7]`.
pub fn reminder_days_to_text(days: &[i64]) -> String {
    days.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The stored `3,7` back as days; an empty text is no reminders.
pub fn reminder_days_from_text(text: &str) -> Vec<i64> {
    text.split(',')
        .filter_map(|d| d.trim().parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PartnershipInput {
        PartnershipInput {
            name: "Acme / Bolt".into(),
            customer: "Acme".into(),
            supplier: "Bolt".into(),
            ..Default::default()
        }
    }

    #[test]
    fn fills_defaults() {
        let spec = input()
            .validate(|_| true, "partnership-perception")
            .unwrap();
        assert_eq!(spec.min_reporting_size, 5);
        assert_eq!(spec.min_comment_size, 10);
        assert_eq!(spec.cadence, Cadence::Quarterly);
        assert_eq!(spec.reminder_days, vec![3, 7]);
        assert_eq!(spec.template, "partnership-perception");
    }

    #[test]
    fn refuses_a_minimum_below_three_and_lists_every_problem() {
        let mut i = input();
        i.min_reporting_size = Some(2);
        i.timezone = Some("Mars/Olympus".into());
        i.supplier = "ACME".into();
        let problems = i.validate(|_| false, "x").unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            ["supplier", "template", "timezone", "min_reporting_size"]
        );
    }

    #[test]
    fn reminders_must_fall_inside_the_window() {
        let mut i = input();
        i.response_window_days = Some(5);
        let problems = i.validate(|_| true, "t").unwrap_err();
        assert_eq!(problems[0].field, "reminder_days");
        assert_eq!(
            reminder_days_from_text(&reminder_days_to_text(&[3, 7])),
            [3, 7]
        );
    }
}

/// Where a partnership is in its life: running, paused (no wave opens until it resumes) or
/// archived (read-only and out of the default lists; its data is kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PartnershipState {
    Active,
    Paused,
    Archived,
}

impl PartnershipState {
    pub fn as_str(self) -> &'static str {
        match self {
            PartnershipState::Active => "active",
            PartnershipState::Paused => "paused",
            PartnershipState::Archived => "archived",
        }
    }

    pub fn parse(raw: &str) -> Option<PartnershipState> {
        [
            PartnershipState::Active,
            PartnershipState::Paused,
            PartnershipState::Archived,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}
