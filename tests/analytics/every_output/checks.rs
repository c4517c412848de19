//! The checks.

use super::*;

/// Words that say a figure is withheld.
pub(super) fn says_withheld(text: &str) -> bool {
    let t = text.to_lowercase();
    t.contains("withheld") || t.contains("fewer than") || t.contains("not shown")
}

/// Whether `text` holds a figure: a digit outside the wording of the minimum ("fewer than
/// 5 responses") and outside the minimum comment size.
pub(super) fn has_figure(text: &str) -> bool {
    text.replace("fewer than 5", "")
        .replace("fewer than 10", "")
        .chars()
        .any(|c| c.is_ascii_digit())
}

/// Whether `text` names the group `label` (as a whole, not inside a longer label such as
/// "Zenith × Foundry" for "Foundry").
pub(super) fn names(text: &str, label: &str) -> bool {
    let mut from = 0;
    while let Some(at) = text[from..].find(label) {
        let start = from + at;
        let end = start + label.len();
        let before = text[..start].trim_end();
        let after = text[end..].trim_start();
        if !before.ends_with('×') && !after.starts_with('×') {
            return true;
        }
        from = end;
    }
    false
}

/// Number-like tokens of a text ("4.50", "12", "−2.75" as "2.75").
pub(super) fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|t| t.trim_matches('.'))
        .filter(|t| !t.is_empty())
        .collect()
}

/// The figures of a text, as written and at two decimals.
pub(super) fn figures(text: &str, out: &mut BTreeSet<String>) {
    for t in tokens(text) {
        out.insert(t.to_owned());
        if let Ok(v) = t.parse::<f64>() {
            out.insert(format!("{v:.2}"));
        }
    }
}

/// What one output showed, for the positive checks.
#[derive(Debug, Default)]
pub(super) struct Seen {
    /// Withheld groups seen named with the withheld wording.
    pub(super) withheld: BTreeSet<String>,
    /// Shown groups seen with a figure.
    pub(super) shown: BTreeSet<String>,
    /// Every figure read (as written, and at two decimals), and [`SAYS_WITHHELD`] when the
    /// output says something is withheld.
    pub(super) figures: BTreeSet<String>,
    /// Text length, to tell an empty answer.
    pub(super) text_len: usize,
    /// Cells of a heatmap drawn as withheld (the word and the hatching).
    pub(super) withheld_cells: usize,
    pub(super) hatched: usize,
}

/// Leaks a text can show by itself: a mean or count only a withheld group gives, the marker
/// comment.
pub(super) fn text_leaks(where_: &str, text: &str, problems: &mut Vec<String>) {
    for t in tokens(text) {
        let exact = t
            .parse::<f64>()
            .is_ok_and(|v| SECRET_MEANS.iter().any(|s| (s - v).abs() < 1e-9));
        if SECRET_TEXTS.contains(&t) || exact {
            problems.push(format!("{where_}: the withheld figure {t} in {text:?}"));
        }
    }
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for pair in words.windows(2) {
        let joined = format!("{} {}", pair[0], pair[1]);
        if SECRET_COUNTS.contains(&joined.as_str()) {
            problems.push(format!(
                "{where_}: the withheld count {joined:?} in {text:?}"
            ));
        }
    }
    if text.contains(MARKER) {
        problems.push(format!("{where_}: the withheld comment in {text:?}"));
    }
}

/// Checks parsed markup (an HTML page or mail, an SVG chart).
pub(super) fn check_markup(where_: &str, root: &Element, problems: &mut Vec<String>) -> Seen {
    let mut seen = Seen::default();
    let all = root.all();
    for e in &all {
        // Each text node and each attribute a reader sees on its own.
        let mut pieces: Vec<String> = e.own_texts().map(squash).collect();
        for (name, value) in &e.attributes {
            if matches!(name.as_str(), "title" | "aria-label" | "alt" | "value") {
                pieces.push(squash(value));
            }
        }
        for piece in &pieces {
            text_leaks(where_, piece, problems);
            for label in WITHHELD {
                if names(piece, label) && has_figure(piece) {
                    problems.push(format!(
                        "{where_}: <{}> names the withheld group {label} with a figure: {piece:?}",
                        e.name
                    ));
                }
            }
        }
        // A table row naming a group: every cell after the name is withheld or not.
        if e.name == "tr" {
            let cells: Vec<String> = e
                .elements()
                .filter(|c| c.name == "td" || c.name == "th")
                .map(|c| c.text())
                .collect();
            for (i, cell) in cells.iter().enumerate() {
                let rest = &cells[i + 1..];
                if rest.is_empty() {
                    continue;
                }
                if let Some(label) = WITHHELD.iter().find(|l| cell == *l) {
                    for r in rest {
                        if has_figure(r) || !says_withheld(r) {
                            problems.push(format!(
                                "{where_}: the row of withheld {label} shows {r:?} (row {cells:?})"
                            ));
                        }
                    }
                    seen.withheld.insert(label.to_string());
                }
                if let Some(label) = SHOWN.iter().find(|l| cell == *l) {
                    if rest.iter().any(|r| has_figure(r) && !says_withheld(r)) {
                        seen.shown.insert(label.to_string());
                    }
                }
            }
        }
        if e.name == "text" && e.attribute("class") == Some("tc-withheld") {
            seen.withheld_cells += 1;
        }
        if e.name == "rect" && e.attribute("fill").is_some_and(|f| f.contains("hatch")) {
            seen.hatched += 1;
        }
    }
    // An SVG text naming a group (a heatmap's row label): the other texts of its row (in
    // the same chart, at the same height within half a cell) are "withheld" for a withheld
    // group and figures for a shown one.
    for svg in all.iter().filter(|e| e.name == "svg") {
        let texts: Vec<&Element> = svg.all().into_iter().filter(|t| t.name == "text").collect();
        let y = |t: &Element| t.attribute("y").and_then(|y| y.parse::<f64>().ok());
        for e in &texts {
            let label = e.text();
            let row = || -> Vec<String> {
                let at = y(e).unwrap_or(f64::NAN);
                texts
                    .iter()
                    .filter(|t| !std::ptr::eq(**t, *e))
                    .filter(|t| y(t).is_some_and(|ty| (ty - at).abs() < 22.0))
                    .map(|t| t.text())
                    .collect()
            };
            if WITHHELD.contains(&label.as_str()) {
                let row = row();
                seen.withheld.insert(label.clone());
                if row.is_empty() || row.iter().any(|t| t != "withheld") {
                    problems.push(format!(
                        "{where_}: the chart row of withheld {label} shows {row:?}"
                    ));
                }
            }
            if SHOWN.contains(&label.as_str()) && row().iter().any(|t| has_figure(t)) {
                seen.shown.insert(label.clone());
            }
        }
    }
    let text = root.text();
    figures(&text, &mut seen.figures);
    if says_withheld(&text) {
        seen.figures.insert(SAYS_WITHHELD.to_owned());
    }
    seen.text_len = text.len();
    seen
}

/// Checks a CSV export: a row naming a withheld group carries no figure; a shown group's row
/// does.
pub(super) fn check_csv(where_: &str, body: &str, problems: &mut Vec<String>) -> Seen {
    let mut seen = Seen::default();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    for record in reader.records() {
        let record = record.expect("valid CSV");
        let cells: Vec<&str> = record.iter().collect();
        for c in &cells {
            text_leaks(where_, c, problems);
            if let Ok(v) = c.parse::<f64>() {
                if SECRET_MEANS.iter().any(|s| (s - v).abs() < 1e-9) {
                    problems.push(format!("{where_}: the withheld mean {v} in {cells:?}"));
                }
            }
        }
        let named_withheld = cells.iter().find_map(|c| WITHHELD.iter().find(|l| c == *l));
        let numeric: Vec<&&str> = cells.iter().filter(|c| c.parse::<f64>().is_ok()).collect();
        if let Some(label) = named_withheld {
            seen.withheld.insert(label.to_string());
            // the wave number is the one figure such a row may carry
            if numeric.len() > 1 || !cells.iter().any(|c| says_withheld(c) || *c == "suppressed") {
                problems.push(format!(
                    "{where_}: a row of withheld {label} carries figures: {cells:?}"
                ));
            }
        }
        if let Some(label) = cells.iter().find_map(|c| SHOWN.iter().find(|l| c == *l)) {
            if numeric.len() > 1 {
                seen.shown.insert(label.to_string());
            }
        }
        for c in &cells {
            figures(c, &mut seen.figures);
        }
        seen.text_len += record.as_slice().len();
    }
    seen
}

/// Numbers under `v`, with the key they are under.
pub(super) fn numbers<'a>(v: &'a Value, key: &'a str, out: &mut Vec<(&'a str, f64)>) {
    match v {
        Value::Number(n) => out.push((key, n.as_f64().unwrap())),
        Value::Array(a) => a.iter().for_each(|x| numbers(x, key, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| numbers(x, k, out)),
        _ => {}
    }
}

/// Checks a JSON document: an object naming a withheld group says why and holds no figure
/// but its wave; no value equals a withheld group's mean; strings are read like text.
pub(super) fn check_json(where_: &str, v: &Value, problems: &mut Vec<String>, seen: &mut Seen) {
    match v {
        Value::Object(o) => {
            let strings: Vec<&str> = o.values().filter_map(|x| x.as_str()).collect();
            if let Some(label) = strings
                .iter()
                .find_map(|s| WITHHELD.iter().find(|l| s == *l))
            {
                seen.withheld.insert(label.to_string());
                let mut n = Vec::new();
                numbers(v, "", &mut n);
                let figures: Vec<_> = n
                    .iter()
                    .filter(|(k, _)| !matches!(*k, "wave" | "id" | "partnership_id"))
                    .collect();
                if !figures.is_empty() || !strings.iter().any(|s| says_withheld(s)) {
                    problems.push(format!("{where_}: withheld {label} is published as {v}"));
                }
            } else if let Some(label) = strings.iter().find_map(|s| SHOWN.iter().find(|l| s == *l))
            {
                let mut n = Vec::new();
                numbers(v, "", &mut n);
                if n.iter().any(|(k, _)| !matches!(*k, "wave" | "id")) {
                    seen.shown.insert(label.to_string());
                }
            }
            for x in o.values() {
                check_json(where_, x, problems, seen);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| check_json(where_, x, problems, seen)),
        Value::Number(n) => {
            let x = n.as_f64().unwrap();
            if SECRET_MEANS.iter().any(|s| (s - x).abs() < 1e-9) {
                problems.push(format!("{where_}: the withheld mean {x}"));
            }
            seen.figures.insert(format!("{:.2}", x.abs()));
        }
        Value::String(s) => {
            text_leaks(where_, s, problems);
            for label in WITHHELD {
                if names(s, label) && has_figure(s) {
                    problems.push(format!(
                        "{where_}: the text {s:?} names withheld {label} with a figure"
                    ));
                }
            }
            figures(s, &mut seen.figures);
            seen.text_len += s.len();
        }
        _ => {}
    }
}
