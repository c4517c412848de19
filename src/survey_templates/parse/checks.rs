//! Checks on single values that need no reader: ids, placeholders in wordings, and the
//! item dimensions written in a file (to tell an undeclared dimension from a bad one).

use super::*;

pub(super) fn written_item_dimensions<'a>(root: &'a DeTable<'_>) -> Option<Vec<&'a str>> {
    let DeValue::Array(items) = root.get("items")?.get_ref() else {
        return None;
    };
    // A meta item does not count for its dimension: guesses about the other firm are left out
    // of every dimension's mean and agreement.
    let used: Option<Vec<Option<&str>>> = items
        .iter()
        .map(|item| match item.get_ref() {
            DeValue::Table(table) if table.get("meta_of").is_some() => Some(None),
            DeValue::Table(table) => match table.get("dimension")?.get_ref() {
                DeValue::String(dimension) => Some(Some(dimension.trim())),
                _ => None,
            },
            _ => None,
        })
        .collect();
    Some(used?.into_iter().flatten().collect())
}

/// The ids of a section's entries with their English wording, when it was readable.
pub(super) fn written_wordings<T>(
    entries: &[Entry<T>],
    wording: fn(&T) -> &Wording,
) -> Vec<(&str, Option<&Wording>)> {
    entries
        .iter()
        .filter_map(|entry| {
            let (id, _) = entry.id.as_ref()?;
            Some((id.as_str(), entry.value.as_ref().map(wording)))
        })
        .collect()
}

pub(super) fn values<T>(entries: Vec<Entry<T>>) -> Option<Vec<T>> {
    entries.into_iter().map(|entry| entry.value).collect()
}

/// Item, dimension and open question ids end up in CSV headers and URLs.
pub(super) fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

/// Template ids also name files, where `-` is the usual separator.
pub(super) fn is_template_id(id: &str) -> bool {
    id.bytes()
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first.is_ascii_digit())
        && id.bytes().all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_' || byte == b'-'
        })
}

/// Everything in `{…}` must be `{partner}`; a stray brace is an error too, since it would reach
/// respondents verbatim.
pub(super) fn placeholder_problems(text: &str, side: TemplateSide) -> Vec<ProblemKind> {
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
