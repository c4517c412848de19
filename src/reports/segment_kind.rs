//! The breakdowns of a side of a wave and how their keys are written.

use std::fmt;
use std::str::FromStr;

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
}

impl SegmentKind {
    pub const ALL: [SegmentKind; 7] = [
        SegmentKind::All,
        SegmentKind::Level,
        SegmentKind::Function,
        SegmentKind::LevelFunction,
        SegmentKind::Region,
        SegmentKind::BusinessUnit,
        SegmentKind::Language,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
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
