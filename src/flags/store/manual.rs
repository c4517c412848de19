//! Flags raised by hand: an ombudsman or administrator sees misalignment the rules cannot
//! (a complaint, a meeting) and raises a flag with a title, a note, an optional scope and a
//! severity. It lives like a rule's flag (inbox, life cycle, events, audit, alert mail) but
//! has no wave, and the rules' runs never read, move or close it.

use super::*;
use crate::domain::{FieldProblem, Side};
use crate::i18n::{en, en1, en2, en3, en_with};

/// The `rule` of a flag raised by hand.
pub const MANUAL: &str = "manual";

/// Longest title kept, in characters.
pub const MAX_TITLE: usize = 200;

/// Longest segment value, in characters.
const MAX_SEGMENT_VALUE: usize = 200;

/// The attributes a segment of respondents is made by.
pub const SEGMENT_ATTRIBUTES: [&str; 5] =
    ["level", "function", "region", "business_unit", "language"];

/// A flag raised by hand, as asked for. Optional fields left empty are absent; [`raise`]
/// checks every field and refuses with all the problems at once.
#[derive(Debug, Clone, Default)]
pub struct ManualFlagInput {
    pub title: String,
    pub note: String,
    pub side: Option<String>,
    pub dimension: Option<String>,
    pub segment_attribute: Option<String>,
    pub segment_value: Option<String>,
    pub item: Option<String>,
    /// `low`, `medium` (the default) or `high`.
    pub severity: Option<String>,
}

/// What a manual flag may point at: the dimensions and items (with their dimension) of the
/// partnership's survey, and the custom attributes it declared (key, label) beside the
/// built-in [`SEGMENT_ATTRIBUTES`].
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub dimensions: Vec<String>,
    pub items: Vec<(String, String)>,
    pub attributes: Vec<(String, String)>,
}

impl Vocabulary {
    /// Every attribute a segment may be named by: the built-in ones, then the declared keys.
    fn segment_attributes(&self) -> Vec<&str> {
        SEGMENT_ATTRIBUTES
            .iter()
            .copied()
            .chain(self.attributes.iter().map(|(key, _)| key.as_str()))
            .collect()
    }
}

/// A manual flag's checked scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ManualScope {
    side: Option<Side>,
    dimension: Option<String>,
    segment: Option<(String, String)>,
    /// The declared label of a custom attribute's segment, for the words (not the key).
    segment_label: Option<String>,
    item: Option<String>,
}

impl ManualScope {
    /// `dimension:trust:supplier:level=staff:item=trust_2`, `side:customer`,
    /// `segment:region=north`, or `partnership` for the whole of it.
    fn key(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(d) = &self.dimension {
            parts.push(format!("dimension:{d}"));
            if let Some(s) = self.side {
                parts.push(s.as_str().into());
            }
        } else if let Some(s) = self.side {
            parts.push(format!("side:{s}"));
        } else if self.segment.is_some() {
            parts.push("segment".into());
        }
        if let Some((a, v)) = &self.segment {
            parts.push(format!("{a}={v}"));
        }
        if let Some(i) = &self.item {
            parts.push(format!("item={i}"));
        }
        if parts.is_empty() {
            "partnership".into()
        } else {
            parts.join(":")
        }
    }

    fn words(&self) -> String {
        let mut parts = Vec::new();
        if let Some(d) = &self.dimension {
            parts.push(en1("scope-manual-dimension", "dimension", d));
        }
        if let Some(s) = self.side {
            parts.push(s.as_str().to_owned());
        }
        if let Some((a, v)) = &self.segment {
            let name = self.segment_label.as_deref().unwrap_or(a);
            parts.push(format!("{name} {v}"));
        }
        if let Some(i) = &self.item {
            parts.push(en1("scope-manual-item", "item", i));
        }
        if parts.is_empty() {
            en("scope-manual-whole")
        } else {
            parts.join(", ")
        }
    }

    fn link(&self, partnership_id: i64) -> String {
        match (&self.dimension, &self.segment) {
            (Some(d), _) => format!("/partnerships/{partnership_id}#dim-{d}"),
            (None, Some(_)) => format!("/partnerships/{partnership_id}#segments"),
            (None, None) => format!("/partnerships/{partnership_id}"),
        }
    }
}

fn problem(field: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field: field.into(),
        message: message.into(),
    }
}

/// The trimmed value of an optional field, `None` when absent or blank.
fn present(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Refuses NUL and other control characters but line breaks and tabs (notes have them).
fn check_text(field: &str, value: &str, problems: &mut Vec<FieldProblem>) -> bool {
    if value.contains('\0') {
        problems.push(problem(
            field,
            en1("flag-problem-field-nul", "field", field),
        ));
        return false;
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        problems.push(problem(
            field,
            en1("flag-problem-field-control", "field", field),
        ));
        return false;
    }
    true
}

/// Every problem of `input` against the partnership's survey, or the checked flag.
fn check(
    input: &ManualFlagInput,
    vocabulary: &Vocabulary,
) -> Result<(String, String, ManualScope, Severity), Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let title = input.title.trim().to_owned();
    if check_text("title", &title, &mut problems) {
        if title.is_empty() {
            problems.push(problem("title", en("flag-problem-title-empty")));
        } else if title.chars().count() > MAX_TITLE {
            problems.push(problem(
                "title",
                en1("flag-problem-title-too-long", "max", MAX_TITLE),
            ));
        } else if title.contains(['\n', '\r']) {
            problems.push(problem("title", en("flag-problem-title-one-line")));
        }
    }
    let note = input.note.trim().to_owned();
    if check_text("note", &note, &mut problems) && note.chars().count() > MAX_NOTE {
        problems.push(problem(
            "note",
            en1("flag-problem-note-too-long", "max", MAX_NOTE),
        ));
    }
    let mut scope = ManualScope::default();
    if let Some(raw) = present(&input.side) {
        if check_text("side", raw, &mut problems) {
            match raw.parse::<Side>() {
                Ok(side) => scope.side = Some(side),
                Err(why) => problems.push(problem("side", why)),
            }
        }
    }
    if let Some(raw) = present(&input.dimension) {
        if check_text("dimension", raw, &mut problems) {
            if vocabulary.dimensions.iter().any(|d| d == raw) {
                scope.dimension = Some(raw.to_owned());
            } else {
                problems.push(problem(
                    "dimension",
                    en2(
                        "flag-problem-unknown-dimension",
                        "raw",
                        format!("{raw:?}"),
                        "dimensions",
                        vocabulary.dimensions.join(", "),
                    ),
                ));
            }
        }
    }
    if let Some(raw) = present(&input.item) {
        if check_text("item", raw, &mut problems) {
            match vocabulary.items.iter().find(|(i, _)| i == raw) {
                None => problems.push(problem(
                    "item",
                    en1("flag-problem-unknown-item", "raw", format!("{raw:?}")),
                )),
                Some((_, of)) => match (&scope.dimension, present(&input.dimension)) {
                    (Some(d), _) if d != of => problems.push(problem(
                        "item",
                        en3(
                            "flag-problem-item-elsewhere",
                            "item",
                            format!("{raw:?}"),
                            "of",
                            format!("{of:?}"),
                            "dimension",
                            format!("{d:?}"),
                        ),
                    )),
                    // an unknown dimension was already refused
                    (None, Some(_)) => {}
                    _ => {
                        scope.dimension = Some(of.clone());
                        scope.item = Some(raw.to_owned());
                    }
                },
            }
        }
    }
    let attribute = present(&input.segment_attribute);
    let value = present(&input.segment_value);
    match (attribute, value) {
        (None, None) => {}
        (Some(_), None) => problems.push(problem(
            "segment_value",
            en("flag-problem-segment-no-value"),
        )),
        (None, Some(_)) => problems.push(problem(
            "segment_attribute",
            en1(
                "flag-problem-segment-no-attribute",
                "known",
                vocabulary.segment_attributes().join(", "),
            ),
        )),
        (Some(a), Some(v)) => {
            let known = vocabulary.segment_attributes();
            let attribute_ok = check_text("segment_attribute", a, &mut problems)
                && if known.contains(&a) {
                    true
                } else {
                    problems.push(problem(
                        "segment_attribute",
                        en2(
                            "flag-problem-segment-attribute",
                            "raw",
                            format!("{a:?}"),
                            "known",
                            known.join(", "),
                        ),
                    ));
                    false
                };
            let value_ok = check_text("segment_value", v, &mut problems)
                && if v.chars().count() > MAX_SEGMENT_VALUE || v.contains(['\n', '\r']) {
                    problems.push(problem(
                        "segment_value",
                        en1("flag-problem-segment-value", "max", MAX_SEGMENT_VALUE),
                    ));
                    false
                } else {
                    true
                };
            if attribute_ok && value_ok {
                scope.segment = Some((a.to_owned(), v.to_owned()));
                scope.segment_label = vocabulary
                    .attributes
                    .iter()
                    .find(|(key, _)| key == a)
                    .map(|(_, label)| label.clone());
            }
        }
    }
    let severity = match present(&input.severity) {
        None => Some(Severity::Medium),
        Some(raw) => {
            let parsed = Severity::parse(raw);
            if parsed.is_none() {
                let shown: String = raw.chars().filter(|c| !c.is_control()).collect();
                problems.push(problem(
                    "severity",
                    en_with(
                        "flag-problem-severity",
                        &[
                            ("raw", &format!("{shown:?}")),
                            ("low", &Severity::Low.words()),
                            ("medium", &Severity::Medium.words()),
                            ("high", &Severity::High.words()),
                        ],
                    ),
                ));
            }
            parsed
        }
    };
    match severity {
        Some(severity) if problems.is_empty() => Ok((title, note, scope, severity)),
        _ => Err(problems),
    }
}

/// Raises a flag by hand on a partnership, in one transaction: the flag (open, no wave,
/// `rule = manual`), its `opened` event and audit row, and an alert to every ombudsman who
/// sees the partnership through the outbox. Every field problem is reported at once.
pub fn raise(
    conn: &mut Conn,
    partnership_id: i64,
    input: &ManualFlagInput,
    vocabulary: &Vocabulary,
    actor: &Actor,
    links: &Links,
) -> Result<(FlagDetail, usize), FlagError> {
    let (title, note, scope, severity) = check(input, vocabulary).map_err(FlagError::Invalid)?;
    conn.write_transaction(|conn| {
        lock_partnership(conn, partnership_id)?;
        let partnership = require_partnership(conn, partnership_id)?;
        let at = now();
        let link = scope.link(partnership_id);
        let mut details = serde_json::Map::new();
        if let Some(s) = scope.side {
            details.insert("side".into(), s.as_str().into());
        }
        if let Some(d) = &scope.dimension {
            details.insert("dimension".into(), d.as_str().into());
        }
        if let Some((a, v)) = &scope.segment {
            details.insert("segment_attribute".into(), a.as_str().into());
            details.insert("segment_value".into(), v.as_str().into());
        }
        if let Some(i) = &scope.item {
            details.insert("item".into(), i.as_str().into());
        }
        details.insert("raised_by".into(), actor.name.as_str().into());
        details.insert("note".into(), note.as_str().into());
        details.insert("link".into(), link.into());
        let details = serde_json::Value::Object(details).to_string();
        let key = scope.key();
        let id: i64 = diesel::insert_into(flags::table)
            .values(&NewFlag {
                partnership_id,
                wave_id: None,
                rule: MANUAL,
                scope: &key,
                measured: None,
                threshold: None,
                severity: severity.as_str(),
                state: FlagState::Open.as_str(),
                details: &details,
                assignee_user_id: None,
                created_at: at,
                updated_at: at,
                title: &title,
            })
            .returning(flags::id)
            .get_result(conn)?;
        let raised: [(&str, &dyn std::fmt::Display); 4] = [
            ("title", &title),
            ("scope", &scope.words()),
            ("severity", &severity.words()),
            ("note", &note),
        ];
        let event = if note.is_empty() {
            en_with("flag-note-raised", &raised)
        } else {
            en_with("flag-note-raised-with-note", &raised)
        };
        record(conn, id, actor, "opened", &event, at)?;
        let recipients = ombudsmen_of(conn, partnership_id)?;
        let queued = send_alerts(conn, &recipients, id, |name| FlagAlertMail {
            ombudsman_name: name,
            partnership: partnership.clone(),
            wave_seq: None,
            rule: title.clone(),
            scope: scope.words(),
            measured: None,
            threshold: None,
            severity: severity.words(),
            raised_by: Some(actor.name.clone()),
            note: note.clone(),
            link: format!("{}/flags/{id}", links.base_url),
        })?;
        Ok((show(conn, id)?, queued))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        Vocabulary {
            dimensions: vec!["trust".into(), "win_win".into()],
            items: vec![
                ("trust_1".into(), "trust".into()),
                ("ww_1".into(), "win_win".into()),
            ],
            attributes: vec![("site".into(), "Site".into())],
        }
    }

    #[test]
    fn a_declared_attribute_names_a_segment_and_an_undeclared_one_is_refused_with_the_list() {
        let on = |attribute: &str| ManualFlagInput {
            title: "Lyon feels left out".into(),
            segment_attribute: Some(attribute.into()),
            segment_value: Some("Lyon".into()),
            ..Default::default()
        };
        let (_, _, scope, _) = check(&on("site"), &vocabulary()).unwrap();
        assert_eq!(scope.key(), "segment:site=Lyon");
        assert_eq!(
            scope.words(),
            "Site Lyon",
            "the declared label, not the key"
        );
        let problems = check(&on("programme"), &vocabulary()).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].message,
            "\"programme\" is not an attribute of this partnership: level, function, region, \
             business_unit, language, site"
        );
        let without_site = Vocabulary {
            attributes: Vec::new(),
            ..vocabulary()
        };
        assert!(check(&on("site"), &without_site).is_err());
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let input = ManualFlagInput {
            title: "  ".into(),
            note: "a\0b".into(),
            side: Some("both".into()),
            dimension: Some("speed".into()),
            segment_attribute: Some("team".into()),
            segment_value: Some("north".into()),
            item: Some("nope".into()),
            severity: Some("urgent".into()),
        };
        let fields: Vec<String> = check(&input, &vocabulary())
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            [
                "title",
                "note",
                "side",
                "dimension",
                "item",
                "segment_attribute",
                "severity"
            ]
        );
    }

    #[test]
    fn an_item_brings_its_dimension_and_must_agree_with_one_given() {
        let input = ManualFlagInput {
            title: "Late deliveries".into(),
            item: Some("trust_1".into()),
            side: Some("Supplier".into()),
            ..Default::default()
        };
        let (_, _, scope, severity) = check(&input, &vocabulary()).unwrap();
        assert_eq!(scope.key(), "dimension:trust:supplier:item=trust_1");
        assert_eq!(severity, Severity::Medium);
        let clash = ManualFlagInput {
            dimension: Some("win_win".into()),
            ..input
        };
        let problems = check(&clash, &vocabulary()).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "item");
    }

    #[test]
    fn scopes_read_as_keys() {
        let whole = ManualScope::default();
        assert_eq!(whole.key(), "partnership");
        let side = ManualScope {
            side: Some(Side::Customer),
            segment: Some(("level".into(), "staff".into())),
            ..Default::default()
        };
        assert_eq!(side.key(), "side:customer:level=staff");
        let segment = ManualScope {
            segment: Some(("region".into(), "north".into())),
            ..Default::default()
        };
        assert_eq!(segment.key(), "segment:region=north");
    }
}
