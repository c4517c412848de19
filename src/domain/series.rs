//! Survey series: a partnership runs its main series (the template and schedule on the
//! partnership itself) and any number of extra series, each with its own template, cadence,
//! first date, send time, timezone, response window and reminders.

use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;

use super::partnership::{DEFAULT_REMINDER_DAYS, DEFAULT_RESPONSE_WINDOW_DAYS};
use super::{AttributeText, Cadence, FieldProblem};

/// The key of the series defined on the partnership itself.
pub const MAIN_SERIES: &str = "main";

/// A series' key: what URLs (`?series=practices`), the CLI and the API name it by. 1–40
/// characters, lower-case ASCII letters, digits and `-`, starting with a letter; unique per
/// partnership. `main` names the partnership's own series.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeriesKey(String);

impl SeriesKey {
    pub fn parse(raw: &str) -> Result<SeriesKey, String> {
        let t = raw.trim();
        if t.is_empty() {
            return Err("a series key is required".into());
        }
        if t.len() > 40 {
            return Err(format!("series key {t:?} is longer than 40 characters"));
        }
        let ok_start = t.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        let ok_chars = t
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok_start || !ok_chars {
            return Err(format!(
                "series key {t:?} must start with a lower-case letter and hold only lower-case letters, digits and -"
            ));
        }
        Ok(SeriesKey(t.to_owned()))
    }

    pub fn main() -> SeriesKey {
        SeriesKey(MAIN_SERIES.to_owned())
    }

    pub fn is_main(&self) -> bool {
        self.0 == MAIN_SERIES
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SeriesKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a caller gives to add a series (API body or CLI flags).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesInput {
    /// Unique per partnership: lower-case letters, digits and `-` (`main` is the partnership's own).
    #[schema(pattern = "^[a-z][a-z0-9-]{0,39}$")]
    pub key: String,
    /// Display name (default: the key).
    pub name: Option<String>,
    /// Survey template id, such as `partnership-practices`.
    pub template: String,
    /// `monthly`, `quarterly` (default), `half-yearly` or `every N days`.
    pub cadence: Option<String>,
    /// Date of the first wave (YYYY-MM-DD), in the series' timezone; none: not scheduled.
    #[schema(value_type = Option<String>, format = Date)]
    pub first_wave_on: Option<NaiveDate>,
    /// Local send time, HH:MM (default 09:00).
    pub send_time: Option<String>,
    /// IANA timezone, e.g. Europe/Paris (default: the partnership's).
    pub timezone: Option<String>,
    /// Days a wave stays open (default 10).
    pub response_window_days: Option<i64>,
    /// Days of the window on which non-respondents are reminded (default [3, 7]).
    pub reminder_days: Option<Vec<i64>>,
}

/// A checked series definition.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSpec {
    pub key: SeriesKey,
    pub name: String,
    pub template: String,
    pub cadence: Cadence,
    pub first_wave_on: Option<NaiveDate>,
    pub send_time: NaiveTime,
    pub timezone: chrono_tz::Tz,
    pub response_window_days: i64,
    pub reminder_days: Vec<i64>,
}

impl SeriesInput {
    /// Checks every field and returns all problems at once. `template_known` says whether a
    /// template id exists in the catalogue; `default_timezone` is the partnership's.
    pub fn validate(
        &self,
        template_known: impl Fn(&str) -> bool,
        default_timezone: &str,
    ) -> Result<SeriesSpec, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut bad = |field: &str, message: String| {
            problems.push(FieldProblem {
                field: field.to_owned(),
                message,
            })
        };
        let key = match SeriesKey::parse(&self.key) {
            Ok(k) if k.is_main() => {
                bad(
                    "key",
                    "\"main\" is the partnership's own series: choose another key".into(),
                );
                k
            }
            Ok(k) => k,
            Err(e) => {
                bad("key", e);
                SeriesKey::main()
            }
        };
        let name = match self.name.as_deref() {
            None => key.as_str().to_owned(),
            Some(raw) => match AttributeText::parse("name", raw) {
                Ok(t) if t.as_str().is_empty() => {
                    bad("name", "a series name must not be empty".into());
                    String::new()
                }
                Ok(t) => t.into_string(),
                Err(e) => {
                    bad("name", e);
                    String::new()
                }
            },
        };
        let template = self.template.trim().to_owned();
        if template.is_empty() {
            bad("template", "a series needs a survey template".into());
        } else if !template_known(&template) {
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
        let tz_raw = self.timezone.as_deref().unwrap_or(default_timezone);
        let timezone = tz_raw.trim().parse::<chrono_tz::Tz>().unwrap_or_else(|_| {
            bad(
                "timezone",
                format!("{tz_raw:?} is not an IANA timezone such as Europe/Paris"),
            );
            chrono_tz::UTC
        });
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
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(SeriesSpec {
            key,
            name,
            template,
            cadence,
            first_wave_on: self.first_wave_on,
            send_time,
            timezone,
            response_window_days: window,
            reminder_days,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SeriesInput {
        SeriesInput {
            key: "practices".into(),
            template: "partnership-practices".into(),
            cadence: Some("half-yearly".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_series_gets_defaults_and_the_partnerships_timezone() {
        let spec = input().validate(|_| true, "Europe/Paris").unwrap();
        assert_eq!(spec.key.as_str(), "practices");
        assert_eq!(spec.name, "practices");
        assert_eq!(spec.cadence, Cadence::HalfYearly);
        assert_eq!(spec.timezone, chrono_tz::Europe::Paris);
        assert_eq!(spec.response_window_days, 10);
        assert_eq!(spec.reminder_days, vec![3, 7]);
    }

    #[test]
    fn every_problem_is_named_with_its_field() {
        let bad = SeriesInput {
            key: "Main!".into(),
            template: "nope".into(),
            cadence: Some("weekly-ish".into()),
            send_time: Some("25:00".into()),
            response_window_days: Some(5),
            reminder_days: Some(vec![7]),
            ..Default::default()
        };
        let problems = bad
            .validate(|t| t == "partnership-practices", "UTC")
            .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["key", "template", "cadence", "send_time", "reminder_days"]
        );
        assert!(problems[1].message.contains("\"nope\""));
    }

    #[test]
    fn main_is_reserved_and_keys_are_slugs() {
        let main = SeriesInput {
            key: "main".into(),
            ..input()
        };
        let problems = main.validate(|_| true, "UTC").unwrap_err();
        assert_eq!(problems[0].field, "key");
        assert!(problems[0].message.contains("partnership's own"));
        assert!(SeriesKey::parse("practices-2027").is_ok());
        assert!(SeriesKey::parse("2027").is_err());
        assert!(SeriesKey::parse("a b").is_err());
        assert!(SeriesKey::parse(&"a".repeat(41)).is_err());
    }
}
