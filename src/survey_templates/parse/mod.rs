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
    Declared, Dimension, Item, OpenQuestion, Scale, ScaleKind, SurveyTemplate, TemplateSide,
    Translation, Wording, PARTNER_PLACEHOLDER,
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
    "translations",
];
const SCALE_KEYS: &[&str] = &["kind", "labels", "dont_know", "favourable"];
const DIMENSION_KEYS: &[&str] = &["id", "name", "description", "optional"];
const ITEM_KEYS: &[&str] = &["id", "dimension", "customer", "supplier", "meta_of"];
const OPEN_QUESTION_KEYS: &[&str] = &["id", "customer", "supplier", "optional", "dimension"];

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
    pub(super) id: String,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) scale: Scale,
    pub(super) dimensions: Vec<Dimension>,
    pub(super) items: Vec<Item>,
    pub(super) open_questions: Vec<OpenQuestion>,
    pub(super) translations: Vec<Translation>,
}

impl Parts {
    fn into_template(self, body: &str) -> SurveyTemplate {
        let mut template = SurveyTemplate {
            id: self.id,
            title: self.title,
            description: self.description,
            version: version_of(body),
            body: body.to_owned(),
            scale: self.scale,
            dimensions: Vec::new(),
            items: Vec::new(),
            open_questions: Vec::new(),
            translations: self.translations,
            declared: Box::new(Declared {
                dimensions: self.dimensions,
                items: self.items,
                open_questions: self.open_questions,
            }),
            included: Vec::new(),
        };
        template.select(Vec::new());
        template
    }
}

/// An entry of `[[dimensions]]`, `[[items]]` or `[[open_questions]]` as read, before the checks
/// that look across entries.
struct Entry<T> {
    pub(super) id: Option<(String, Span)>,
    pub(super) subject: Subject,
    pub(super) value: Option<T>,
}

struct Reader<'t> {
    pub(super) text: &'t str,
    /// With the byte offset they were found at, to list them in file order at the end.
    pub(super) problems: Vec<(Option<usize>, Problem)>,
}

mod checks;
mod reader;
mod sections;
#[cfg(test)]
mod tests;
mod translations;
#[cfg(test)]
mod translations_tests;

use checks::*;
