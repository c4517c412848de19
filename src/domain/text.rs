/// A free-text attribute of a person (level, function, region, name): the organisation's own
/// words, trimmed, with inner runs of whitespace collapsed; at most 200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AttributeText(String);

impl AttributeText {
    pub fn parse(what: &str, raw: &str) -> Result<Self, String> {
        let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.chars().any(char::is_control) {
            return Err(format!("{what} contains a control character"));
        }
        if collapsed.chars().count() > 200 {
            return Err(format!("{what} is longer than 200 characters"));
        }
        Ok(AttributeText(collapsed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Why text with a NUL character (U+0000) is refused wherever text enters: PostgreSQL cannot
/// store it in a text column (the request would fail with 500) and SQLite would keep it and
/// hand it to every reader, CSV export and mail.
pub const NUL_REFUSED: &str = "contains a NUL character (\\u0000), which is not allowed in text";

/// Refuses text holding a NUL character, naming the field.
pub fn check_no_nul(field: &str, value: &str) -> Result<(), super::FieldProblem> {
    if value.contains('\0') {
        Err(super::FieldProblem {
            field: field.to_owned(),
            message: NUL_REFUSED.to_owned(),
        })
    } else {
        Ok(())
    }
}

/// The key segments are grouped by: attributes are compared without case, so "Staff" and
/// "staff " are one segment.
pub fn segment_key(raw: &str) -> String {
    raw.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// An id in words: `on_time_delivery_pct` → "on time delivery (%)".
pub fn humanize(id: &str) -> String {
    let words = id.replace('_', " ");
    match words.strip_suffix(" pct") {
        Some(stem) => format!("{stem} (%)"),
        None => words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_collapses() {
        assert_eq!(
            AttributeText::parse("level", "  Senior   manager ")
                .unwrap()
                .as_str(),
            "Senior manager"
        );
        assert!(AttributeText::parse("level", "a\u{7}b").is_err());
        assert_eq!(segment_key(" Staff "), "staff");
    }
}
