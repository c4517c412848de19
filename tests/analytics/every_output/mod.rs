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
//! - Each level is also a business unit under another name (Zenith: Summit, Meridian:
//!   Equator, Basecamp: Campsite, Quasar: Comet, Nebula: Galaxy), withheld as the levels
//!   are; each function answers in one language (Foundry de, Ledger fr, Harbor es), shown as
//!   the functions are (in the report asked for by language: the pages pool languages).
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

/// Groups of the latest wave that must be withheld (label as the pages write it): levels,
/// cross-tab cells, business units.
const WITHHELD: [&str; 12] = [
    "Zenith",
    "Basecamp",
    "Quasar",
    "Nebula",
    "Zenith × Foundry",
    "Basecamp × Foundry",
    "Quasar × Harbor",
    "Nebula × Harbor",
    "Summit",
    "Campsite",
    "Comet",
    "Galaxy",
];

/// Groups of the latest wave that are shown: levels and functions, a cross-tab cell, a
/// business unit.
const SHOWN: [&str; 5] = [
    "Meridian",
    "Foundry",
    "Ledger",
    "Meridian × Ledger",
    "Equator",
];

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
    (
        Verb::Get,
        "/api/partnerships/{id}/people",
        "the roster: names, attributes and deliverability, no answer",
    ),
    (
        Verb::Post,
        "/api/bounces",
        "bounce reports in, their outcomes out",
    ),
    (
        Verb::Get,
        "/admin/partnerships/{id}/roster",
        "the roster page (administrators): no answer",
    ),
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
        Verb::Get,
        "/api/partnerships/{id}/attributes",
        "custom roster attributes: keys and labels",
    ),
    (
        Verb::Post,
        "/api/partnerships/{id}/attributes",
        "a custom attribute's key and label",
    ),
    (
        Verb::Get,
        "/api/partnerships/{id}/series",
        "survey series: settings and wave counts",
    ),
    (
        Verb::Post,
        "/api/partnerships/{id}/series",
        "a series' settings",
    ),
    (
        Verb::Patch,
        "/api/partnerships/{id}/series/{key}",
        "a series' settings",
    ),
    (
        Verb::Post,
        "/api/partnerships/{id}/series/{key}/pause",
        "a series' state",
    ),
    (
        Verb::Post,
        "/api/partnerships/{id}/series/{key}/resume",
        "a series' state",
    ),
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
        "/api/partnerships/{id}/plan",
        "the objective: titles, roster names, dates",
    ),
    (
        Verb::Put,
        "/api/partnerships/{id}/plan/{objective}",
        "the objective: titles, roster names, dates",
    ),
    (
        Verb::Post,
        "/api/partnerships/{id}/plan/{objective}/milestones",
        "the objective: titles, roster names, dates",
    ),
    (
        Verb::Put,
        "/api/partnerships/{id}/plan/milestones/{milestone}",
        "the objective: titles, roster names, dates",
    ),
    (
        Verb::Post,
        "/api/partnerships/{id}/plan/milestones/{milestone}/done",
        "the objective: titles, roster names, dates",
    ),
    (
        Verb::Post,
        "/partnerships/{id}/plan",
        "redirect, or the form again",
    ),
    (
        Verb::Get,
        "/partnerships/{id}/plan/{objective}",
        "edit form: titles, roster names, dates, goal targets",
    ),
    (
        Verb::Post,
        "/partnerships/{id}/plan/{objective}",
        "redirect, or the form again",
    ),
    (
        Verb::Post,
        "/partnerships/{id}/plan/{objective}/milestones",
        "redirect, or the form again",
    ),
    (
        Verb::Post,
        "/partnerships/{id}/plan/milestones/{milestone}",
        "redirect, or the form again",
    ),
    (
        Verb::Post,
        "/partnerships/{id}/plan/milestones/{milestone}/done",
        "redirect",
    ),
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
                    "?segment=region",
                    "?segment=business_unit",
                    "?segment=language",
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
        (Verb::Get, "/api/partnerships/{id}/plan") => both
            .iter()
            .map(|id| Fetch {
                positive: false,
                ..get(format!("/api/partnerships/{id}/plan"), Kind::Json)
            })
            .collect(),
        (Verb::Get, "/partnerships/{id}/plan") => both
            .iter()
            .map(|id| Fetch {
                positive: false,
                ..get(format!("/partnerships/{id}/plan"), Kind::Html)
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

mod checks;
mod markup;
mod world;

use checks::*;
use markup::*;
use world::*;

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
    for kind in ["level", "function", "business_unit"] {
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
    let (levels, crossed, units) = (&WITHHELD[..4], &WITHHELD[4..8], &WITHHELD[8..]);
    let (shown_levels, shown_crossed, shown_units) = (&SHOWN[..3], &SHOWN[3..4], &SHOWN[4..]);
    for (path, cross) in [
        ("/partnerships/{id}", false),
        ("/partnerships/{id}/charts/{name}.svg", false),
        ("/partnerships/{id}/export.csv", false),
        ("/api/partnerships/{id}/report", true),
    ] {
        let withheld = levels
            .iter()
            .chain(units)
            .chain(if cross { crossed } else { &[] });
        for label in withheld {
            assert!(
                withheld_seen.contains(&(path, label.to_string())),
                "{path} names {label} as withheld: {withheld_seen:?}"
            );
        }
        let shown =
            shown_levels
                .iter()
                .chain(shown_units)
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
    for query in ["", "?segment=level_function", "?segment=language"] {
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
    for (label, n) in [
        ("Meridian", 10),
        ("Foundry", 16),
        ("Ledger", 10),
        ("Equator", 10),
        ("de", 16),
        ("fr", 10),
        ("es", 8),
    ] {
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
