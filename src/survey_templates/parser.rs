//! From the text of a template file to a [`SurveyTemplate`], collecting every problem on the way.
//!
//! The file is read from toml's spanned document tree rather than through `serde` derive because
//! derive stops at the first unknown key or wrong type, and an author fixing a file wants the
//! whole list, each with its line.

use std::collections::HashMap;
use std::ops::Range;

use sha2::{Digest, Sha256};
use toml::de::{DeTable, DeValue};

use super::error::{EntryName, Location, Problem, ProblemKind, Subject, TemplateError};
use super::{
    Dimension, Item, OpenQuestion, Scale, ScaleKind, SurveyTemplate, TemplateSide, Wording,
    PARTNER_PLACEHOLDER,
};

type Span = Range<usize>;

const TEMPLATE_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "scale",
    "dimensions",
    "items",
    "open_questions",
];
const SCALE_KEYS: &[&str] = &["kind", "labels", "dont_know"];
const DIMENSION_KEYS: &[&str] = &["id", "name", "description"];
const ITEM_KEYS: &[&str] = &["id", "dimension", "customer", "supplier"];
const OPEN_QUESTION_KEYS: &[&str] = &["id", "customer", "supplier", "optional"];

/// Parses and checks one template. `source` names the file in every message (a path, or a label
/// such as "stored template v…"); `body` is the exact text, kept and hashed as it is.
pub fn parse(source: &str, body: &str) -> Result<SurveyTemplate, TemplateError> {
    let (document, syntax_errors) = DeTable::parse_recoverable(body);
    let mut reader = Reader {
        text: body,
        problems: Vec::new(),
    };
    if !syntax_errors.is_empty() {
        // The tree recovered from broken syntax is partial: checking it would add "missing key"
        // problems that are only echoes of the syntax errors.
        for error in &syntax_errors {
            let message = error.message().replace('\n', "; ");
            reader.report(
                error.span().as_ref(),
                &Subject::Template,
                ProblemKind::Syntax(message),
            );
        }
        return Err(reader.into_error(source));
    }
    let parts = reader.template(document.get_ref());
    match parts {
        Some(parts) if reader.problems.is_empty() => Ok(parts.into_template(body)),
        _ => Err(reader.into_error(source)),
    }
}

/// The lowercase hex SHA-256 of a body: a template's version.
pub(crate) fn version_of(body: &str) -> String {
    Sha256::digest(body.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Everything but the version and body, which come from the text itself.
struct Parts {
    id: String,
    title: String,
    description: String,
    scale: Scale,
    dimensions: Vec<Dimension>,
    items: Vec<Item>,
    open_questions: Vec<OpenQuestion>,
}

impl Parts {
    fn into_template(self, body: &str) -> SurveyTemplate {
        SurveyTemplate {
            id: self.id,
            title: self.title,
            description: self.description,
            version: version_of(body),
            body: body.to_owned(),
            scale: self.scale,
            dimensions: self.dimensions,
            items: self.items,
            open_questions: self.open_questions,
        }
    }
}

/// An entry of `[[dimensions]]`, `[[items]]` or `[[open_questions]]` as read, before the checks
/// that look across entries.
struct Entry<T> {
    id: Option<(String, Span)>,
    subject: Subject,
    value: Option<T>,
}

struct Reader<'t> {
    text: &'t str,
    /// With the byte offset they were found at, to list them in file order at the end.
    problems: Vec<(Option<usize>, Problem)>,
}

impl Reader<'_> {
    fn report(&mut self, at: Option<&Span>, subject: &Subject, kind: ProblemKind) {
        let offset = at.map(|span| span.start);
        let location = offset.map(|offset| Location::of_offset(self.text, offset));
        self.problems
            .push((offset, Problem::new(location, subject.clone(), kind)));
    }

    fn line_of(&self, span: &Span) -> usize {
        Location::of_offset(self.text, span.start).line
    }

    fn into_error(mut self, source: &str) -> TemplateError {
        // Stable, so problems at one place keep the order they were found in.
        self.problems.sort_by_key(|(offset, _)| *offset);
        TemplateError::new(
            source.to_owned(),
            self.problems
                .into_iter()
                .map(|(_, problem)| problem)
                .collect(),
        )
    }

    fn template(&mut self, root: &DeTable<'_>) -> Option<Parts> {
        let subject = Subject::Template;
        self.unknown_keys(root, TEMPLATE_KEYS, &subject);

        let id = self.required_string(root, None, "id", &subject);
        if let Some((id, span)) = &id {
            if !is_template_id(id) {
                self.report(Some(span), &subject, ProblemKind::BadTemplateId(id.clone()));
            }
        }
        let title = self.required_string(root, None, "title", &subject);
        let description = self.optional_string(root, "description", &subject);
        let scale = match self.table(root, "scale", &subject) {
            Some((table, span)) => self.scale(table, &span),
            None => {
                if root.get("scale").is_none() {
                    self.report(None, &subject, ProblemKind::MissingKey("scale"));
                }
                None
            }
        };

        let dimensions = self.entries(
            root,
            "dimensions",
            true,
            Subject::Dimension,
            |reader, table, span, subject, id| reader.dimension(table, span, subject, id),
        );
        let mut declared: Vec<String> = Vec::new();
        for (id, _) in dimensions.iter().filter_map(|entry| entry.id.as_ref()) {
            if !declared.contains(id) {
                declared.push(id.clone());
            }
        }
        let items = self.entries(
            root,
            "items",
            true,
            Subject::Item,
            |reader, table, span, subject, id| reader.item(table, span, subject, id, &declared),
        );
        let open_questions = self.entries(
            root,
            "open_questions",
            false,
            Subject::OpenQuestion,
            |reader, table, span, subject, id| reader.open_question(table, span, subject, id),
        );

        self.no_duplicates(&dimensions, |id, first_line| {
            ProblemKind::DuplicateDimension { id, first_line }
        });
        let item_lines = self.no_duplicates(&items, |id, first_line| ProblemKind::DuplicateItem {
            id,
            first_line,
        });
        self.no_duplicates(&open_questions, |id, first_line| {
            ProblemKind::DuplicateOpenQuestion { id, first_line }
        });
        for question in &open_questions {
            if let Some((id, span)) = &question.id {
                if let Some(&item_line) = item_lines.get(id.as_str()) {
                    self.report(
                        Some(span),
                        &question.subject,
                        ProblemKind::IdCollision {
                            id: id.clone(),
                            item_line,
                        },
                    );
                }
            }
        }
        self.every_dimension_has_items(&dimensions, root);

        Some(Parts {
            id: id?.0,
            title: title?.0,
            description: description.unwrap_or_default(),
            scale: scale?,
            dimensions: values(dimensions)?,
            items: values(items)?,
            open_questions: values(open_questions)?,
        })
    }

    fn scale(&mut self, table: &DeTable<'_>, span: &Span) -> Option<Scale> {
        let subject = Subject::Scale;
        self.unknown_keys(table, SCALE_KEYS, &subject);

        let kind = self
            .required_string(table, Some(span), "kind", &subject)
            .and_then(|(name, at)| {
                let kind = ScaleKind::from_name(&name);
                if kind.is_none() {
                    self.report(Some(&at), &subject, ProblemKind::UnknownScaleKind(name));
                }
                kind
            });
        let labels = self.labels(table, span, &subject);
        let dont_know = if table.get("dont_know").is_none() {
            self.report(Some(span), &subject, ProblemKind::MissingDontKnow);
            None
        } else {
            self.required_string(table, Some(span), "dont_know", &subject)
                .map(|(label, at)| {
                    let repeated = labels.iter().flatten().position(|other| *other == label);
                    if let Some(index) = repeated {
                        self.report(
                            Some(&at),
                            &subject,
                            ProblemKind::DontKnowRepeatsLabel(index + 1),
                        );
                    }
                    label
                })
        };
        Some(Scale {
            kind: kind?,
            labels: labels?,
            dont_know: dont_know?,
        })
    }

    fn labels(
        &mut self,
        table: &DeTable<'_>,
        span: &Span,
        subject: &Subject,
    ) -> Option<[String; 5]> {
        let Some(value) = table.get("labels") else {
            self.report(Some(span), subject, ProblemKind::MissingKey("labels"));
            return None;
        };
        let DeValue::Array(array) = value.get_ref() else {
            self.wrong_type(
                &value.span(),
                subject,
                "labels",
                "an array of five strings",
                value.get_ref(),
            );
            return None;
        };
        if array.len() != 5 {
            self.report(
                Some(&value.span()),
                subject,
                ProblemKind::ScaleLabelCount(array.len()),
            );
        }
        let mut labels = Vec::with_capacity(array.len());
        for (index, label) in array.iter().enumerate() {
            let point = index + 1;
            let DeValue::String(text) = label.get_ref() else {
                self.wrong_type(
                    &label.span(),
                    subject,
                    &format!("labels[{point}]"),
                    "a string",
                    label.get_ref(),
                );
                continue;
            };
            let text = text.trim();
            if text.is_empty() {
                self.report(
                    Some(&label.span()),
                    subject,
                    ProblemKind::BlankScaleLabel(point),
                );
                continue;
            }
            if let Some(first) = labels
                .iter()
                .position(|(other, _): &(String, usize)| other == text)
            {
                self.report(
                    Some(&label.span()),
                    subject,
                    ProblemKind::RepeatedScaleLabel {
                        point,
                        first: labels[first].1,
                        label: text.to_owned(),
                    },
                );
                continue;
            }
            labels.push((text.to_owned(), point));
        }
        let labels: Vec<String> = labels.into_iter().map(|(label, _)| label).collect();
        // A wrong count was reported above; there is no scale to build from it.
        <[String; 5]>::try_from(labels).ok()
    }

    fn dimension(
        &mut self,
        table: &DeTable<'_>,
        span: &Span,
        subject: &Subject,
        id: Option<String>,
    ) -> Option<Dimension> {
        self.unknown_keys(table, DIMENSION_KEYS, subject);
        let name = self.required_string(table, Some(span), "name", subject);
        let description = self.optional_string(table, "description", subject);
        Some(Dimension {
            id: id?,
            name: name?.0,
            description: description.unwrap_or_default(),
        })
    }

    fn item(
        &mut self,
        table: &DeTable<'_>,
        span: &Span,
        subject: &Subject,
        id: Option<String>,
        declared: &[String],
    ) -> Option<Item> {
        self.unknown_keys(table, ITEM_KEYS, subject);
        let dimension = self
            .required_string(table, Some(span), "dimension", subject)
            .and_then(|(dimension, at)| {
                if declared.contains(&dimension) {
                    Some(dimension)
                } else {
                    self.report(
                        Some(&at),
                        subject,
                        ProblemKind::UnknownDimension {
                            dimension,
                            declared: declared.to_vec(),
                        },
                    );
                    None
                }
            });
        let wording = self.wording(table, span, subject);
        Some(Item {
            id: id?,
            dimension: dimension?,
            wording: wording?,
        })
    }

    fn open_question(
        &mut self,
        table: &DeTable<'_>,
        span: &Span,
        subject: &Subject,
        id: Option<String>,
    ) -> Option<OpenQuestion> {
        self.unknown_keys(table, OPEN_QUESTION_KEYS, subject);
        let wording = self.wording(table, span, subject);
        let optional = match table.get("optional") {
            None => Some(true),
            Some(value) => match value.get_ref() {
                DeValue::Boolean(optional) => Some(*optional),
                other => {
                    self.wrong_type(&value.span(), subject, "optional", "true or false", other);
                    None
                }
            },
        };
        Some(OpenQuestion {
            id: id?,
            wording: wording?,
            optional: optional?,
        })
    }

    fn wording(&mut self, table: &DeTable<'_>, span: &Span, subject: &Subject) -> Option<Wording> {
        let [customer, supplier] =
            TemplateSide::BOTH.map(|side| self.side_wording(table, span, subject, side));
        Some(Wording {
            customer: customer?,
            supplier: supplier?,
        })
    }

    fn side_wording(
        &mut self,
        table: &DeTable<'_>,
        span: &Span,
        subject: &Subject,
        side: TemplateSide,
    ) -> Option<String> {
        let Some(value) = table.get(side.key()) else {
            self.report(Some(span), subject, ProblemKind::MissingWording { side });
            return None;
        };
        let DeValue::String(text) = value.get_ref() else {
            self.wrong_type(
                &value.span(),
                subject,
                side.key(),
                "a string",
                value.get_ref(),
            );
            return None;
        };
        let text = text.trim();
        if text.is_empty() {
            self.report(
                Some(&value.span()),
                subject,
                ProblemKind::BlankWording { side },
            );
            return None;
        }
        let mut sound = true;
        for kind in placeholder_problems(text, side) {
            self.report(Some(&value.span()), subject, kind);
            sound = false;
        }
        sound.then(|| text.to_owned())
    }

    /// Reads an array of tables such as `[[items]]`. Each entry gets its subject from its id
    /// before anything else is read, so that every later message can name it; `read` gets the id
    /// when it is sound and reads the rest even when it is not, to find every problem.
    fn entries<T>(
        &mut self,
        root: &DeTable<'_>,
        key: &'static str,
        required: bool,
        subject_of: fn(EntryName) -> Subject,
        mut read: impl FnMut(&mut Self, &DeTable<'_>, &Span, &Subject, Option<String>) -> Option<T>,
    ) -> Vec<Entry<T>> {
        let Some(value) = root.get(key) else {
            if required {
                self.report(None, &Subject::Template, ProblemKind::MissingKey(key));
            }
            return Vec::new();
        };
        let expected = "an array of tables ([[…]])";
        let DeValue::Array(array) = value.get_ref() else {
            self.wrong_type(
                &value.span(),
                &Subject::Template,
                key,
                expected,
                value.get_ref(),
            );
            return Vec::new();
        };
        if array.is_empty() && required {
            self.report(
                Some(&value.span()),
                &Subject::Template,
                ProblemKind::Empty(key),
            );
        }
        let mut entries = Vec::with_capacity(array.len());
        for (index, element) in array.iter().enumerate() {
            let position = index + 1;
            let span = element.span();
            let DeValue::Table(table) = element.get_ref() else {
                self.wrong_type(
                    &span,
                    &Subject::Template,
                    &format!("{key}[{position}]"),
                    "a table",
                    element.get_ref(),
                );
                continue;
            };
            let raw_id = match table.get("id").map(|id| (id.get_ref(), id.span())) {
                Some((DeValue::String(id), at)) if !id.trim().is_empty() => {
                    Some((id.trim().to_owned(), at))
                }
                _ => None,
            };
            let subject = subject_of(match &raw_id {
                Some((id, _)) => EntryName::Id(id.clone()),
                None => EntryName::Position(position),
            });
            let id = self
                .required_string(table, Some(&span), "id", &subject)
                .and_then(|(id, at)| {
                    if is_id(&id) {
                        Some((id, at))
                    } else {
                        self.report(Some(&at), &subject, ProblemKind::BadId(id));
                        None
                    }
                });
            let value = read(
                self,
                table,
                &span,
                &subject,
                id.as_ref().map(|(id, _)| id.clone()),
            );
            entries.push(Entry { id, subject, value });
        }
        entries
    }

    /// Reports every id after its first occurrence; returns the line of each first occurrence.
    fn no_duplicates<T>(
        &mut self,
        entries: &[Entry<T>],
        problem: fn(String, usize) -> ProblemKind,
    ) -> HashMap<String, usize> {
        let mut first_lines: HashMap<String, usize> = HashMap::new();
        for entry in entries {
            let Some((id, span)) = &entry.id else {
                continue;
            };
            match first_lines.get(id) {
                Some(&first_line) => {
                    self.report(Some(span), &entry.subject, problem(id.clone(), first_line));
                }
                None => {
                    first_lines.insert(id.clone(), self.line_of(span));
                }
            }
        }
        first_lines
    }

    /// Looks at the `dimension` keys as written, so that an item with another problem (a bad id,
    /// missing wording) still counts for its dimension.
    fn every_dimension_has_items(&mut self, dimensions: &[Entry<Dimension>], root: &DeTable<'_>) {
        let Some(used) = written_item_dimensions(root) else {
            // An item without a readable dimension may belong to any of them.
            return;
        };
        let mut reported: Vec<&str> = Vec::new();
        for dimension in dimensions {
            let Some((id, span)) = &dimension.id else {
                continue;
            };
            if !used.contains(&id.as_str()) && !reported.contains(&id.as_str()) {
                reported.push(id);
                self.report(Some(span), &dimension.subject, ProblemKind::EmptyDimension);
            }
        }
    }

    fn unknown_keys(
        &mut self,
        table: &DeTable<'_>,
        allowed: &'static [&'static str],
        subject: &Subject,
    ) {
        for (key, _) in table.iter() {
            if !allowed.contains(&key.get_ref().as_ref()) {
                self.report(
                    Some(&key.span()),
                    subject,
                    ProblemKind::UnknownKey {
                        key: key.get_ref().to_string(),
                        allowed,
                    },
                );
            }
        }
    }

    fn table<'a, 'i>(
        &mut self,
        parent: &'a DeTable<'i>,
        key: &str,
        subject: &Subject,
    ) -> Option<(&'a DeTable<'i>, Span)> {
        let value = parent.get(key)?;
        match value.get_ref() {
            DeValue::Table(table) => Some((table, value.span())),
            other => {
                self.wrong_type(&value.span(), subject, key, "a table", other);
                None
            }
        }
    }

    /// A trimmed string, `None` when absent (not a problem here) or not a string (reported).
    fn optional_string(
        &mut self,
        table: &DeTable<'_>,
        key: &str,
        subject: &Subject,
    ) -> Option<String> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::String(text) => Some(text.trim().to_owned()),
            other => {
                self.wrong_type(&value.span(), subject, key, "a string", other);
                None
            }
        }
    }

    /// A trimmed, non-blank string and where it is; absence and blankness are reported, at the
    /// table's header when it has one.
    fn required_string(
        &mut self,
        table: &DeTable<'_>,
        table_at: Option<&Span>,
        key: &'static str,
        subject: &Subject,
    ) -> Option<(String, Span)> {
        let Some(value) = table.get(key) else {
            self.report(table_at, subject, ProblemKind::MissingKey(key));
            return None;
        };
        let text = self.optional_string(table, key, subject)?;
        if text.is_empty() {
            self.report(Some(&value.span()), subject, ProblemKind::Blank(key));
            return None;
        }
        Some((text, value.span()))
    }

    fn wrong_type(
        &mut self,
        at: &Span,
        subject: &Subject,
        key: &str,
        expected: &'static str,
        found: &DeValue<'_>,
    ) {
        self.report(
            Some(at),
            subject,
            ProblemKind::WrongType {
                key: key.to_owned(),
                expected,
                found: found.type_str(),
            },
        );
    }
}

/// The trimmed `dimension` of every item, `None` if any item has none that can be read.
fn written_item_dimensions<'a>(root: &'a DeTable<'_>) -> Option<Vec<&'a str>> {
    let DeValue::Array(items) = root.get("items")?.get_ref() else {
        return None;
    };
    items
        .iter()
        .map(|item| match item.get_ref() {
            DeValue::Table(table) => match table.get("dimension")?.get_ref() {
                DeValue::String(dimension) => Some(dimension.trim()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn values<T>(entries: Vec<Entry<T>>) -> Option<Vec<T>> {
    entries.into_iter().map(|entry| entry.value).collect()
}

/// Item, dimension and open question ids end up in CSV headers and URLs.
fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

/// Template ids also name files, where `-` is the usual separator.
fn is_template_id(id: &str) -> bool {
    id.bytes()
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first.is_ascii_digit())
        && id.bytes().all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_' || byte == b'-'
        })
}

/// Everything in `{…}` must be `{partner}`; a stray brace is an error too, since it would reach
/// respondents verbatim.
fn placeholder_problems(text: &str, side: TemplateSide) -> Vec<ProblemKind> {
    let mut problems = Vec::new();
    let mut rest = text;
    while let Some(brace) = rest.find(['{', '}']) {
        if rest[brace..].starts_with('}') {
            problems.push(ProblemKind::UnmatchedBrace { side, brace: '}' });
            rest = &rest[brace + 1..];
            continue;
        }
        let after = &rest[brace + 1..];
        match after.find(['{', '}']) {
            Some(close) if after[close..].starts_with('}') => {
                let found = &rest[brace..brace + close + 2];
                if found != PARTNER_PLACEHOLDER {
                    problems.push(ProblemKind::UnknownPlaceholder {
                        side,
                        found: found.to_owned(),
                    });
                }
                rest = &after[close + 1..];
            }
            _ => {
                problems.push(ProblemKind::UnmatchedBrace { side, brace: '{' });
                rest = after;
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "survey-templates/x.toml";

    const VALID: &str = r#"# A small but complete template.
id = "x"
title = "Example"
description = "Two dimensions, three items."

[scale]
kind = "agreement"
labels = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
dont_know = "Don't know"

[[dimensions]]
id = "trust"
name = "Trust"

[[dimensions]]
id = "win_win"
name = "Win–win"
description = "Both gain."

[[items]]
id = "trust"
dimension = "trust"
customer = "We can trust {partner}."
supplier = "We can trust {partner}."

[[items]]
id = "dependable_people"
dimension = "trust"
customer = "We can depend on {partner}'s people."
supplier = "We can depend on {partner}'s people."

[[items]]
id = "win_win"
dimension = "win_win"
customer = "This joint effort with {partner} is a win–win."
supplier = "This joint effort with {partner} is a win–win."

[[open_questions]]
id = "changes"
customer = "What has changed?"
supplier = "What has changed?"
"#;

    /// `VALID` with exactly one occurrence of `from` replaced.
    fn with(from: &str, to: &str) -> String {
        assert_eq!(VALID.matches(from).count(), 1, "{from:?} must occur once");
        VALID.replacen(from, to, 1)
    }

    fn error_of(body: &str) -> TemplateError {
        parse(FILE, body).expect_err("the template has a problem")
    }

    fn lines_of(body: &str) -> Vec<String> {
        error_of(body)
            .to_string()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// `file:line:col` of the first occurrence of `needle` in `body`.
    fn at(body: &str, needle: &str) -> String {
        let offset = body.find(needle).expect("needle in body");
        format!("{FILE}:{}", Location::of_offset(body, offset))
    }

    #[test]
    fn the_valid_template_parses_with_everything_in_file_order() {
        let template = parse(FILE, VALID).expect("valid");

        assert_eq!(template.id(), "x");
        assert_eq!(template.title(), "Example");
        assert_eq!(template.description(), "Two dimensions, three items.");
        let dimensions: Vec<&str> = template.dimensions().iter().map(Dimension::id).collect();
        assert_eq!(dimensions, ["trust", "win_win"]);
        let items: Vec<(&str, &str)> = template
            .items()
            .iter()
            .map(|item| (item.id(), item.dimension()))
            .collect();
        assert_eq!(
            items,
            [
                ("trust", "trust"),
                ("dependable_people", "trust"),
                ("win_win", "win_win")
            ]
        );
        assert_eq!(template.dimensions()[0].description(), "");
        assert_eq!(template.open_questions()[0].id(), "changes");
    }

    #[test]
    fn the_body_is_kept_byte_for_byte() {
        let body = format!("{VALID}\n# trailing comment   \n");

        let template = parse(FILE, &body).expect("valid");

        assert_eq!(template.body(), body);
    }

    #[test]
    fn the_version_is_the_lowercase_hex_sha256_of_the_bytes() {
        assert_eq!(
            version_of(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let template = parse(FILE, VALID).expect("valid");
        assert_eq!(template.version(), version_of(VALID));
        assert_eq!(template.version().len(), 64);
        assert_eq!(template.short_version(), &template.version()[..12]);
    }

    #[test]
    fn the_version_changes_when_one_byte_changes_even_in_a_comment() {
        let original = parse(FILE, VALID).expect("valid");
        let edited = parse(FILE, &with("# A small", "# a small")).expect("valid");

        assert_ne!(original.version(), edited.version());
    }

    #[test]
    fn the_version_is_stable_for_the_same_bytes_whatever_the_file_name() {
        let first = parse(FILE, VALID).expect("valid");
        let second = parse("elsewhere/y.toml", VALID).expect("valid");

        assert_eq!(first.version(), second.version());
    }

    #[test]
    fn parsing_is_deterministic() {
        let broken = with("dimension = \"win_win\"", "dimension = \"nope\"\nextra = 1");

        assert_eq!(parse(FILE, VALID), parse(FILE, VALID));
        assert_eq!(error_of(&broken), error_of(&broken));
        assert_eq!(error_of(&broken).to_string(), error_of(&broken).to_string());
    }

    #[test]
    fn a_syntax_error_gives_its_line_and_column() {
        let body = with("title = \"Example\"", "title = \"Example");

        let lines = lines_of(&body);

        // The string runs to the end of line 3, where the closing quote was expected.
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with(&format!("{FILE}:3:17: TOML syntax: ")),
            "{lines:?}"
        );
    }

    #[test]
    fn every_syntax_error_is_listed_in_file_order() {
        let body = with("title = \"Example\"", "title = \"Example").replacen(
            "name = \"Trust\"",
            "name = = \"Trust\"",
            1,
        );

        let error = error_of(&body);

        let locations: Vec<Location> = error
            .problems()
            .iter()
            .map(|problem| problem.location().expect("syntax errors have a place"))
            .collect();
        assert!(locations.len() >= 2, "{error}");
        assert_eq!(locations[0].line, 3, "{error}");
        assert!(
            locations.iter().any(|location| location.line == 13),
            "{error}"
        );
        assert!(
            locations.windows(2).all(|pair| pair[0] <= pair[1]),
            "{error}"
        );
    }

    #[test]
    fn a_key_given_twice_is_a_syntax_error_at_the_second() {
        let body = with(
            "name = \"Trust\"",
            "name = \"Trust\"\nname = \"Trust again\"",
        );

        let lines = lines_of(&body);

        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with(&format!(
                "{}: TOML syntax: duplicate key",
                at(&body, "name = \"Trust again")
            )),
            "{lines:?}"
        );
    }

    #[test]
    fn an_unknown_key_in_an_item_is_named_with_the_item() {
        let body = with(
            "customer = \"We can trust {partner}.\"",
            "customer = \"We can trust {partner}.\"\nwordng = \"typo\"",
        );

        let lines = lines_of(&body);

        assert_eq!(
            lines,
            [format!(
                "{}: item \"trust\": unknown key \"wordng\" (allowed here: id, dimension, customer, supplier)",
                at(&body, "wordng")
            )]
        );
    }

    #[test]
    fn an_unknown_top_level_key_is_refused() {
        let body = format!("versoin = 2\n{VALID}");

        let lines = lines_of(&body);

        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with(&format!("{FILE}:1:1: unknown key \"versoin\"")),
            "{lines:?}"
        );
    }

    #[test]
    fn a_duplicate_item_id_names_the_item_and_the_first_line() {
        let body = with("id = \"dependable_people\"", "id = \"trust\"");

        let lines = lines_of(&body);

        assert_eq!(
            lines,
            [format!(
                "{}: item \"trust\": duplicate item id \"trust\" (first declared on line 21)",
                at(
                    &body,
                    "\"trust\"\ndimension = \"trust\"\ncustomer = \"We can depend"
                )
            )]
        );
    }

    #[test]
    fn a_duplicate_dimension_id_names_the_dimension() {
        let body = with("id = \"win_win\"\nname", "id = \"trust\"\nname")
            .replace("dimension = \"win_win\"", "dimension = \"trust\"");

        let lines = lines_of(&body);

        assert_eq!(
            lines,
            [format!(
                "{}: dimension \"trust\": duplicate dimension id \"trust\" (first declared on line 12)",
                at(&body, "\"trust\"\nname = \"Win")
            )]
        );
    }

    #[test]
    fn an_item_in_an_undeclared_dimension_names_the_item_and_the_dimension() {
        let body = with(
            "id = \"trust\"\ndimension = \"trust\"",
            "id = \"trust\"\ndimension = \"trsut\"",
        );

        let lines = lines_of(&body);

        assert_eq!(
            lines,
            [format!(
                "{}: item \"trust\": dimension \"trsut\" is not declared (declared: trust, win_win)",
                at(&body, "\"trsut\"")
            )]
        );
    }

    #[test]
    fn a_dimension_without_items_is_refused() {
        let body = with(
            "id = \"win_win\"\ndimension = \"win_win\"",
            "id = \"win_win\"\ndimension = \"trust\"",
        );

        let lines = lines_of(&body);

        assert_eq!(
            lines,
            [format!(
                "{}: dimension \"win_win\": no item belongs to this dimension",
                at(&body, "\"win_win\"\nname")
            )]
        );
    }

    #[test]
    fn a_scale_of_four_labels_is_refused() {
        let body = with("\"Neither agree nor disagree\", ", "");

        let lines = lines_of(&body);

        assert_eq!(
            lines,
            [format!(
                "{}: scale: the scale needs exactly five labels, for points 1 to 5 in order; found 4",
                at(&body, "[\"Strongly disagree\"")
            )]
        );
    }

    #[test]
    fn a_scale_of_six_labels_is_refused() {
        let body = with(
            "\"Strongly agree\"]",
            "\"Strongly agree\", \"Totally agree\"]",
        );

        let lines = lines_of(&body);

        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].ends_with("found 6"), "{lines:?}");
    }

    #[test]
    fn a_blank_scale_label_names_its_point() {
        let body = with("\"Agree\"", "\"  \"");

        let lines = lines_of(&body);

        assert_eq!(
            lines,
            [format!(
                "{}: scale: label of point 4 is blank",
                at(&body, "\"  \"")
            )]
        );
    }

    #[test]
    fn a_repeated_scale_label_is_refused() {
        let body = with("\"Neither agree nor disagree\"", "\"Disagree\"");

        let lines = lines_of(&body);

        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].ends_with("scale: label of point 3 repeats point 2: \"Disagree\""),
            "{lines:?}"
        );
    }

    #[test]
    fn a_scale_without_a_dont_know_label_is_refused() {
        let body = with("dont_know = \"Don't know\"\n", "");

        let lines = lines_of(&body);

        assert_eq!(
            lines,
            [format!(
                "{}: scale: missing don't-know label (key \"dont_know\"): every scale offers don't know",
                at(&body, "[scale]")
            )]
        );
    }

    #[test]
    fn a_blank_dont_know_label_is_refused() {
        let body = with("dont_know = \"Don't know\"", "dont_know = \"\"");

        let lines = lines_of(&body);

        assert_eq!(
            lines,
            [format!(
                "{}: scale: \"dont_know\" is blank",
                at(&body, "\"\"")
            )]
        );
    }

    #[test]
    fn an_unknown_scale_kind_is_refused() {
        let body = with("kind = \"agreement\"", "kind = \"agreeement\"");

        let lines = lines_of(&body);

        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].ends_with(
                "scale: unknown scale kind \"agreeement\" (known: agreement, frequency, extent, \
                 quality)"
            ),
            "{lines:?}"
        );
    }

    #[test]
    fn missing_wording_for_a_side_names_the_item_and_the_side() {
        let body = with("supplier = \"We can trust {partner}.\"\n", "");

        let lines = lines_of(&body);

        assert_eq!(
            lines,
            [format!(
                "{}: item \"trust\": wording for supplier staff is missing (key \"supplier\")",
                at(&body, "[[items]]")
            )]
        );
    }

    #[test]
    fn blank_wording_for_a_side_names_the_open_question() {
        let body = with("customer = \"What has changed?\"", "customer = \"   \"");

        let lines = lines_of(&body);

        assert_eq!(
            lines,
            [format!(
                "{}: open question \"changes\": wording for customer staff is blank",
                at(&body, "\"   \"")
            )]
        );
    }

    #[test]
    fn a_misspelt_placeholder_is_refused() {
        let body = with(
            "customer = \"We can depend on {partner}'s people.\"",
            "customer = \"We can depend on {parnter}'s people.\"",
        );

        let lines = lines_of(&body);

        assert_eq!(
            lines,
            [format!(
                "{}: item \"dependable_people\": wording for customer staff has unknown placeholder \"{{parnter}}\" (only {{partner}} is replaced)",
                at(&body, "\"We can depend on {parnter}")
            )]
        );
    }

    #[test]
    fn a_stray_brace_is_refused() {
        let problems = placeholder_problems("a {partner b} c {", TemplateSide::Supplier);

        assert_eq!(
            problems,
            [
                ProblemKind::UnknownPlaceholder {
                    side: TemplateSide::Supplier,
                    found: "{partner b}".to_owned()
                },
                ProblemKind::UnmatchedBrace {
                    side: TemplateSide::Supplier,
                    brace: '{'
                },
            ]
        );
        assert_eq!(
            placeholder_problems("} {partner}", TemplateSide::Customer),
            [ProblemKind::UnmatchedBrace {
                side: TemplateSide::Customer,
                brace: '}'
            }]
        );
        assert!(placeholder_problems("{partner} and {partner}", TemplateSide::Customer).is_empty());
    }

    #[test]
    fn an_item_id_outside_lowercase_digits_and_underscore_is_refused() {
        let body = with("id = \"dependable_people\"", "id = \"Dependable-People\"");

        let lines = lines_of(&body);

        assert_eq!(
            lines,
            [format!(
                "{}: item \"Dependable-People\": id \"Dependable-People\" is not allowed: use only a-z, 0-9 and _ (ids appear in CSV headers and URLs)",
                at(&body, "\"Dependable-People\"")
            )]
        );
    }

    #[test]
    fn a_bad_dimension_id_is_refused_and_its_items_are_not_blamed_twice() {
        let body = with("id = \"win_win\"\nname", "id = \"win win\"\nname")
            .replace("dimension = \"win_win\"", "dimension = \"win win\"");

        let lines = lines_of(&body);

        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].contains("dimension \"win win\": id \"win win\" is not allowed"),
            "{lines:?}"
        );
        assert!(
            lines[1].contains("item \"win_win\": dimension \"win win\" is not declared"),
            "{lines:?}"
        );
    }

    #[test]
    fn a_bad_template_id_is_refused() {
        let body = with("id = \"x\"", "id = \"-X\"");

        let lines = lines_of(&body);

        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with(&format!(
                "{}: template id \"-X\" is not allowed",
                at(&body, "\"-X\"")
            )),
            "{lines:?}"
        );
    }

    #[test]
    fn an_open_question_may_not_reuse_an_item_id() {
        let body = with("id = \"changes\"", "id = \"win_win\"");

        let lines = lines_of(&body);

        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with(&format!(
                "{}: open question \"win_win\": id \"win_win\" is already an item id (line 33)",
                at(&body, "\"win_win\"\ncustomer = \"What")
            )),
            "{lines:?}"
        );
    }

    #[test]
    fn a_duplicate_open_question_id_is_refused() {
        let body = format!(
            "{VALID}\n[[open_questions]]\nid = \"changes\"\ncustomer = \"Again?\"\nsupplier = \"Again?\"\n"
        );

        let lines = lines_of(&body);

        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].ends_with("open question \"changes\": duplicate open question id \"changes\" (first declared on line 39)"),
            "{lines:?}"
        );
    }

    #[test]
    fn an_entry_without_an_id_is_named_by_its_position() {
        let body = with("id = \"dependable_people\"\n", "");

        let lines = lines_of(&body);

        assert_eq!(
            lines,
            [format!(
                "{}: item #2: missing key \"id\"",
                at(&body, "[[items]]\ndimension")
            )]
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_says_what_was_expected() {
        let body = with("id = \"changes\"", "id = \"changes\"\noptional = \"yes\"");

        let lines = lines_of(&body);

        assert_eq!(
            lines,
            [format!(
                "{}: open question \"changes\": \"optional\" must be true or false, not string",
                at(&body, "\"yes\"")
            )]
        );
    }

    #[test]
    fn an_empty_file_lists_every_missing_key() {
        let lines = lines_of("");

        assert_eq!(
            lines,
            [
                format!("{FILE}: missing key \"id\""),
                format!("{FILE}: missing key \"title\""),
                format!("{FILE}: missing key \"scale\""),
                format!("{FILE}: missing key \"dimensions\""),
                format!("{FILE}: missing key \"items\""),
            ]
        );
    }

    #[test]
    fn a_template_without_items_is_refused() {
        let start = VALID.find("[[items]]").expect("items");
        let end = VALID.find("[[open_questions]]").expect("open questions");
        let body = format!("items = []\n{}{}", &VALID[..start], &VALID[end..]);

        let error = error_of(&body);

        assert!(error
            .problems()
            .iter()
            .any(|problem| *problem.kind() == ProblemKind::Empty("items")));
        assert!(
            error
                .to_string()
                .contains(&format!("{FILE}:1:9: \"items\" is empty")),
            "{error}"
        );
    }

    #[test]
    fn every_problem_of_a_file_is_listed_not_just_the_first() {
        let body = with("kind = \"agreement\"", "kind = \"agreement\"\nsteps = 5")
            .replacen("dimension = \"trust\"", "dimension = \"trsut\"", 1)
            .replace("supplier = \"What has changed?\"\n", "");

        let error = error_of(&body);
        let lines: Vec<String> = error.to_string().lines().map(str::to_owned).collect();

        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[0].contains("scale: unknown key \"steps\""),
            "{lines:?}"
        );
        assert!(
            lines[1].contains("item \"trust\": dimension \"trsut\""),
            "{lines:?}"
        );
        assert!(
            lines[2].contains("open question \"changes\": wording for supplier staff is missing"),
            "{lines:?}"
        );
        assert!(lines.iter().all(|line| line.starts_with(FILE)), "{lines:?}");
    }

    #[test]
    fn every_truncation_of_a_valid_file_is_either_a_template_or_a_list_of_named_problems() {
        let cuts = (0..=VALID.len()).filter(|&cut| VALID.is_char_boundary(cut));

        for cut in cuts {
            let body = &VALID[..cut];
            if let Err(error) = parse(FILE, body) {
                assert!(!error.problems().is_empty(), "cut at {cut}");
                assert!(
                    error.to_string().lines().all(|line| line.starts_with(FILE)),
                    "cut at {cut}: {error}"
                );
            }
        }
    }
}
