//! The minimum reporting size on every output (issue 14): one partnership whose latest wave
//! has a group just under the minimum and another small group that could be recovered by
//! subtraction, and every route of `tandem::web::routes::table()` that puts a number on the
//! wire — pages, item pages, heatmaps, the review pack, every SVG chart, every CSV export,
//! the JSON API, flags and their details, the portfolio — plus the alert, digest and
//! after-close summary mails, read by parsing (markup into elements and text, SVG text
//! elements, CSV cells, JSON values) as a manager, as an ombudsman and, for the API, with the
//! admin token — and, for leaks only, as a manager of the customer's side alone.
//!
//! The partnership (minimum 5, minimum for comments 10), every item answered alike by a
//! person, so a group's mean is the same on every item and dimension:
//! - Acme (customer): level Zenith × Foundry 4 people (1, 1, 2, 1: mean 1.25, min − 1),
//!   Meridian × Ledger 10 (4, 5…: 4.50), Basecamp × Foundry 12 (2, 3, 3…: 2.67). Foundry (16)
//!   − Basecamp (12) would be the four Zeniths, so Basecamp is withheld too.
//! - Bolt (supplier, 8 people: comments withheld, below 10): Quasar × Harbor 3 (2, 2, 3:
//!   2.33), Nebula × Harbor 5 (4, 5, 5, 5, 5: 4.80). Bolt's total − Nebula would be the three
//!   Quasars, so Nebula is withheld too. A Quasar writes the marker comment.
//!
//! A second partnership (imported history, three waves, a KPI) has a supplier side of 4
//! people (mean 1.75; the gap to the customer's 4.50 would be 2.75), for the side-level
//! figures: trends, KPIs, health, goals, the portfolio.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tandem::auth::Role;
use tandem::web::routes::{table, Route, Verb};

use crate::both_backends;
use crate::common::markup::{decode, parse_tag, tag_end};
use crate::common::{write_file, TestApp};
use crate::sink::Received;

const ITEMS: [&str; 8] = [
    "win_win",
    "shares_rewards",
    "trust",
    "dependable_people",
    "holds_up_end",
    "common_objectives",
    "does_homework",
    "decides_and_sticks",
];

/// Groups of the latest wave that must be withheld (label as the pages write it).
const WITHHELD: [&str; 8] = [
    "Zenith",
    "Basecamp",
    "Quasar",
    "Nebula",
    "Zenith × Foundry",
    "Basecamp × Foundry",
    "Quasar × Harbor",
    "Nebula × Harbor",
];

/// Groups of the latest wave that are shown.
const SHOWN: [&str; 4] = ["Meridian", "Foundry", "Ledger", "Meridian × Ledger"];

/// The exact means only the withheld groups give (withheld groups and, for the second
/// partnership, its small side and the gap to it).
const SECRET_MEANS: [f64; 10] = [
    1.25,
    8.0 / 3.0,
    7.0 / 3.0,
    4.8,
    1.75,
    2.75,
    // differences between groups of one attribute that a segment rule would measure
    4.5 - 1.25,
    4.5 - 8.0 / 3.0,
    8.0 / 3.0 - 1.25,
    4.8 - 7.0 / 3.0,
];

/// The same as they read on a page (two decimals).
const SECRET_TEXTS: [&str; 10] = [
    "1.25", "2.67", "2.33", "4.80", "1.75", "2.75", "3.25", "1.83", "1.42", "2.47",
];

/// Counts only withheld groups have, as the heatmaps and tables write them ("n 4").
const SECRET_COUNTS: [&str; 4] = ["n 4", "n 12", "n 3", "n 5"];

/// Means of shown groups, at two decimals: Acme 82/26, Foundry 37/16, Meridian, Bolt 31/8.
const SHOWN_TEXTS: [&str; 4] = ["3.15", "2.31", "4.50", "3.88"];

/// The comment of a firm below the minimum comment size: never shown.
const MARKER: &str = "zephyrquill";
/// A comment of a firm above it: shown.
const SHOWN_COMMENT: &str = "pelicanshown";

/// The routes that put no figure of the survey on the wire, and why. Every other route of
/// the table must have a plan in [`plan`]: a new route fails this test until classified.
const NUMBER_FREE: &[(Verb, &str, &str)] = &[
    (Verb::Get, "/healthz", "liveness"),
    (Verb::Get, "/readyz", "readiness"),
    (
        Verb::Get,
        "/metrics",
        "operational counters, no survey figure",
    ),
    (Verb::Get, "/api/openapi.json", "the API's description"),
    (Verb::Get, "/s/{token}", "a respondent's own form"),
    (Verb::Post, "/s/{token}", "a respondent's own answers"),
    (Verb::Get, "/s/{token}/thanks", "thanks"),
    (Verb::Get, "/s/{token}/opt-out", "opt-out form"),
    (Verb::Post, "/s/{token}/opt-out", "opt-out"),
    (Verb::Post, "/api/partnerships", "settings"),
    (Verb::Get, "/api/partnerships", "names and settings"),
    (Verb::Get, "/api/partnerships/{id}", "name and settings"),
    (Verb::Patch, "/api/partnerships/{id}", "settings"),
    (Verb::Post, "/api/partnerships/{id}/pause", "state"),
    (Verb::Post, "/api/partnerships/{id}/resume", "state"),
    (Verb::Post, "/api/partnerships/{id}/archive", "state"),
    (Verb::Post, "/api/partnerships/{id}/unarchive", "state"),
    (
        Verb::Post,
        "/api/partnerships/{id}/roster",
        "roster import: rows read",
    ),
    (
        Verb::Post,
        "/api/partnerships/{id}/history",
        "history import: rows read",
    ),
    (Verb::Post, "/api/partnerships/{id}/waves", "opens a wave"),
    (
        Verb::Post,
        "/api/partnerships/{id}/waves/close",
        "closes a wave: its state",
    ),
    (Verb::Get, "/api/templates", "survey templates"),
    (
        Verb::Post,
        "/api/partnerships/{id}/kpis",
        "KPI import: rows read",
    ),
    (Verb::Post, "/api/flags/{id}/acknowledge", "a flag's state"),
    (Verb::Post, "/api/flags/{id}/resolve", "a flag's state"),
    (Verb::Post, "/api/flags/{id}/reopen", "a flag's state"),
    (Verb::Post, "/api/flags/{id}/notes", "a note"),
    (Verb::Post, "/api/flags/{id}/assign", "an assignee"),
    (
        Verb::Post,
        "/api/partnerships/{id}/flags/run",
        "flag ids and counts of the run",
    ),
    (
        Verb::Get,
        "/api/partnerships/{id}/flags/config",
        "rule thresholds",
    ),
    (
        Verb::Put,
        "/api/partnerships/{id}/flags/config",
        "rule thresholds",
    ),
    (
        Verb::Post,
        "/api/partnerships/{id}/flags",
        "a flag raised by hand: no figure",
    ),
    (Verb::Post, "/api/flags/{id}/actions", "an action"),
    (
        Verb::Post,
        "/api/flags/{id}/actions/{action}/done",
        "an action's state",
    ),
    (
        Verb::Post,
        "/api/flags/{id}/actions/{action}/undone",
        "an action's state",
    ),
    (
        Verb::Post,
        "/api/partnerships/{id}/goals",
        "the goal set (listed by GET)",
    ),
    (
        Verb::Delete,
        "/api/partnerships/{id}/goals/{goal}",
        "removal",
    ),
    (Verb::Get, "/api/users", "accounts"),
    (Verb::Get, "/api/users/{id}", "an account"),
    (Verb::Post, "/api/users/{id}/disable", "an account"),
    (Verb::Post, "/api/users/{id}/enable", "an account"),
    (Verb::Put, "/api/users/{id}/access", "an account"),
    (Verb::Post, "/api/users/{id}/password-reset", "an account"),
    (Verb::Get, "/api/audit", "who did what"),
    (
        Verb::Post,
        "/api/responses/{token}",
        "a respondent's own answers",
    ),
    (Verb::Get, "/", "links to partnerships"),
    (Verb::Get, "/login", "sign-in form"),
    (Verb::Post, "/login", "sign-in"),
    (Verb::Post, "/logout", "sign-out"),
    (Verb::Get, "/set-password/{token}", "form"),
    (Verb::Post, "/set-password/{token}", "form"),
    (Verb::Get, "/account/tokens", "personal tokens"),
    (Verb::Post, "/account/tokens", "personal tokens"),
    (Verb::Post, "/account/tokens/{id}/revoke", "personal tokens"),
    (Verb::Get, "/admin/users", "accounts"),
    (Verb::Get, "/admin/users/{id}", "an account"),
    (Verb::Post, "/admin/users/{id}/disable", "an account"),
    (Verb::Post, "/admin/users/{id}/enable", "an account"),
    (Verb::Post, "/admin/users/{id}/access", "an account"),
    (Verb::Post, "/admin/users/{id}/reset", "an account"),
    (Verb::Get, "/admin/audit", "who did what"),
    (Verb::Post, "/partnerships/{id}/goals", "redirect"),
    (
        Verb::Post,
        "/partnerships/{id}/goals/{goal}/delete",
        "redirect",
    ),
    (
        Verb::Get,
        "/flags/new",
        "form: the partnership's dimensions and items",
    ),
    (Verb::Post, "/flags/new", "redirect"),
    (Verb::Post, "/flags/{id}/actions", "redirect"),
    (Verb::Post, "/flags/{id}/actions/{action}/done", "redirect"),
    (
        Verb::Post,
        "/flags/{id}/actions/{action}/undone",
        "redirect",
    ),
    (Verb::Post, "/flags/{id}/acknowledge", "redirect"),
    (Verb::Post, "/flags/{id}/resolve", "redirect"),
    (Verb::Post, "/flags/{id}/reopen", "redirect"),
    (Verb::Post, "/flags/{id}/notes", "redirect"),
    (Verb::Post, "/flags/{id}/assign", "redirect"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Html,
    Svg,
    Csv,
    Json,
}

/// Who asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Manager,
    /// A manager of the customer's side only.
    CustomerManager,
    Ombudsman,
    /// The admin token (the API's scripts).
    Token,
}

/// One output to read: its URL, how to read it, and whether it must show figures of the
/// shown groups (outputs whose figures need more than one wave say so and are only checked
/// for leaks).
struct Fetch {
    url: String,
    kind: Kind,
    positive: bool,
    /// Figures of shown groups of which the output must show one.
    expect: &'static [&'static str],
}

/// What the test knows of the world it made.
struct World {
    /// The partnership of the small groups, and the one with a small side.
    p: i64,
    q: i64,
    flags: Vec<i64>,
    /// The dimensions of the survey (a heatmap's columns).
    dimensions: usize,
    /// Chart names linked from the pages (dashboard, item pages, review pack).
    charts: BTreeSet<(i64, String)>,
}

/// The outputs of one route of the table; `None` for one of [`NUMBER_FREE`], a panic for a
/// route nobody classified.
fn plan(route: &Route, w: &World) -> Option<Vec<Fetch>> {
    if NUMBER_FREE
        .iter()
        .any(|(v, p, _)| *v == route.verb && *p == route.path)
    {
        return None;
    }
    let get = |url: String, kind: Kind| Fetch {
        url,
        kind,
        positive: true,
        expect: &SHOWN_TEXTS,
    };
    // Acme − Bolt on every dimension; Foundry − Ledger (the segment-gap flag).
    const GAP: &[&str] = &["0.72"];
    const FLAGS: &[&str] = &["2.19", "2.31", "4.50", "3.15", "3.88", "0.72"];
    let both = [w.p, w.q];
    let fetches = match (route.verb, route.path) {
        (Verb::Get, "/api/partnerships/{id}/report") => both
            .iter()
            .flat_map(|id| {
                [
                    "",
                    "?segment=level",
                    "?segment=function",
                    "?segment=level_function",
                    "?segment=all",
                ]
                .iter()
                .map(move |q| get(format!("/api/partnerships/{id}/report{q}"), Kind::Json))
                .chain([get(
                    format!("/api/partnerships/{id}/report?format=csv"),
                    Kind::Csv,
                )])
            })
            .collect(),
        (Verb::Get, "/api/partnerships/{id}/waves") => both
            .iter()
            .map(|id| Fetch {
                // invitations and answers per firm; no breakdown
                positive: false,
                ..get(format!("/api/partnerships/{id}/waves"), Kind::Json)
            })
            .collect(),
        (Verb::Get, "/api/portfolio/lead-lag") | (Verb::Get, "/portfolio/lead-lag") => {
            vec![Fetch {
                // lead–lag needs KPIs and several waves: checked for leaks only
                positive: false,
                ..get(
                    format!("{}?kpi=on_time", route.path),
                    if route.path.starts_with("/api") {
                        Kind::Json
                    } else {
                        Kind::Html
                    },
                )
            }]
        }
        (Verb::Get, "/api/portfolio") | (Verb::Get, "/portfolio.json") => vec![Fetch {
            expect: GAP,
            ..get(route.path.to_owned(), Kind::Json)
        }],
        (Verb::Get, "/portfolio") => vec![Fetch {
            expect: GAP,
            ..get(route.path.to_owned(), Kind::Html)
        }],
        (Verb::Get, "/portfolio.csv") => vec![Fetch {
            expect: GAP,
            ..get(route.path.to_owned(), Kind::Csv)
        }],
        (Verb::Get, "/api/flags") => vec![Fetch {
            expect: FLAGS,
            ..get(route.path.to_owned(), Kind::Json)
        }],
        (Verb::Get, "/flags") => vec![Fetch {
            expect: FLAGS,
            ..get(route.path.to_owned(), Kind::Html)
        }],
        (Verb::Get, "/api/flags/{id}") => w
            .flags
            .iter()
            .map(|f| Fetch {
                expect: FLAGS,
                ..get(format!("/api/flags/{f}"), Kind::Json)
            })
            .collect(),
        (Verb::Get, "/flags/{id}") => w
            .flags
            .iter()
            .map(|f| Fetch {
                expect: FLAGS,
                ..get(format!("/flags/{f}"), Kind::Html)
            })
            .collect(),
        (Verb::Get, "/api/partnerships/{id}/flags") => vec![Fetch {
            expect: FLAGS,
            ..get(format!("/api/partnerships/{}/flags", w.p), Kind::Json)
        }],
        (Verb::Get, "/api/partnerships/{id}/goals") => both
            .iter()
            .map(|id| Fetch {
                // the second partnership's gap goal has nothing to show
                positive: *id == w.p,
                expect: GAP,
                ..get(format!("/api/partnerships/{id}/goals"), Kind::Json)
            })
            .collect(),
        (Verb::Get, "/partnerships/{id}/goals/new") => both
            .iter()
            .map(|id| Fetch {
                positive: false,
                ..get(format!("/partnerships/{id}/goals/new"), Kind::Html)
            })
            .collect(),
        (Verb::Get, "/partnerships/{id}") => both
            .iter()
            .map(|id| get(format!("/partnerships/{id}"), Kind::Html))
            .collect(),
        (Verb::Get, "/partnerships/{id}/items/{item}") => both
            .iter()
            .flat_map(|id| {
                ITEMS
                    .iter()
                    .map(move |i| get(format!("/partnerships/{id}/items/{i}"), Kind::Html))
            })
            .collect(),
        (Verb::Get, "/partnerships/{id}/export.csv") => both
            .iter()
            .map(|id| get(format!("/partnerships/{id}/export.csv"), Kind::Csv))
            .collect(),
        (Verb::Get, "/partnerships/{id}/charts/{name}.svg") => w
            .charts
            .iter()
            .map(|(id, name)| Fetch {
                expect: chart_expect(*id == w.p, name),
                ..get(format!("/partnerships/{id}/charts/{name}.svg"), Kind::Svg)
            })
            .collect(),
        (Verb::Get, "/partnerships/{id}/review") => both
            .iter()
            .flat_map(|id| {
                [
                    get(format!("/partnerships/{id}/review"), Kind::Html),
                    get(format!("/partnerships/{id}/review?wave=1"), Kind::Html),
                ]
            })
            .collect(),
        _ => panic!(
            "{} {} ({}) is neither in NUMBER_FREE nor planned here: classify it",
            route.verb.as_str(),
            route.path,
            route.handler
        ),
    };
    Some(fetches)
}

/// Stands in [`Fetch::expect`] for the withheld wording (a chart of withheld groups only).
const SAYS_WITHHELD: &str = "(withheld)";

/// What a chart of the main partnership (`p`) or the second one must show.
fn chart_expect(p: bool, name: &str) -> &'static [&'static str] {
    match name {
        // the health index needs both firms: the second partnership's is withheld
        "health" if p => &["59.5"],
        "health" => &[SAYS_WITHHELD],
        // 26 of 26, 8 of 8: 100 %
        "response-rates" => &["100"],
        // the share answering 5 of the supplier (4 of 8) and the second's customer
        n if n.starts_with("item-") => &["50"],
        // Bolt's levels are all withheld; the other heatmaps show their shown groups'
        // means (and the groups are checked by name below)
        n if n.starts_with("heatmap-") => &["2.31", "4.50", "3.88", SAYS_WITHHELD],
        _ => &SHOWN_TEXTS,
    }
}

// ---------------------------------------------------------------------------------------
// Reading markup into a tree (`common::markup` reads the tags): elements with attributes and
// children, text with entities decoded.

#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Node>,
}

#[derive(Debug)]
enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    /// Every element below (and including) this one, in document order.
    fn all(&self) -> Vec<&Element> {
        let mut out = vec![self];
        for c in &self.children {
            if let Node::Element(e) = c {
                out.extend(e.all());
            }
        }
        out
    }

    fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|c| match c {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The text of the element, its descendants' included, with spaces between nodes.
    fn text(&self) -> String {
        let mut out = String::new();
        for c in &self.children {
            match c {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => out.push_str(&e.text()),
            }
            out.push(' ');
        }
        squash(&out)
    }

    /// The element's own text nodes (not its children's), one string each.
    fn own_texts(&self) -> impl Iterator<Item = &str> {
        self.children.iter().filter_map(|c| match c {
            Node::Text(t) if !t.trim().is_empty() => Some(t.as_str()),
            _ => None,
        })
    }

    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

const VOID: [&str; 10] = [
    "br", "img", "input", "meta", "link", "hr", "col", "source", "wbr", "area",
];

/// Parses HTML or SVG into a tree under a root element named `#root`; scripts and styles
/// are kept as elements without text.
fn parse(body: &str) -> Element {
    let mut stack: Vec<Element> = vec![Element {
        name: "#root".into(),
        ..Element::default()
    }];
    let mut rest = body;
    let close = |stack: &mut Vec<Element>| {
        let e = stack.pop().unwrap();
        stack.last_mut().unwrap().children.push(Node::Element(e));
    };
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        let raw = matches!(
            stack.last().map(|e| e.name.as_str()),
            Some("script" | "style")
        );
        if !text.is_empty() && !raw {
            stack
                .last_mut()
                .unwrap()
                .children
                .push(Node::Text(decode(text)));
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let end = after.find("]]>").unwrap_or(after.len());
            stack
                .last_mut()
                .unwrap()
                .children
                .push(Node::Text(after[..end].to_owned()));
            rest = after.get(end + 3..).unwrap_or("");
            continue;
        }
        let Some(gt) = tag_end(rest) else { break };
        let inner = &rest[1..gt];
        rest = &rest[gt + 1..];
        if inner.starts_with('!') || inner.starts_with('?') {
            continue;
        }
        if let Some(name) = inner.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            if stack.iter().skip(1).any(|e| e.name == name) {
                while stack.last().unwrap().name != name {
                    close(&mut stack);
                }
                close(&mut stack);
            }
            continue;
        }
        let self_closing = inner.ends_with('/');
        let tag = parse_tag(inner);
        let e = Element {
            name: tag.name,
            attributes: tag.attributes,
            children: Vec::new(),
        };
        let void = self_closing || VOID.contains(&e.name.as_str());
        stack.push(e);
        if void {
            close(&mut stack);
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack.pop().unwrap()
}

// ---------------------------------------------------------------------------------------
// The checks.

/// Words that say a figure is withheld.
fn says_withheld(text: &str) -> bool {
    let t = text.to_lowercase();
    t.contains("withheld") || t.contains("fewer than") || t.contains("not shown")
}

/// Whether `text` holds a figure: a digit outside the wording of the minimum ("fewer than
/// 5 responses") and outside the minimum comment size.
fn has_figure(text: &str) -> bool {
    text.replace("fewer than 5", "")
        .replace("fewer than 10", "")
        .chars()
        .any(|c| c.is_ascii_digit())
}

/// Whether `text` names the group `label` (as a whole, not inside a longer label such as
/// "Zenith × Foundry" for "Foundry").
fn names(text: &str, label: &str) -> bool {
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
fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|t| t.trim_matches('.'))
        .filter(|t| !t.is_empty())
        .collect()
}

/// The figures of a text, as written and at two decimals.
fn figures(text: &str, out: &mut BTreeSet<String>) {
    for t in tokens(text) {
        out.insert(t.to_owned());
        if let Ok(v) = t.parse::<f64>() {
            out.insert(format!("{v:.2}"));
        }
    }
}

/// What one output showed, for the positive checks.
#[derive(Debug, Default)]
struct Seen {
    /// Withheld groups seen named with the withheld wording.
    withheld: BTreeSet<String>,
    /// Shown groups seen with a figure.
    shown: BTreeSet<String>,
    /// Every figure read (as written, and at two decimals), and [`SAYS_WITHHELD`] when the
    /// output says something is withheld.
    figures: BTreeSet<String>,
    /// Text length, to tell an empty answer.
    text_len: usize,
    /// Cells of a heatmap drawn as withheld (the word and the hatching).
    withheld_cells: usize,
    hatched: usize,
}

/// Leaks a text can show by itself: a mean or count only a withheld group gives, the marker
/// comment.
fn text_leaks(where_: &str, text: &str, problems: &mut Vec<String>) {
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
fn check_markup(where_: &str, root: &Element, problems: &mut Vec<String>) -> Seen {
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
fn check_csv(where_: &str, body: &str, problems: &mut Vec<String>) -> Seen {
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
fn numbers<'a>(v: &'a Value, key: &'a str, out: &mut Vec<(&'a str, f64)>) {
    match v {
        Value::Number(n) => out.push((key, n.as_f64().unwrap())),
        Value::Array(a) => a.iter().for_each(|x| numbers(x, key, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| numbers(x, k, out)),
        _ => {}
    }
}

/// Checks a JSON document: an object naming a withheld group says why and holds no figure
/// but its wave; no value equals a withheld group's mean; strings are read like text.
fn check_json(where_: &str, v: &Value, problems: &mut Vec<String>, seen: &mut Seen) {
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

// ---------------------------------------------------------------------------------------
// The world.

/// `n` .eml files in the test's mail folder (the embedded default), waiting for the outbox
/// worker; each read as the SMTP sink reads what it receives.
async fn mails(app: &TestApp, n: usize) -> Vec<Received> {
    let dir = app.db.dir.path().join("data").join("mail");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got = read_mail(&dir);
        if got.len() >= n {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {n} mails were written",
            got.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn read_mail(dir: &Path) -> Vec<Received> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(std::time::SystemTime, Received)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .filter_map(|p| {
            let m = Received {
                from: String::new(),
                to: Vec::new(),
                raw: std::fs::read_to_string(&p).ok()?,
            };
            // A file still being written lacks its closing boundary (every mail has a
            // text and an HTML part).
            let boundary = m
                .header("Content-Type")?
                .split(';')
                .find_map(|p| p.trim().strip_prefix("boundary="))?
                .trim_matches('"')
                .to_owned();
            m.raw.contains(&format!("--{boundary}--")).then_some(())?;
            let to = m.header("To")?;
            Some((
                std::fs::metadata(&p).ok()?.modified().ok()?,
                Received { to: vec![to], ..m },
            ))
        })
        .collect();
    out.sort_by_key(|(t, _)| *t);
    out.into_iter().map(|(_, m)| m).collect()
}

fn token_in(text: &str) -> String {
    let at = text.find("/s/").expect("a survey link in the mail") + 3;
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// One person of the roster and what they answer (the same on every item).
struct Person {
    email: String,
    side: &'static str,
    level: &'static str,
    function: &'static str,
    value: i64,
    comment: Option<String>,
}

/// The roster of the main partnership.
fn people() -> Vec<Person> {
    let mut out = Vec::new();
    let mut add = |prefix: &str, side, level, function, values: &[i64]| {
        for (i, v) in values.iter().enumerate() {
            out.push(Person {
                email: format!("{prefix}{i}@{side}.test"),
                side,
                level,
                function,
                value: *v,
                comment: None,
            });
        }
    };
    add("zen", "customer", "Zenith", "Foundry", &[1, 1, 2, 1]);
    add(
        "mer",
        "customer",
        "Meridian",
        "Ledger",
        &[4, 5, 4, 5, 4, 5, 4, 5, 4, 5],
    );
    add(
        "bas",
        "customer",
        "Basecamp",
        "Foundry",
        &[2, 3, 3, 2, 3, 3, 2, 3, 3, 2, 3, 3],
    );
    add("qua", "supplier", "Quasar", "Harbor", &[2, 2, 3]);
    add("neb", "supplier", "Nebula", "Harbor", &[4, 5, 5, 5, 5]);
    for p in out.iter_mut() {
        if p.email == "qua0@supplier.test" {
            p.comment = Some(format!("{MARKER}: only the Quasars think this"));
        }
        if p.email == "mer0@customer.test" {
            p.comment = Some(format!("{SHOWN_COMMENT}: the whole of Acme may say this"));
        }
    }
    out
}

/// The main partnership through the real path (roster, wave, mailed links, answers,
/// close); the second one imported with the CLI; a manager and an ombudsman of both;
/// a goal on each; the digests queued.
/// The signed-in viewers: a manager of both firms, a manager of the customer only, an
/// ombudsman.
struct Viewers {
    manager: reqwest::Client,
    customer_manager: reqwest::Client,
    ombudsman: reqwest::Client,
}

async fn build(app: &TestApp) -> (World, Viewers) {
    let r = app
        .post("/api/partnerships")
        .json(
            &json!({"name": "Acme / Bolt", "customer": "Acme", "supplier": "Bolt",
            "min_reporting_size": 5, "min_comment_size": 10}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let p = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // The second partnership: Cove (8 people) and Drift (4: 1, 2, 2, 2).
    let out = app.cli(&[
        "partnership",
        "create",
        "--name",
        "Cove / Drift",
        "--customer",
        "Cove",
        "--supplier",
        "Drift",
    ]);
    out.assert_ok();
    let q: i64 = out.last_line().parse().unwrap();
    let mut csv = String::from("wave,firm,respondent,level,function,item,value,region\n");
    // Three waves: Cove at 4.50, 3.50, 4.50; Drift at 1.75 every time.
    for (wave, cove) in [(1, [4, 5]), (2, [3, 4]), (3, [4, 5])] {
        let cove: Vec<i64> = (0..8).map(|i| cove[i % 2]).collect();
        for (firm, values) in [("customer", cove.as_slice()), ("supplier", &[1, 2, 2, 2])] {
            for (n, v) in values.iter().enumerate() {
                for item in ITEMS {
                    csv.push_str(&format!("{wave},{firm},{firm}{n},staff,ops,{item},{v},\n"));
                }
            }
        }
    }
    let file = write_file(&app.db, "history.csv", csv.as_bytes());
    app.cli(&[
        "responses",
        "import",
        "--partnership",
        &q.to_string(),
        file.to_str().unwrap(),
    ])
    .assert_ok();

    let manager = app
        .signed_in(
            "manager@acme.test",
            Role::Manager,
            vec![(p, None), (q, None)],
        )
        .await;
    let customer = Some(tandem::domain::Side::Customer);
    let customer_manager = app
        .signed_in(
            "customer-manager@acme.test",
            Role::Manager,
            vec![(p, customer), (q, customer)],
        )
        .await;
    let ombudsman = app
        .signed_in(
            "ombudsman@tandem.test",
            Role::Ombudsman,
            vec![(p, None), (q, None)],
        )
        .await;

    let mut roster = String::from("email,name,side,level,function,region,roles\n");
    let everyone = people();
    for Person {
        email,
        side,
        level,
        function,
        ..
    } in &everyone
    {
        roster.push_str(&format!("{email},{email},{side},{level},{function},,\n"));
    }
    let r = app
        .post(&format!("/api/partnerships/{p}/roster"))
        .header("content-type", "text/csv")
        .body(roster)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = app
        .post(&format!("/api/partnerships/{p}/waves"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let invitations = mails(app, everyone.len()).await;
    for Person {
        email,
        value,
        comment,
        ..
    } in &everyone
    {
        let m = invitations
            .iter()
            .find(|m| m.to.iter().any(|t| t.contains(email.as_str())))
            .unwrap_or_else(|| panic!("no invitation to {email}"));
        let token = token_in(&m.part("text/plain").expect("a text part"));
        let answers: serde_json::Map<String, Value> = ITEMS
            .iter()
            .map(|i| (i.to_string(), json!(value)))
            .collect();
        let mut body = json!({ "answers": answers });
        if let Some(c) = comment {
            body["comments"] = json!({ "changes": c });
        }
        let r = app
            .client
            .post(app.url(&format!("/api/responses/{token}")))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
    let r = app
        .post(&format!("/api/partnerships/{p}/waves/close"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    // A goal on the gap between the firms of each partnership (the second one's gap needs
    // the withheld firm).
    let report: Value = app
        .get(&format!("/api/partnerships/{p}/report"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let dimension = report["dimensions"][0]["dimension"]
        .as_str()
        .expect("a dimension")
        .to_owned();
    let dimensions = report["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["dimension"].as_str().unwrap())
        .collect::<BTreeSet<_>>()
        .len();
    for id in [p, q] {
        for (metric, target) in [
            ("gap", 0.1),
            ("mean:supplier", 4.9),
            ("agreement:supplier", 0.9),
        ] {
            let r = app
                .post(&format!("/api/partnerships/{id}/goals"))
                .json(&json!({"metric": format!("{metric}:{dimension}"), "target": target, "due_on": "2031-01-31"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201, "{metric}: {}", r.text().await.unwrap());
        }
    }

    // A KPI for both (the second partnership's three waves give it a chart).
    for (id, kpis) in [(p, "1,97\n"), (q, "1,97\n2,90\n3,96\n")] {
        let r = app
            .post(&format!("/api/partnerships/{id}/kpis"))
            .header("content-type", "text/csv")
            .body(format!("wave,on_time\n{kpis}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }

    // The ombudsman's digest, now.
    app.cli(&["flags", "digest", "--now"]).assert_ok();

    let flags: Value = app
        .get("/api/flags")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let flags: Vec<i64> = flags
        .as_array()
        .or_else(|| flags["flags"].as_array())
        .expect("a list of flags")
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    (
        World {
            p,
            q,
            flags,
            dimensions,
            charts: BTreeSet::new(),
        },
        Viewers {
            manager,
            customer_manager,
            ombudsman,
        },
    )
}

/// Chart names linked from a page of partnership `id`.
fn chart_links(id: i64, html: &str, out: &mut BTreeSet<(i64, String)>) {
    let prefix = format!("/partnerships/{id}/charts/");
    for e in parse(html).all() {
        if let Some(href) = e.attribute("href") {
            if let Some(name) = href
                .strip_prefix(&prefix)
                .and_then(|n| n.strip_suffix(".svg"))
            {
                out.insert((id, name.to_owned()));
            }
        }
    }
}

async fn fetch(
    app: &TestApp,
    client: Option<&reqwest::Client>,
    f: &Fetch,
) -> (u16, String, String) {
    let url = app.url(&f.url);
    let r = match client {
        Some(c) => c.get(url),
        None => app.get(&f.url),
    }
    .send()
    .await
    .unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, r.text().await.unwrap())
}

fn check_body(where_: &str, kind: Kind, body: &str, problems: &mut Vec<String>) -> Seen {
    match kind {
        Kind::Html | Kind::Svg => check_markup(where_, &parse(body), problems),
        Kind::Csv => check_csv(where_, body, problems),
        Kind::Json => {
            let v: Value = serde_json::from_str(body)
                .unwrap_or_else(|e| panic!("{where_}: not JSON ({e}): {body}"));
            let mut seen = Seen::default();
            check_json(where_, &v, problems, &mut seen);
            seen.text_len = body.len();
            seen
        }
    }
}

both_backends!(no_output_discloses_a_group_below_the_minimum, |app| {
    let (mut world, viewers) = build(&app).await;
    let Viewers {
        manager,
        customer_manager,
        ombudsman,
    } = &viewers;
    let (p, q) = (world.p, world.q);

    // Charts: every one the pages link to, for both roles.
    for id in [p, q] {
        for client in [manager, ombudsman] {
            let mut pages = vec![
                format!("/partnerships/{id}"),
                format!("/partnerships/{id}/review"),
            ];
            pages.extend(
                ITEMS
                    .iter()
                    .map(|i| format!("/partnerships/{id}/items/{i}")),
            );
            for page in pages {
                let body = client
                    .get(app.url(&page))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                chart_links(id, &body, &mut world.charts);
            }
        }
    }
    for kind in ["level", "function"] {
        for side in ["customer", "supplier"] {
            let name = format!("heatmap-{side}-{kind}");
            assert!(
                world.charts.contains(&(p, name.clone())),
                "{name} is linked: {:?}",
                world.charts
            );
        }
    }
    assert!(world
        .charts
        .iter()
        .any(|(id, n)| *id == p && n.starts_with("item-")));
    assert!(world.charts.contains(&(q, "kpi-on-time".to_owned())));

    let mut problems = Vec::new();
    let mut missing = Vec::new();
    let mut covered = Vec::new();
    // What the heatmaps and the segment tables must show, across the partnership's outputs.
    let mut withheld_seen = BTreeSet::new();
    let mut shown_seen = BTreeSet::new();
    for route in table() {
        let Some(fetches) = plan(&route, &world) else {
            continue;
        };
        assert!(!fetches.is_empty(), "{} has outputs to read", route.path);
        covered.push(route.path);
        for f in &fetches {
            let mut served = BTreeSet::new();
            for (who, client) in [
                (Who::Manager, Some(manager)),
                (Who::CustomerManager, Some(customer_manager)),
                (Who::Ombudsman, Some(ombudsman)),
                (Who::Token, None),
            ] {
                if who == Who::Token && !f.url.starts_with("/api/") {
                    continue; // pages are for people
                }
                let (status, ct, body) = fetch(&app, client, f).await;
                if matches!(status, 401 | 403 | 404) || (status == 303 && client.is_some()) {
                    // not this role's output (pages refuse the token; the API may refuse a
                    // role)
                    continue;
                }
                assert_eq!(status, 200, "{who:?} {}: {body}", f.url);
                let expected = match f.kind {
                    Kind::Html => "text/html",
                    Kind::Svg => "image/svg+xml",
                    Kind::Csv => "text/csv",
                    Kind::Json => "application/json",
                };
                assert!(ct.starts_with(expected), "{who:?} {}: {ct}", f.url);
                served.insert(who);
                let where_ = format!("{who:?} {}", f.url);
                assert!(!body.contains(MARKER), "{where_}: the withheld comment");
                let seen = check_body(&where_, f.kind, &body, &mut problems);
                assert!(seen.text_len > 0, "{where_}: empty");
                if f.kind == Kind::Svg
                    && f.url
                        .starts_with(&format!("/partnerships/{p}/charts/heatmap-"))
                {
                    // each withheld group's row: one withheld cell per dimension, hatched
                    // (and the key's hatched swatch)
                    let cells = seen.withheld.len() * world.dimensions;
                    if (seen.withheld_cells, seen.hatched) != (cells, cells + 1) {
                        problems.push(format!(
                            "{where_}: {} withheld and {} hatched cells for {:?} ({} dimensions)",
                            seen.withheld_cells, seen.hatched, seen.withheld, world.dimensions
                        ));
                    }
                }
                // (the one-side manager sees fewer figures: read for leaks only)
                if f.positive
                    && who != Who::CustomerManager
                    && !f.expect.iter().any(|t| seen.figures.contains(*t))
                {
                    missing.push(format!(
                        "{where_}: none of the shown figures {:?}; it has {:?}",
                        f.expect, seen.figures
                    ));
                }
                withheld_seen.extend(seen.withheld.iter().map(|l| (route.path, l.clone())));
                shown_seen.extend(seen.shown.iter().map(|l| (route.path, l.clone())));
            }
            // Flags and the lead–lag are the ombudsman's, setting goals the manager's, the
            // wave status the token's.
            let handlers = f.url.contains("flags") || f.url.contains("lead-lag");
            let expected: &[Who] = match () {
                _ if f.url.contains("/waves") => &[Who::Token],
                _ if f.url.contains("/goals/new") => &[Who::Manager],
                _ if handlers => &[Who::Ombudsman],
                _ => &[Who::Manager, Who::Ombudsman],
            };
            for who in expected {
                assert!(served.contains(who), "{who:?} was not served {}", f.url);
            }
        }
    }
    // The mails: alerts and the digest to the ombudsman, the summary to the manager.
    let total = app.db.count("outbox") as usize;
    let all = mails(&app, total).await;
    let mut kinds = BTreeSet::new();
    for m in &all {
        let subject = m.header("Subject").unwrap_or_default();
        let to = m.to.join(",");
        if to.contains("@customer.test") || to.contains("@supplier.test") {
            continue; // invitations
        }
        let where_ = format!("mail {subject:?} to {to}");
        assert!(!m.raw.contains(MARKER), "{where_}: the withheld comment");
        let plain = m.part("text/plain").expect("a text part");
        for line in plain.lines() {
            text_leaks(&where_, line, &mut problems);
            for label in WITHHELD {
                if names(line, label) && has_figure(line) {
                    problems.push(format!("{where_}: {line:?} names {label} with a figure"));
                }
            }
        }
        let html = m.part("text/html").expect("an HTML part");
        let seen = check_markup(&where_, &parse(&html), &mut problems);
        let kind = if subject.contains("summary") {
            "summary"
        } else if subject.to_lowercase().contains("digest") {
            "digest"
        } else {
            "alert"
        };
        let shows = |figures: &[&str]| figures.iter().all(|f| seen.figures.contains(*f));
        let wanted = match kind {
            // Acme's answers; none of Bolt's figures (nor, on a first wave, a mean)
            "summary" if to.contains("customer-manager@") => {
                shows(&["26"]) && !seen.figures.contains("3.88")
            }
            "summary" => to.contains("manager@acme.test") && shows(&["3.15", "3.88"]),
            // Ledger − Foundry, the two shown functions
            "alert" if subject.contains("gap between groups") => shows(&["2.19"]),
            _ => true,
        };
        if !wanted {
            missing.push(format!("{where_}: not the figures it should show: {plain}"));
        }
        kinds.insert(kind);
    }
    assert_eq!(
        kinds,
        ["alert", "digest", "summary"].into_iter().collect(),
        "each kind of mail was read"
    );

    assert!(problems.is_empty(), "leaks:\n{}", problems.join("\n"));
    assert!(missing.is_empty(), "empty outputs:\n{}", missing.join("\n"));

    // Every output that breaks results down named the withheld groups as withheld, and the
    // shown groups with their figures.
    // The cross-tab (level × function) is published by the report alone; the review pack
    // has no breakdown (its firms' figures are checked above).
    let (levels, crossed) = WITHHELD.split_at(4);
    let (shown_levels, shown_crossed) = SHOWN.split_at(3);
    for (path, cross) in [
        ("/partnerships/{id}", false),
        ("/partnerships/{id}/charts/{name}.svg", false),
        ("/partnerships/{id}/export.csv", false),
        ("/api/partnerships/{id}/report", true),
    ] {
        let withheld = levels.iter().chain(if cross { crossed } else { &[] });
        for label in withheld {
            assert!(
                withheld_seen.contains(&(path, label.to_string())),
                "{path} names {label} as withheld: {withheld_seen:?}"
            );
        }
        let shown = shown_levels
            .iter()
            .chain(if cross { shown_crossed } else { &[] });
        for label in shown {
            assert!(
                shown_seen.contains(&(path, label.to_string())),
                "{path} shows {label} with its figures: {shown_seen:?}"
            );
        }
    }
    for path in ["/partnerships/{id}/items/{item}"] {
        for label in ["Zenith", "Quasar", "Nebula"] {
            assert!(
                withheld_seen.contains(&(path, label.to_owned())),
                "{path} names {label} as withheld: {withheld_seen:?}"
            );
        }
    }

    // The protection's decisions, as the report gives them: the case is what it says
    // (checked after the outputs, so that without the protection each output fails on its
    // own).
    let mut groups = Vec::new();
    for query in ["", "?segment=level_function"] {
        let report: Value = app
            .get(&format!("/api/partnerships/{p}/report{query}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        groups.extend(report["groups"].as_array().unwrap().iter().cloned());
    }
    let group = |segment: &str| {
        groups
            .iter()
            .find(|g| g["segment"] == segment)
            .unwrap_or_else(|| panic!("a group {segment}"))
            .clone()
    };
    for label in WITHHELD {
        assert!(group(label)["suppressed"].is_string(), "{label}");
    }
    for (label, n) in [("Meridian", 10), ("Foundry", 16), ("Ledger", 10)] {
        assert_eq!(group(label)["responded"], n, "{label}");
    }
    assert!(
        !world.flags.is_empty(),
        "the rules raised flags on the wave"
    );

    // Flags over a segment: the segment-gap flag compares Foundry and Ledger only.
    let segment_flag = {
        let mut found = None;
        for id in &world.flags {
            let f: Value = app
                .get(&format!("/api/flags/{id}"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let text = f.to_string();
            if text.contains("Foundry") && text.contains("Ledger") {
                found = Some(f);
            }
        }
        found.expect("a flag over the function segments")
    };
    let text = segment_flag.to_string();
    for label in WITHHELD {
        assert!(
            !names(&text, label),
            "the segment flag names {label}: {text}"
        );
    }
    assert!(text.contains("2.3125") && text.contains("4.5"), "{text}");

    // The comments: Acme's shown on the dashboard and in the review pack; Bolt's (below the
    // minimum comment size) said withheld, its marker checked absent from everything above.
    for page in [
        format!("/partnerships/{p}"),
        format!("/partnerships/{p}/review"),
    ] {
        let html = manager
            .get(app.url(&page))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let root = parse(&html);
        let comments = root
            .all()
            .into_iter()
            .find(|e| e.attribute("aria-label") == Some("Comments from Bolt"))
            .unwrap_or_else(|| panic!("{page}: Bolt's comments section"));
        assert!(
            says_withheld(&comments.text()) && comments.text().contains("fewer than 10"),
            "{page}: {}",
            comments.text()
        );
        assert!(
            root.text().contains(SHOWN_COMMENT),
            "{page}: Acme's comment is shown"
        );
    }

    // The second partnership's goals on its small firm have no value.
    let goals: Value = app
        .get(&format!("/api/partnerships/{q}/goals"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let goals = goals.as_array().expect("goals");
    assert_eq!(goals.len(), 3);
    for g in goals {
        assert!(g["progress"]["current"].is_null(), "{g}");
    }

    // The portfolio: the second partnership's small firm gives no gap.
    let portfolio: Value = manager
        .get(app.url("/portfolio.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rows = portfolio
        .as_array()
        .or_else(|| portfolio["rows"].as_array())
        .expect("rows");
    let row = |id: i64| rows.iter().find(|r| r["id"] == id).expect("a row");
    assert!(row(q)["summary"]["biggest_gap"].is_null(), "{}", row(q));
    assert!(!row(p)["summary"]["biggest_gap"].is_null(), "{}", row(p));
    for path in [
        "/partnerships/{id}",
        "/partnerships/{id}/items/{item}",
        "/partnerships/{id}/charts/{name}.svg",
        "/partnerships/{id}/export.csv",
        "/partnerships/{id}/review",
        "/api/partnerships/{id}/report",
        "/flags/{id}",
        "/api/flags/{id}",
        "/portfolio",
        "/portfolio.json",
        "/portfolio.csv",
        "/api/portfolio",
    ] {
        assert!(covered.contains(&path), "{path} was read");
    }
});
