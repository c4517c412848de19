//! What can be wrong with a template file, worded for the person who has to fix it.

use std::fmt;

use super::{ScaleKind, TemplateSide};

/// A place in a file: 1-based line, 1-based column counted in characters (as editors count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The location of a byte offset; offsets past the end or inside a character are pulled back,
    /// because parser spans can point just past the last byte.
    pub fn of_offset(text: &str, offset: usize) -> Location {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        Location {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The part of a template a problem is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    /// The file as a whole or its top-level keys.
    Template,
    Scale,
    /// An entry is named by its id when it has one, else by its 1-based position in the file.
    Dimension(EntryName),
    Item(EntryName),
    OpenQuestion(EntryName),
    /// A `[translations.<language>]` table, or one part of it (`scale`, `item "trust"`…).
    Translation {
        language: String,
        part: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EntryName {
    Id(String),
    Position(usize),
}

impl fmt::Display for EntryName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryName::Id(id) => write!(f, "\"{id}\""),
            EntryName::Position(position) => write!(f, "#{position}"),
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Template => f.write_str("template"),
            Subject::Scale => f.write_str("scale"),
            Subject::Dimension(name) => write!(f, "dimension {name}"),
            Subject::Item(name) => write!(f, "item {name}"),
            Subject::OpenQuestion(name) => write!(f, "open question {name}"),
            Subject::Translation {
                language,
                part: None,
            } => write!(f, "translation \"{language}\""),
            Subject::Translation {
                language,
                part: Some(part),
            } => write!(f, "translation \"{language}\", {part}"),
        }
    }
}

/// What is wrong. Each message is written to be read after `file:line:col: subject: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProblemKind {
    #[error("TOML syntax: {0}")]
    Syntax(String),
    #[error("unknown key \"{key}\" (allowed here: {})", .allowed.join(", "))]
    UnknownKey {
        key: String,
        allowed: &'static [&'static str],
    },
    #[error("missing key \"{0}\"")]
    MissingKey(&'static str),
    #[error("\"{key}\" must be {expected}, not {found}")]
    WrongType {
        key: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("\"{0}\" is blank")]
    Blank(&'static str),
    #[error("\"{0}\" is empty: a template needs at least one")]
    Empty(&'static str),
    #[error(
        "id \"{0}\" is not allowed: use only a-z, 0-9 and _ (ids appear in CSV headers and URLs)"
    )]
    BadId(String),
    #[error(
        "template id \"{0}\" is not allowed: use only a-z, 0-9, - and _, starting with a letter or \
         digit (it appears in URLs and file names)"
    )]
    BadTemplateId(String),
    #[error("duplicate dimension id \"{id}\" (first declared on line {first_line})")]
    DuplicateDimension { id: String, first_line: usize },
    #[error("duplicate item id \"{id}\" (first declared on line {first_line})")]
    DuplicateItem { id: String, first_line: usize },
    #[error("duplicate open question id \"{id}\" (first declared on line {first_line})")]
    DuplicateOpenQuestion { id: String, first_line: usize },
    #[error(
        "id \"{id}\" is already an item id (line {item_line}); answers and comments are keyed by \
         id, so an open question needs its own"
    )]
    IdCollision { id: String, item_line: usize },
    #[error("dimension \"{dimension}\" is not declared (declared: {})", .declared.join(", "))]
    UnknownDimension {
        dimension: String,
        declared: Vec<String>,
    },
    #[error(
        "meta_of \"{target}\" is not an item of this template (items: {})",
        .items.join(", ")
    )]
    UnknownMetaTarget { target: String, items: Vec<String> },
    #[error(
        "meta_of \"{target}\" names a meta item (or this item itself); a meta item must be about \
         a perception item"
    )]
    MetaOfMeta { target: String },
    #[error(
        "item \"{target}\" already has a meta item (line {first_line}); an item has at most one"
    )]
    DuplicateMeta { target: String, first_line: usize },
    #[error(
        "meta_of \"{target}\" is in dimension \"{target_dimension}\" and this item in \
         \"{dimension}\"; where either is optional both must be in the same dimension, so that \
         a wave asks both or neither"
    )]
    MetaAcrossOptional {
        target: String,
        target_dimension: String,
        dimension: String,
    },
    #[error(
        "\"{dimension}\" is not an optional dimension of this template (optional: {})",
        if .optional.is_empty() { "none".to_owned() } else { .optional.join(", ") }
    )]
    NotOptional {
        dimension: String,
        optional: Vec<String>,
    },
    #[error("no item belongs to this dimension")]
    EmptyDimension,
    #[error("unknown scale kind \"{0}\" (known: {known})", known = known_scale_kinds())]
    UnknownScaleKind(String),
    #[error(
        "the scale needs 2 to 11 labels, for points 1 to A in order (higher = better); found {0}"
    )]
    ScaleLabelCount(usize),
    #[error("favourable must be a whole number of top points from 1 to {points}; found {found}")]
    FavourableOutOfRange { points: usize, found: String },
    #[error("label of point {0} is blank")]
    BlankScaleLabel(usize),
    #[error("label of point {point} repeats point {first}: \"{label}\"")]
    RepeatedScaleLabel {
        point: usize,
        first: usize,
        label: String,
    },
    #[error("missing don't-know label (key \"dont_know\"): every scale offers don't know")]
    MissingDontKnow,
    #[error("the don't-know label repeats the label of point {0}")]
    DontKnowRepeatsLabel(usize),
    #[error("wording for {side} staff is missing (key \"{}\")", .side.key())]
    MissingWording { side: TemplateSide },
    #[error("wording for {side} staff is blank")]
    BlankWording { side: TemplateSide },
    #[error(
        "wording for {side} staff has unknown placeholder \"{found}\" (only {{partner}} is \
         replaced)"
    )]
    UnknownPlaceholder { side: TemplateSide, found: String },
    #[error("wording for {side} staff has an unmatched \"{brace}\"")]
    UnmatchedBrace { side: TemplateSide, brace: char },
    #[error("language \"{0}\" is not offered (known: {known})", known = crate::domain::Language::known_codes())]
    UnknownLanguage(String),
    #[error("English is the template's own language: write it in the template itself, not as a translation")]
    EnglishTranslation,
    #[error("{} \"{id}\" is not declared by the template (declared: {})", singular(section), .declared.join(", "))]
    TranslationUnknownEntry {
        section: &'static str,
        id: String,
        declared: Vec<String>,
    },
    #[error("{} \"{id}\" is not translated", singular(section))]
    TranslationMissingEntry { section: &'static str, id: String },
    #[error("the scale has {expected} points but {found} labels are translated")]
    TranslationLabelCount { expected: usize, found: usize },
    #[error("wording for {side} staff drops {{partner}}, which the English wording has")]
    TranslationDropsPartner { side: TemplateSide },
    #[error("the body does not hash to its stored version {expected} (it hashes to {actual})")]
    VersionMismatch { expected: String, actual: String },
}

pub(crate) fn singular(section: &str) -> &'static str {
    match section {
        "dimensions" => "dimension",
        "items" => "item",
        _ => "open question",
    }
}

fn known_scale_kinds() -> String {
    let names: Vec<&str> = ScaleKind::ALL.iter().map(|kind| kind.as_str()).collect();
    names.join(", ")
}

/// One problem of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    location: Option<Location>,
    subject: Subject,
    kind: ProblemKind,
}

impl Problem {
    pub(crate) fn new(location: Option<Location>, subject: Subject, kind: ProblemKind) -> Problem {
        Problem {
            location,
            subject,
            kind,
        }
    }

    pub fn location(&self) -> Option<Location> {
        self.location
    }

    pub fn subject(&self) -> &Subject {
        &self.subject
    }

    pub fn kind(&self) -> &ProblemKind {
        &self.kind
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = self.location {
            write!(f, "{location}: ")?;
        }
        // "template: " in front of every top-level problem would be noise.
        if self.subject != Subject::Template {
            write!(f, "{}: ", self.subject)?;
        }
        write!(f, "{}", self.kind)
    }
}

/// Every problem found in one file. `Display` prints one problem a line, each starting with the
/// file (and line:column when known), so that editors and terminals can jump to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    file: String,
    problems: Vec<Problem>,
}

impl TemplateError {
    pub(crate) fn new(file: String, problems: Vec<Problem>) -> TemplateError {
        TemplateError { file, problems }
    }

    /// The name the file was given to [`super::parse`] as.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// In the order they appear in the file; never empty.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            match problem.location {
                Some(_) => write!(f, "{}:{problem}", self.file)?,
                None => write!(f, "{}: {problem}", self.file)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for TemplateError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_characters_from_one() {
        let text = "a = 1\nné = 2\n";

        assert_eq!(
            Location::of_offset(text, 0),
            Location { line: 1, column: 1 }
        );
        assert_eq!(
            Location::of_offset(text, 6),
            Location { line: 2, column: 1 }
        );
        // "né" is three bytes; the space after it is the third character of the line.
        assert_eq!(
            Location::of_offset(text, 9),
            Location { line: 2, column: 3 }
        );
    }

    #[test]
    fn location_of_an_offset_past_the_end_or_inside_a_character_is_pulled_back() {
        let text = "é";

        assert_eq!(
            Location::of_offset(text, 1),
            Location { line: 1, column: 1 }
        );
        assert_eq!(
            Location::of_offset(text, 99),
            Location { line: 1, column: 2 }
        );
    }

    #[test]
    fn display_lists_one_problem_a_line_with_the_file_first() {
        let error = TemplateError::new(
            "survey-templates/x.toml".to_owned(),
            vec![
                Problem::new(None, Subject::Template, ProblemKind::MissingKey("title")),
                Problem::new(
                    Some(Location {
                        line: 7,
                        column: 13,
                    }),
                    Subject::Item(EntryName::Id("trust".to_owned())),
                    ProblemKind::EmptyDimension,
                ),
            ],
        );

        assert_eq!(
            error.to_string(),
            "survey-templates/x.toml: missing key \"title\"\n\
             survey-templates/x.toml:7:13: item \"trust\": no item belongs to this dimension"
        );
    }
}
