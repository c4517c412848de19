//! The breakdowns of a side of a wave and how their keys are written.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{LazyLock, Mutex};

/// How a side of a wave is broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SegmentKind {
    /// Everyone who responded for the side.
    All,
    Level,
    Function,
    /// The cross-tab level × function.
    LevelFunction,
    /// The region of the roster (people without one form the segment "not given", so the
    /// regions shown always add up to the side).
    Region,
    /// The business unit of the roster ("not given" like region).
    BusinessUnit,
    /// The language the response was given in (the person's, else the partnership's
    /// default); only for waves answered in more than one language.
    Language,
    /// A custom attribute the partnership declared (site, programme…), by its key; "not
    /// given" like region.
    Attribute(AttributeName),
}

/// The key of a custom attribute, interned so that [`SegmentKind`] stays `Copy` and its
/// names `&'static`. Made only by [`SegmentKind::attribute`] from a checked key, and keys
/// are declared by administrators (at most [`MAX_ATTRIBUTES`] a partnership), so the set
/// interned stays small: a request naming an undeclared key is refused before it gets here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttributeName {
    key: &'static str,
    stored: &'static str,
}

impl AttributeName {
    pub fn key(self) -> &'static str {
        self.key
    }
}

/// How many custom attributes one partnership may declare.
pub const MAX_ATTRIBUTES: usize = 10;

/// The prefix of a custom attribute's breakdown in `agg_groups.segment_kind`, which keeps
/// stored kinds apart from any built-in kind added later.
const STORED_PREFIX: &str = "attribute:";

/// Names a custom attribute may not take: the built-in breakdowns and roster columns.
const RESERVED: &[&str] = &[
    "all",
    "level",
    "function",
    "level_function",
    "region",
    "business_unit",
    "language",
    "email",
    "name",
    "side",
    "roles",
    "attribute",
    "segment",
];

static INTERNED: LazyLock<Mutex<HashMap<String, AttributeName>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Checks a custom attribute's key: 1–32 characters, a lowercase ASCII letter then
/// lowercase letters, digits or `_`, and not the name of a built-in breakdown or column.
pub fn check_attribute_key(key: &str) -> Result<(), String> {
    let ok_shape = (1..=32).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok_shape {
        return Err(crate::i18n::en1(
            "attribute-problem-key-shape",
            "key",
            format!("{key:?}"),
        ));
    }
    if RESERVED.contains(&key) {
        return Err(crate::i18n::en1(
            "attribute-problem-key-taken",
            "key",
            format!("{key:?}"),
        ));
    }
    Ok(())
}

impl SegmentKind {
    /// The built-in kinds.
    pub const ALL: [SegmentKind; 7] = [
        SegmentKind::All,
        SegmentKind::Level,
        SegmentKind::Function,
        SegmentKind::LevelFunction,
        SegmentKind::Region,
        SegmentKind::BusinessUnit,
        SegmentKind::Language,
    ];

    /// The breakdown of the custom attribute `key` (checked with [`check_attribute_key`]).
    pub fn attribute(key: &str) -> Result<SegmentKind, String> {
        check_attribute_key(key)?;
        let mut interned = INTERNED.lock().unwrap_or_else(|e| e.into_inner());
        let name = *interned
            .entry(key.to_owned())
            .or_insert_with(|| AttributeName {
                key: Box::leak(key.to_owned().into_boxed_str()),
                stored: Box::leak(format!("{STORED_PREFIX}{key}").into_boxed_str()),
            });
        Ok(SegmentKind::Attribute(name))
    }

    /// The kind as stored in `agg_groups.segment_kind`.
    pub fn stored(self) -> &'static str {
        match self {
            SegmentKind::Attribute(name) => name.stored,
            other => other.as_str(),
        }
    }

    /// The inverse of [`Self::stored`].
    pub fn from_stored(text: &str) -> Result<SegmentKind, String> {
        match text.strip_prefix(STORED_PREFIX) {
            Some(key) => SegmentKind::attribute(key),
            None => text.parse(),
        }
    }

    /// The custom attribute's key, for [`SegmentKind::Attribute`].
    pub fn attribute_key(self) -> Option<&'static str> {
        match self {
            SegmentKind::Attribute(name) => Some(name.key),
            _ => None,
        }
    }

    /// The name used in URLs, the CLI and the report: the built-in names, or the custom
    /// attribute's key.
    pub fn as_str(self) -> &'static str {
        match self {
            SegmentKind::Attribute(name) => name.key,
            SegmentKind::All => "all",
            SegmentKind::Level => "level",
            SegmentKind::Function => "function",
            SegmentKind::LevelFunction => "level_function",
            SegmentKind::Region => "region",
            SegmentKind::BusinessUnit => "business_unit",
            SegmentKind::Language => "language",
        }
    }
}

impl fmt::Display for SegmentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses the built-in kinds only; a custom attribute's name is resolved against the
/// partnership's declared attributes (`reports::parse_segment`).
impl FromStr for SegmentKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        SegmentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                format!(
                    "{s:?} is not a segment (use all, level, function, level_function, region, \
                     business_unit or language)"
                )
            })
    }
}

/// The label of the region segment of people whose roster row gives no region (and of the
/// business unit and language segments likewise).
pub const NO_REGION: &str = "not given";

/// Separates the level key from the function key of a cross-tab cell. Attribute texts never
/// contain control characters, so the pair is unambiguous.
pub const CROSS_TAB_SEPARATOR: char = '\u{1f}';
