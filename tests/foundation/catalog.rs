//! The managers' message catalog (`src/i18n/locales/manager-en.ftl`) is complete for every
//! template that claims it: no English left in the template's text, in the attributes a reader
//! hears or sees (`aria-label`, `title`, `placeholder`, `alt`, `data-label`) or in a plain-text
//! mail; every key a template or the web and mail code asks for exists; and no key of the
//! managers' file is left unused. Reads the sources, so it needs no database.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Templates whose every word comes from a catalog (the managers' file, or the respondent
/// files through `tr`).
const COMPLETE: &[&str] = &[
    // pages of managers, ombudsmen and administrators
    "pages/account_tokens.html",
    "pages/admin_audit.html",
    "pages/admin_nav.html",
    "pages/admin_roster.html",
    "pages/admin_user.html",
    "pages/admin_users.html",
    "pages/dashboard.html",
    "pages/dashboard_comments.html",
    "pages/dashboard_goals.html",
    "pages/dashboard_item.html",
    "pages/dashboard_plan.html",
    "pages/dashboard_review.html",
    "pages/dashboard_nav.html",
    "pages/flag.html",
    "pages/flag_new.html",
    "pages/goal_form.html",
    "pages/home.html",
    "pages/inbox.html",
    "pages/inbox_nav.html",
    "pages/layout.html",
    "pages/login.html",
    "pages/message.html",
    "pages/overview.html",
    "pages/overview_table.html",
    "pages/plan.html",
    "pages/plan_fields.html",
    "pages/plan_objective.html",
    "pages/portfolio.html",
    "pages/set_password.html",
    // style sheets: no words, kept here so that words added to them are caught
    "pages/admin_style.html",
    "pages/auth_style.html",
    "pages/dashboard_style.html",
    "pages/inbox_style.html",
    // respondent pages and mails, through `tr` and the four respondent files
    "pages/form.html",
    "pages/respond_message.html",
    "mail/invitation/body.html",
    "mail/invitation/body.txt",
    "mail/invitation/subject.txt",
    "mail/reminder/body.html",
    "mail/reminder/body.txt",
    "mail/reminder/subject.txt",
    // mails to managers, ombudsmen and administrators, and the mail frame
    "mail/layout.html",
    "mail/layout.txt",
    "mail/flag_alert/body.html",
    "mail/flag_alert/body.txt",
    "mail/flag_alert/subject.txt",
    "mail/flag_digest/body.html",
    "mail/flag_digest/body.txt",
    "mail/flag_digest/subject.txt",
    "mail/password_reset/body.html",
    "mail/password_reset/body.txt",
    "mail/password_reset/subject.txt",
    "mail/wave_summary/body.html",
    "mail/wave_summary/body.txt",
    "mail/wave_summary/subject.txt",
    // the charts' frame: its titles, descriptions, tooltips and labels come from src/charts
    // and web::dashboard::view, which RUST_COMPLETE checks
    "charts/chart.svg",
];

/// Templates that still hold English, each with why.
const NOT_YET: &[(&str, &str)] = &[];

/// Text that is not a word to translate. Matched as whole words.
const ALLOWED: &[(&str, &str)] = &[
    ("Tandem", "the product's name"),
    ("tandem user add", "a command, typed as written"),
    ("tandem roster import", "a command, typed as written"),
    ("tandem partnership create", "a command, typed as written"),
    (
        "flag.*",
        "an audit action pattern, typed as written in the filter",
    ),
    ("/api/…", "a URL path"),
    ("Authorization: Bearer", "an HTTP header, sent as written"),
    ("CSV", "a file format's name (download link)"),
    ("JSON", "a file format's name (download link)"),
    (
        "r",
        "the symbol of Pearson's correlation coefficient (lead–lag table)",
    ),
];

/// Attributes whose values people read or hear.
const ATTRIBUTES: &[&str] = &["aria-label", "title", "placeholder", "alt", "data-label"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir`, as paths relative to `dir` with `/`.
fn files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let relative = path.strip_prefix(base).expect("under the base");
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Replaces every `open … close` region (both included) with spaces, keeping the line breaks
/// so that line numbers stay true. An unclosed region runs to the end.
fn blank(text: &str, open: &str, close: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        let after = &rest[start + open.len()..];
        let end = after
            .find(close)
            .map_or(rest.len(), |e| start + open.len() + e + close.len());
        out.extend(
            rest[start..end]
                .chars()
                .map(|c| if c == '\n' { '\n' } else { ' ' }),
        );
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Blocks whose content is markup put into a tag, not text: `{% block body_attrs %}
/// class="dash"{% endblock %}` fills `<body{% block body_attrs %}{% endblock %}>`.
const MARKUP_BLOCKS: &[&str] = &["{% block body_attrs %}"];

/// Blanks askama's comments, tags and expressions, and the markup blocks.
fn without_askama(text: &str) -> String {
    let mut text = text.to_owned();
    for block in MARKUP_BLOCKS {
        text = blank(&text, block, "{% endblock %}");
    }
    let text = blank(&text, "{#", "#}");
    let text = blank(&text, "{%", "%}");
    blank(&text, "{{", "}}")
}

/// Blanks HTML entities (`&gt;`, `&#39;`), which are letters that are not words.
fn without_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let tail = &rest[start + 1..];
        let name_len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .unwrap_or(tail.len());
        if name_len > 0 && tail[name_len..].starts_with(';') {
            out.push_str(&" ".repeat(name_len + 2));
            rest = &tail[name_len + 1..];
        } else {
            out.push('&');
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// `text` without the allowed phrases (as whole words).
fn without_allowed(text: &str) -> String {
    let mut text = text.to_owned();
    let mut allowed: Vec<&str> = ALLOWED.iter().map(|(phrase, _)| *phrase).collect();
    allowed.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for phrase in allowed {
        let mut from = 0;
        while let Some(found) = text[from..].find(phrase) {
            let start = from + found;
            let end = start + phrase.len();
            let word_char = |c: char| c.is_alphanumeric() || c == '_';
            let before = text[..start].chars().next_back().is_some_and(word_char);
            let after = text[end..].chars().next().is_some_and(word_char);
            if before || after {
                from = end;
            } else {
                text.replace_range(start..end, &" ".repeat(phrase.len()));
                from = end;
            }
        }
    }
    text
}

fn has_words(text: &str) -> bool {
    without_allowed(text)
        .chars()
        .any(|c| c.is_ascii_alphabetic())
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// The English left in one template: `file:line: text` per finding.
fn english_in(name: &str, source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let text = without_askama(source);
    // an SVG is markup like a page (its style sheet and attribute values are no words)
    if !name.ends_with(".html") && !name.ends_with(".svg") {
        for (i, line) in text.lines().enumerate() {
            if has_words(line) {
                found.push(format!("{name}:{}: {:?}", i + 1, line.trim()));
            }
        }
        return found;
    }
    // the attributes people read or hear, inside each tag
    let mut from = 0;
    while let Some(start) = text[from..].find('<').map(|s| from + s) {
        let end = text[start..].find('>').map_or(text.len(), |e| start + e);
        let tag = &text[start..end];
        for attribute in ATTRIBUTES {
            for quote in ['"', '\''] {
                let pattern = format!("{attribute}={quote}");
                let mut at = 0;
                while let Some(found_at) = tag[at..].find(&pattern).map(|f| at + f) {
                    let preceded = tag[..found_at]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_whitespace);
                    let value_start = found_at + pattern.len();
                    let value_end = tag[value_start..]
                        .find(quote)
                        .map_or(tag.len(), |v| value_start + v);
                    let value = &tag[value_start..value_end];
                    if preceded && has_words(&without_entities(value)) {
                        found.push(format!(
                            "{name}:{}: {attribute}={:?}",
                            line_of(&text, start + found_at),
                            value.trim()
                        ));
                    }
                    at = value_end;
                }
            }
        }
        from = end.max(start + 1);
    }
    // the text between tags
    let text = blank(&text, "<style", "</style>");
    let text = blank(&text, "<script", "</script>");
    let text = blank(&text, "<!--", "-->");
    let text = without_entities(&blank(&text, "<", ">"));
    for (i, line) in text.lines().enumerate() {
        if has_words(line) {
            found.push(format!("{name}:{}: {:?}", i + 1, line.trim()));
        }
    }
    found
}

#[test]
fn every_template_is_listed_as_complete_or_not_yet() {
    let on_disk: BTreeSet<String> = files(&root().join("templates")).into_iter().collect();
    let complete: BTreeSet<String> = COMPLETE.iter().map(|s| s.to_string()).collect();
    let not_yet: BTreeSet<String> = NOT_YET.iter().map(|(s, _)| s.to_string()).collect();
    assert_eq!(complete.len(), COMPLETE.len(), "a template is listed twice");
    assert!(
        complete.is_disjoint(&not_yet),
        "listed both complete and not yet: {:?}",
        complete.intersection(&not_yet).collect::<Vec<_>>()
    );
    let listed: BTreeSet<String> = complete.union(&not_yet).cloned().collect();
    let unlisted: Vec<&String> = on_disk.difference(&listed).collect();
    let missing: Vec<&String> = listed.difference(&on_disk).collect();
    assert!(
        unlisted.is_empty(),
        "templates in neither list of tests/foundation/catalog.rs: {unlisted:?}"
    );
    assert!(
        missing.is_empty(),
        "listed templates that do not exist: {missing:?}"
    );
}

#[test]
fn the_complete_templates_hold_no_english_of_their_own() {
    let templates = root().join("templates");
    let mut found = Vec::new();
    for name in COMPLETE {
        found.extend(english_in(name, &read(&templates.join(name))));
    }
    assert!(
        found.is_empty(),
        "English outside the catalog (move it to src/i18n/locales/manager-en.ftl):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_finder_sees_text_attributes_and_plain_text_mail_but_not_askama() {
    let page = "<p>{{ x }} Hello</p>\n<a title=\"{{ crate::i18n::en(\"k\") }}\" href=\"/a\">{% if a %}{{ b }}{% endif %}</a>\n<td data-label=\"State\">&gt; {# note #}</td>\n<style>p { color: red }</style>— Tandem <code>tandem user add</code>";
    assert_eq!(
        english_in("x.html", page),
        vec![
            "x.html:3: data-label=\"State\"".to_owned(),
            "x.html:1: \"Hello\"".to_owned(),
        ]
    );
    assert_eq!(
        english_in("x.txt", "{{ a }}\n\nsee {{ b }}"),
        vec!["x.txt:3: \"see\"".to_owned()]
    );
    assert!(english_in("x.txt", "{{ a }} – {% if b %}{{ c }}{% endif %}").is_empty());
}

/// The keys of a Fluent file: lines that start a message.
fn keys(source: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter(|line| line.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter_map(|line| line.split_once(" =").map(|(key, _)| key.trim().to_owned()))
        .collect()
}

/// The string literals that follow `call` (a function name and its opening `("`), e.g. every
/// key of `en("key")` in `source`. The character before the name must not continue an
/// identifier, so that `open("…")` is not `en("…")`.
fn call_keys(source: &str, call: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = source[from..].find(call).map(|a| from + a) {
        let start = at + call.len();
        let standalone = !source[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if standalone {
            if let Some(end) = source[start..].find('"') {
                out.push(source[start..start + end].to_owned());
            }
        }
        from = start;
    }
    out
}

/// Literals of the web and mail code shaped like a managers' key that are something else.
const NOT_KEYS: &[(&str, &str)] = &[(
    "admin-token",
    "web::api::auth: how the audit log names the administrator's bearer token as an actor",
)];

const MANAGER_CALLS: &[&str] = &["en(\"", "en1(\"", "en2(\"", "en3(\"", "en_with(\""];
const RESPONDENT_CALLS: &[&str] = &[".t(\"", ".t1(\"", ".t2(\"", ".t3(\"", ".t4(\""];

/// Code outside `src/web` and `src/mail` that writes the managers' mails.
const MAIL_BUILDERS: &[&str] = &["src/flags/digest.rs", "src/services/summary.rs"];

/// Templates, the web and mail code and the mail builders, with their names.
fn sources() -> Vec<(String, String)> {
    let root = root();
    let mut out: Vec<(String, String)> = MAIL_BUILDERS
        .iter()
        .map(|name| (name.to_string(), read(&root.join(name))))
        .collect();
    for (dir, ext) in [
        ("templates", ""),
        ("src/web", ".rs"),
        ("src/mail", ".rs"),
        ("src/charts", ".rs"),
        ("src/goals", ".rs"),
        // the words that come with the data: rules, states, roles, reasons, dates
        ("src/flags", ".rs"),
        ("src/services", ".rs"),
        ("src/reports", ".rs"),
        // the bands' and the lead–lag verdict's keys (`words_key`)
        ("src/stats", ".rs"),
        ("src/auth", ".rs"),
        ("src/i18n", ".rs"),
    ] {
        for name in files(&root.join(dir)) {
            if name.ends_with(ext) {
                let source = read(&root.join(dir).join(&name));
                out.push((format!("{dir}/{name}"), source));
            }
        }
    }
    out
}

#[test]
fn every_key_asked_for_exists_and_every_managers_key_is_used() {
    let locales = root().join("src/i18n/locales");
    let managers = keys(&read(&locales.join("manager-en.ftl")));
    let respondents = keys(&read(&locales.join("en.ftl")));
    assert!(managers.len() > 300, "{}", managers.len());
    assert!(
        managers.is_disjoint(&respondents),
        "keys in both files: {:?}",
        managers.intersection(&respondents).collect::<Vec<_>>()
    );
    // the page families' prefixes: a literal in the code that starts with one is a key
    let prefixes: BTreeSet<&str> = managers
        .iter()
        .filter_map(|k| k.split('-').next())
        .collect();

    let mut missing = Vec::new();
    let mut seen = String::new();
    for (name, source) in sources() {
        // `en*` read the English bundle: the managers' file and the English respondent file
        for call in MANAGER_CALLS {
            for key in call_keys(&source, call) {
                if !managers.contains(&key) && !respondents.contains(&key) {
                    missing.push(format!("{name}: {call}{key}\""));
                }
            }
        }
        for call in RESPONDENT_CALLS {
            for key in call_keys(&source, call) {
                if !respondents.contains(&key) {
                    missing.push(format!("{name}: {call}{key}\" (not in en.ftl)"));
                }
            }
        }
        if name.ends_with(".rs") {
            // ids held in tables or chosen by a condition: en(if … { "a" } else { "b" })
            for literal in source.split('"').skip(1).step_by(2) {
                let shaped = literal.contains('-')
                    && literal
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                let prefixed = literal
                    .split('-')
                    .next()
                    .is_some_and(|p| prefixes.contains(p));
                let known = managers.contains(literal)
                    || respondents.contains(literal)
                    || NOT_KEYS.iter().any(|(k, _)| *k == literal);
                if shaped && prefixed && !known {
                    missing.push(format!("{name}: \"{literal}\" looks like a managers' key"));
                }
            }
        }
        seen.push_str(&source);
    }
    let unused: Vec<&String> = managers
        .iter()
        .filter(|key| !seen.contains(&format!("\"{key}\"")))
        .collect();
    assert!(
        missing.is_empty() && unused.is_empty(),
        "keys missing from the catalog:\n{}\nkeys of manager-en.ftl nothing uses (remove them): {unused:?}",
        missing.join("\n")
    );
}

/// Rust sources whose every word a reader sees comes from the catalog: the dashboard's view
/// code, the charts and the goals and plan.
const RUST_COMPLETE: &[&str] = &[
    "src/web/dashboard.rs",
    "src/web/dashboard/cache.rs",
    "src/web/dashboard/goals.rs",
    "src/web/dashboard/plan.rs",
    "src/web/dashboard/view/dashboard.rs",
    "src/web/dashboard/view/dimensions.rs",
    "src/web/dashboard/view/health.rs",
    "src/web/dashboard/view/heatmaps.rs",
    "src/web/dashboard/view/item.rs",
    "src/web/dashboard/view/kpis.rs",
    "src/web/dashboard/view/meta.rs",
    "src/web/dashboard/view/mod.rs",
    "src/web/dashboard/view/review.rs",
    "src/charts/axis.rs",
    "src/charts/bars.rs",
    "src/charts/distribution.rs",
    "src/charts/heatmap.rs",
    "src/charts/line.rs",
    "src/charts/mod.rs",
    "src/charts/palette.rs",
    "src/charts/svg.rs",
    "src/goals/mod.rs",
    "src/goals/plan.rs",
    "src/goals/plan_validate.rs",
    "src/goals/store.rs",
    // the statistics and the report (their words come with the data)
    "src/stats/agreement.rs",
    "src/stats/bands.rs",
    "src/stats/chance.rs",
    "src/stats/change_points.rs",
    "src/stats/compare.rs",
    "src/stats/correlation.rs",
    "src/stats/descriptives.rs",
    "src/stats/distribution.rs",
    "src/stats/holm.rs",
    "src/stats/icc.rs",
    "src/stats/joint.rs",
    "src/stats/lead_lag.rs",
    "src/stats/meta.rs",
    "src/stats/mod.rs",
    "src/stats/rng.rs",
    "src/stats/sample.rs",
    "src/stats/segments.rs",
    "src/stats/trend.rs",
    "src/stats/verdict.rs",
    "src/reports/aggregate_cells.rs",
    "src/reports/comments.rs",
    "src/reports/confidentiality.rs",
    "src/reports/csv.rs",
    "src/reports/mod.rs",
    "src/reports/segment_kind.rs",
    "src/reports/verdict.rs",
    "src/reports/report/assemble.rs",
    "src/reports/report/chance.rs",
    "src/reports/report/groups.rs",
    "src/reports/report/load.rs",
    "src/reports/report/meta.rs",
    "src/reports/report/mod.rs",
    "src/reports/report/protection.rs",
    "src/reports/report/sections.rs",
    "src/reports/disclosure/exact.rs",
    "src/reports/disclosure/mod.rs",
    // accounts, sign-in and tokens as pages show them
    "src/auth/access.rs",
    "src/auth/api_tokens.rs",
    "src/auth/audit.rs",
    "src/auth/mod.rs",
    "src/auth/passwords.rs",
    "src/auth/sessions.rs",
    "src/auth/throttle.rs",
    "src/auth/tokens.rs",
    "src/auth/users.rs",
    "src/flags/store/actions.rs",
    "src/flags/store/follow_up.rs",
    "src/flags/store/run.rs",
    "src/services/accounts.rs",
    "src/services/api_tokens.rs",
    "src/services/users.rs",
    "src/web/account.rs",
    "src/web/admin.rs",
    "src/web/auth_pages.rs",
];

/// Literals of those files that hold words but are no reader's words, each with why: the
/// audit log's details (stored records in the operator's language, like its action names),
/// messages of internal errors (logged, never shown: pages show `page-failed-text`), and
/// HTTP header values.
const RUST_NOT_WORDS: &[(&str, &str)] = &[
    ("default-src 'none'; style-src 'unsafe-inline'", "a Content-Security-Policy header"),
    ("Content-Security-Policy", "an HTTP header name"),
    ("X-Content-Type-Options", "an HTTP header name"),
    ("text/csv; charset=utf-8", "a media type"),
    ("image/svg+xml; charset=utf-8", "a media type"),
    ("not found", "web::dashboard: a NotFound whose page says dash-page-not-found-text"),
    ("there is no goal {id} in this partnership", "a NotFound of the JSON API (pages say dash-page-not-found-text)"),
    ("there is no {what} {id} in this partnership", "a NotFound of the JSON API (pages say dash-page-not-found-text)"),
    ("due today", "goals::plan: a milestone's state code (for styling), beside its words"),
    ("inline; filename=", "a Content-Disposition header"),
    ("attachment; filename=", "a Content-Disposition header"),
    ("goal {gid}: {} target {} due {}{}", "the audit log's detail of goal.create"),
    (", owner person {p}", "the audit log's detail of goal.create"),
    ("goal {id}: {}", "the audit log's detail of goal.delete"),
    ("partnership {partnership_id}", "an audit log target"),
    ("partnership {id}", "an audit log target"),
    ("objective {id}: {}", "the audit log's detail of the plan"),
    ("objective {id}, milestone {mid}: {}", "the audit log's detail of the plan"),
    ("objective {objective}, milestone {mid}: {}", "the audit log's detail of the plan"),
    ("objective {objective}, milestone {milestone}: {}", "the audit log's detail of the plan"),
    ("objective {objective}, milestone {milestone}: {words}", "the audit log's detail of the plan"),
    ("{:?}, status {}, owners person {} (customer) and person {} (supplier), goals {:?}, dimensions {:?}", "the audit log's detail of the plan"),
    ("{:?} due {}, owner person {}, {}", "the audit log's detail of the plan"),
    ("not done", "the audit log's detail of the plan"),
    ("done {d}", "the audit log's detail of the plan"),
    ("a scale has 2 to 11 points", "stats: a panic message (a programming error, never shown)"),
    ("not given", "reports::segment_kind::NO_REGION: a segment value stored in the aggregates and named in URLs (`?segment=`), not words made for a page"),
    ("Password(***)", "auth::passwords: how a password's Debug hides it (logs only)"),
    ("through a one-time link", "the audit log's detail of user.password_set"),
    ("read from standard input", "the audit log's detail of user.password_set"),
    ("{ended} session(s) ended, {revoked} API token(s) revoked", "the audit log's detail of user.disabled"),
    ("one-time link valid until {}", "the audit log's detail of user.password_reset_sent"),
    ("valid through {d}", "the audit log's detail of api_token.created"),
    ("no expiry", "the audit log's detail of api_token.created"),
    ("refused without checking the password", "the audit log's detail of sign_in.throttled"),
    ("no user with this email", "the audit log's detail of sign_in.failed"),
    ("the user has not set a password yet", "the audit log's detail of sign_in.failed"),
    ("wrong password", "the audit log's detail of sign_in.failed"),
    ("the user is disabled", "the audit log's detail of sign_in.failed"),
    ("{}; further failures in this 15-minute window are only counted", "the audit log's detail of sign_in.failed"),
    ("email {email} | ip {ip}", "auth::throttle: a sign-in limit's key, stored (the audit log's target)"),
    ("an admin sees every partnership: give no --partnership", "a CLI message naming its flags (tandem user add)"),
    ("a relationship manager sees only their own partnerships: name them with --partnership", "a CLI message naming its flags (tandem user add)"),
    ("a relationship manager needs at least one --partnership", "a CLI message naming its flags (tandem user add)"),
    ("an ombudsman needs either --all-partnerships", "a CLI message naming its flags (tandem user add)"),
    ("an ombudsman always sees both sides: --side", "a CLI message naming its flags (tandem user add)"),
    ("action added", "a flag event's action as stored in its history (pages show flags::store::event_words)"),
    ("action done", "a flag event's action as stored in its history (pages show flags::store::event_words)"),
    ("action reopened", "a flag event's action as stored in its history (pages show flags::store::event_words)"),
    ("closed itself", "a flag event's action as stored in its history (pages show flags::store::event_words)"),
    ("still firing", "a flag event's action as stored in its history (pages show flags::store::event_words)"),
    ("a stored ombudsman address is not valid", "flags::store::run: an internal error's message (logged, never shown)"),
];

/// Whether a Rust string literal holds words a reader would see: after format placeholders
/// are removed, two words of letters side by side, or one capitalised word.
fn holds_words(literal: &str) -> bool {
    let mut text = String::new();
    let mut depth = 0;
    for c in literal.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            _ if depth == 0 => text.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphabetic() && c != '\'')
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .collect();
    let capitalised = words.iter().any(|w| {
        let mut cs = w.chars();
        cs.next().is_some_and(char::is_uppercase) && cs.all(|c| c.is_lowercase() || c == '\'')
    });
    // words of a sentence, not CSS classes or identifiers ("tc-label tc-small")
    let spaced = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| "()[],.:;?!“”".contains(c)))
        .filter(|w| {
            w.chars().filter(|c| c.is_alphabetic()).count() >= 2
                && w.chars().all(|c| c.is_alphabetic() || c == '\'')
        })
        .count()
        >= 2;
    capitalised || spaced
}

/// The literals of `source` (a Rust file) that hold a reader's words, as "name:line: literal",
/// leaving out unit tests (from the first `#[cfg(test)]`), comments, logs, panics, internal
/// errors and the literals of [`RUST_NOT_WORDS`].
fn rust_words_in(name: &str, source: &str) -> Vec<String> {
    const NOT_FOR_READERS: &[&str] = &[
        "tracing::",
        "panic!(",
        ".expect(",
        "unreachable!(",
        "assert!(",
        "assert_eq!(",
        "debug_assert",
        "anyhow!(",
        "anyhow::Error",
        ".context(",
        "#[",
        "///",
    ];
    let code = source.split("#[cfg(test)]").next().unwrap_or(source);
    let mut out = Vec::new();
    for (i, line) in code.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") || NOT_FOR_READERS.iter().any(|m| line.contains(m)) {
            continue;
        }
        let mut rest = line;
        while let Some(open) = rest.find('"') {
            let after = &rest[open + 1..];
            // the literal runs to the next quote not escaped by a backslash
            let mut end = None;
            let mut escaped = false;
            for (j, c) in after.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(j);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let Some(end) = end else { break };
            let literal = &after[..end];
            let allowed = RUST_NOT_WORDS.iter().any(|(l, _)| literal.starts_with(l));
            if holds_words(literal) && !allowed {
                out.push(format!("{name}:{}: \"{literal}\"", i + 1));
            }
            rest = &after[end + 1..];
        }
    }
    out
}

#[test]
fn the_complete_rust_sources_hold_no_words_of_their_own() {
    let root = root();
    let found: Vec<String> = RUST_COMPLETE
        .iter()
        .flat_map(|name| rust_words_in(name, &read(&root.join(name))))
        .collect();
    assert!(
        found.is_empty(),
        "words outside the catalog (move them to src/i18n/locales/manager-en.ftl):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_rust_finder_sees_words_but_not_keys_logs_or_tests() {
    let source = "fn a() -> String {\n    en(\"dash-title\")\n}\nfn b() -> String {\n    \
                  format!(\"{} groups shown\", 3)\n}\nfn c() {\n    tracing::info!(\"a log line here\");\n    \
                  let t = \"Wave\";\n    let css = \"tc-label tc-small\";\n}\n#[cfg(test)]\nmod tests {\n    \
                  const X: &str = \"a test's words\";\n}\n";
    assert_eq!(
        rust_words_in("x.rs", source),
        vec![
            "x.rs:5: \"{} groups shown\"".to_owned(),
            "x.rs:9: \"Wave\"".to_owned()
        ]
    );
    assert!(!holds_words("tc-label"));
    assert!(!holds_words("{mean:.2} · {n}"));
    assert!(holds_words("no answers"));
}
