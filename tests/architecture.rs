//! The architecture test: modules import downwards only.
//!
//! It reads every `crate::…` path in `src/` (comments and string literals skipped, grouped
//! `use crate::{a, b::c}` expanded) and fails, naming file and line, when a top-level module
//! names one it may not (the table [`LAYERS`], which `docs/architecture.md` shows), when
//! something below the web adapter names actix, or when two top-level modules import each
//! other through any chain (a cycle).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and what it may import, lowest layer first. A module not
/// listed here is a failure too: a new folder must say where it stands.
const LAYERS: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("secrets", &[]),
    // Prometheus counters and their rendering: anything may record into them.
    ("metrics", &[]),
    // Progress bars of long CLI jobs (hidden without a terminal).
    ("progress", &[]),
    ("stats", &["domain"]),
    ("survey_templates", &["domain"]),
    // The message catalog of respondent pages and mails, and the managers' English (Fluent
    // files compiled in).
    ("i18n", &["domain"]),
    ("charts", &["domain", "i18n"]),
    ("tabular", &["domain"]),
    ("error", &["domain", "tabular"]),
    ("db", &["domain", "secrets", "survey_templates", "error"]),
    (
        "mail",
        &["domain", "secrets", "db", "error", "metrics", "i18n"],
    ),
    // auth and reports read the managers' catalog for the words their values carry (a
    // role, what a user sees, why a figure is withheld, a band of agreement): i18n stands on
    // domain alone, so this adds no cycle.
    ("auth", &["domain", "secrets", "db", "error", "i18n"]),
    (
        "reports",
        &[
            "domain",
            "stats",
            "survey_templates",
            "tabular",
            "error",
            "db",
            "i18n",
        ],
    ),
    (
        "waves",
        &[
            "domain",
            "secrets",
            "survey_templates",
            "error",
            "db",
            "mail",
        ],
    ),
    (
        "flags",
        &[
            "domain", "stats", "error", "db", "mail", "auth", "reports", "i18n",
        ],
    ),
    (
        "goals",
        &["domain", "stats", "error", "db", "auth", "reports", "i18n"],
    ),
    (
        "import",
        &[
            "domain",
            "secrets",
            "survey_templates",
            "tabular",
            "error",
            "db",
            "reports",
        ],
    ),
    (
        "services",
        &[
            "domain",
            "secrets",
            "stats",
            "survey_templates",
            "charts",
            "tabular",
            "error",
            "db",
            "mail",
            "auth",
            "reports",
            "waves",
            "flags",
            "goals",
            "import",
            "metrics",
            "i18n",
        ],
    ),
    (
        "app",
        &[
            "domain",
            "secrets",
            "survey_templates",
            "error",
            "db",
            "mail",
            "services",
        ],
    ),
    // The adapters: they parse, call a use case and render. They may read the types the
    // lower layers return (a report, a flag, a chart) but never storage.
    (
        "web",
        &[
            "domain",
            "secrets",
            "stats",
            "survey_templates",
            "charts",
            "tabular",
            "error",
            "auth",
            "reports",
            "waves",
            "flags",
            "goals",
            "import",
            "mail",
            "services",
            "app",
            "metrics",
            "i18n",
        ],
    ),
    (
        "cli",
        &[
            "domain",
            "secrets",
            "stats",
            "survey_templates",
            "error",
            "auth",
            "reports",
            "flags",
            "mail",
            "services",
            "app",
            "server",
            "bench",
            "progress",
        ],
    ),
    (
        "server",
        &["db", "mail", "services", "app", "web", "metrics"],
    ),
    // Benchmarks seed synthetic data through storage and time the real paths; only the CLI
    // runs them.
    (
        "bench",
        &[
            "domain",
            "secrets",
            "stats",
            "survey_templates",
            "error",
            "db",
            "mail",
            "reports",
            "flags",
            "services",
            "app",
            "progress",
        ],
    ),
];

/// Items of a module that a layer may name although the module itself is off limits: the web
/// adapter hands a connection, the pool, the clock or the SQLite writer to a use case, but
/// never names a table, a query or a repository function.
const HANDLES: &[(&str, &str, &[&str])] = &[("web", "db", &["Conn", "Pool", "now", "writer"])];

/// The adapters: they call use cases in `services`.
const ADAPTERS: &[&str] = &["web", "cli"];

/// Domain modules an adapter may name only for their types and constants (what a use case
/// returns); a function or module of theirs is reached through `services`.
const TYPES_ONLY: &[&str] = &[
    "reports", "flags", "goals", "waves", "import", "auth", "mail",
];

/// Pure parts of those modules an adapter may call directly: they compute and store nothing
/// (a report as CSV text, a deadline in words, a CSRF token from a cookie, a masked address).
const PURE_PARTS: &[&str] = &[
    "reports::csv::",
    "waves::schedule::",
    "auth::sessions::csrf_",
    "mail::masked",
];

/// Where naming actix is allowed: the HTTP adapter and what starts it.
const ACTIX_ALLOWED: &[&str] = &["web", "server", "cli"];

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Violation {
    file: String,
    line: usize,
    what: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.what)
    }
}

/// One `crate::x…` reference: the top-level module it names and where.
#[derive(Debug)]
struct Reference {
    /// The full path after `crate::` (`db::schema::kpis`).
    path: Vec<String>,
    line: usize,
}

impl Reference {
    fn target(&self) -> &str {
        &self.path[0]
    }

    /// What the path finally names: a type or constant (`Report`, `MAX_NOTE`), or a module
    /// or function (`store`, `inbox`).
    fn names_a_type_or_constant(&self) -> bool {
        let last = self.path.last().map(String::as_str).unwrap_or("");
        last.chars().next().is_some_and(|c| c.is_ascii_uppercase())
    }
}

/// The source with comments and the contents of string and char literals replaced by
/// spaces, newlines kept (so line numbers stay true).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let blank = |c: u8| if c == b'\n' { b'\n' } else { b' ' };
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == b'r'
            && matches!(b.get(i + 1), Some(b'"') | Some(b'#'))
            && !ident_before(b, i)
        {
            // raw string r"…" or r#"…"#
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push(c);
                i += 1;
                continue;
            }
            out.extend(std::iter::repeat_n(b' ', j + 1 - i));
            i = j + 1;
            while i < b.len() {
                if b[i] == b'"'
                    && b[i + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&h| h == b'#')
                        .count()
                        == hashes
                {
                    out.extend(std::iter::repeat_n(b' ', hashes + 1));
                    i += hashes + 1;
                    break;
                }
                out.push(blank(b[i]));
                i += 1;
            }
        } else if c == b'"' {
            out.push(b' ');
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    out.push(b' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push(b' ');
            i += 1;
        } else if c == b'\'' && is_char_literal(b, i) {
            let end = char_literal_end(b, i);
            out.extend(std::iter::repeat_n(b' ', end + 1 - i));
            i = end + 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn ident_before(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
}

/// `'x'` or `'\n'` rather than a lifetime `'a`.
fn is_char_literal(b: &[u8], i: usize) -> bool {
    match (b.get(i + 1), b.get(i + 2)) {
        (Some(b'\\'), _) => true,
        (Some(_), Some(b'\'')) => true,
        // a multi-byte UTF-8 char such as '×'
        (Some(&x), _) if x >= 0x80 => true,
        _ => false,
    }
}

/// The index of the closing quote of the char literal opening at `i`.
fn char_literal_end(b: &[u8], i: usize) -> usize {
    let from = if b[i + 1] == b'\\' { i + 3 } else { i + 2 };
    b[from..]
        .iter()
        .position(|&x| x == b'\'')
        .map_or(b.len() - 1, |k| from + k)
}

/// Every `crate::…` reference in `code` as full paths, use trees expanded
/// (`use crate::a::{b, c::{d, e}}` gives a::b, a::c::d, a::c::e).
fn references(code: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let mut start = 0;
    while let Some(pos) = code[start..].find("crate::") {
        let at = start + pos;
        start = at + "crate::".len();
        if ident_before(bytes, at) {
            continue;
        }
        let line = code[..at].matches('\n').count() + 1;
        expand(&code[start..], &[], line, &mut found);
    }
    found
}

/// Expands the path or use tree at the start of `s` after `prefix` (whose text starts on
/// `line`); returns how many bytes it read.
fn expand(s: &str, prefix: &[String], line: usize, out: &mut Vec<Reference>) -> usize {
    let blank = |from: usize| -> usize {
        from + s[from..]
            .char_indices()
            .find(|(_, c)| !c.is_whitespace())
            .map_or(s.len() - from, |(k, _)| k)
    };
    let line_at = |i: usize| line + s[..i].matches('\n').count();
    let mut i = blank(0);
    if s[i..].starts_with('{') {
        i += 1;
        loop {
            i = blank(i);
            if i >= s.len() || s[i..].starts_with('}') {
                return (i + 1).min(s.len());
            }
            i += expand(&s[i..], prefix, line_at(i), out);
            i = blank(i);
            if s[i..].starts_with(',') {
                i += 1;
            } else {
                return (i + 1).min(s.len());
            }
        }
    }
    let name: String = s[i..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if name.is_empty() {
        return i;
    }
    i += name.len();
    let mut path = prefix.to_vec();
    path.push(name);
    if s[i..].starts_with("::") {
        return i + 2 + expand(&s[i + 2..], &path, line_at(i), out);
    }
    out.push(Reference {
        path,
        line: line_at(i),
    });
    i
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("reading src/") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/web/api/x.rs` → `web`); `None` for the
/// crate root and the binary.
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?.to_owned();
    match first.as_str() {
        "lib.rs" | "main.rs" => None,
        f => Some(f.trim_end_matches(".rs").to_owned()),
    }
}

/// Checks one tree of sources; returns every violation, sorted.
fn check(src: &Path, files: &[(PathBuf, String)]) -> Vec<Violation> {
    let table: BTreeMap<&str, BTreeSet<&str>> = LAYERS
        .iter()
        .map(|(m, allowed)| (*m, allowed.iter().copied().collect()))
        .collect();
    let tops: BTreeSet<String> = files
        .iter()
        .filter_map(|(f, _)| top_module(src, f))
        .collect();
    let mut violations = Vec::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in files {
        let Some(top) = top_module(src, file) else {
            continue;
        };
        let shown = format!("src/{}", file.strip_prefix(src).unwrap().display());
        let code = code_only(text);
        let Some(allowed) = table.get(top.as_str()) else {
            violations.push(Violation {
                file: shown.clone(),
                line: 1,
                what: format!(
                    "module `{top}` has no place in the layer table (tests/architecture.rs)"
                ),
            });
            continue;
        };
        for r in references(&code) {
            let target = r.target().to_owned();
            if target == top || !tops.contains(&target) {
                continue;
            }
            edges.entry(top.clone()).or_default().insert(target.clone());
            let handle_only = HANDLES.iter().any(|(from, to, ok)| {
                *from == top
                    && *to == target
                    && r.path.len() > 1
                    && ok.contains(&r.path[1].as_str())
            });
            let pure_part = PURE_PARTS.iter().any(|p| r.path.join("::").starts_with(p));
            if !allowed.contains(target.as_str()) && !handle_only {
                violations.push(Violation {
                    file: shown.clone(),
                    line: r.line,
                    what: format!("`{top}` may not import `{target}`"),
                });
            } else if ADAPTERS.contains(&top.as_str())
                && TYPES_ONLY.contains(&target.as_str())
                && !r.names_a_type_or_constant()
                && !pure_part
            {
                violations.push(Violation {
                    file: shown.clone(),
                    line: r.line,
                    what: format!(
                        "`{top}` calls `{}` directly: adapters reach domain modules through services (their types and constants excepted)",
                        r.path.join("::")
                    ),
                });
            }
        }
        if !ACTIX_ALLOWED.contains(&top.as_str()) {
            for (n, l) in code.lines().enumerate() {
                if l.contains("actix_web::") || l.contains("actix_web ") || l.contains("actix::") {
                    violations.push(Violation {
                        file: shown.clone(),
                        line: n + 1,
                        what: format!("`{top}` is below the web adapter and may not name actix"),
                    });
                }
            }
        }
    }
    for cycle in cycles(&edges) {
        violations.push(Violation {
            file: "src".into(),
            line: 0,
            what: format!(
                "import cycle between top-level modules: {}",
                cycle.join(" <-> ")
            ),
        });
    }
    violations.sort();
    violations
}

/// Strongly connected components of more than one module (Tarjan).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(next) = s.edges.get(v) {
            for w in next {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if s.on_stack.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

fn read_tree(src: &Path) -> Vec<(PathBuf, String)> {
    let mut paths = Vec::new();
    rust_files(src, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("reading a source file");
            (p, text)
        })
        .collect()
}

/// The tree to judge: this crate's `src/`, or another checkout's (`TANDEM_ARCH_SRC`, used to
/// show the test failing on the tree before the moves).
fn source_root() -> PathBuf {
    std::env::var_os("TANDEM_ARCH_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

#[test]
fn modules_import_only_what_their_layer_allows_and_form_no_cycle() {
    let src = source_root();
    let violations = check(&src, &read_tree(&src));
    assert!(
        violations.is_empty(),
        "{} import(s) break the layers (table in tests/architecture.rs and docs/architecture.md):\n{}",
        violations.len(),
        violations
            .iter()
            .map(|v| format!("  {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn every_layer_in_the_table_exists_in_the_tree() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let tops: BTreeSet<String> = read_tree(&src)
        .iter()
        .filter_map(|(f, _)| top_module(&src, f))
        .collect();
    let stale: Vec<&str> = LAYERS
        .iter()
        .map(|(m, _)| *m)
        .filter(|m| !tops.contains(*m))
        .collect();
    assert!(
        stale.is_empty(),
        "the layer table names modules that do not exist: {stale:?}"
    );
}

/// The checker itself: a made-up tree with one upward import, one cycle and a comment
/// that only mentions a higher layer.
#[test]
fn the_checker_names_an_upward_import_a_cycle_and_ignores_comments_and_strings() {
    let src = PathBuf::from("/x/src");
    let files = vec![
        (
            src.join("db/mod.rs"),
            "//! see [`crate::web::AppState`]\nuse crate::domain::Side;\nfn f() { let s = \"crate::web\"; }\nuse crate::{\n    domain,\n    services::ServiceError,\n};\n".to_owned(),
        ),
        (src.join("domain/mod.rs"), "pub struct Side;\n".to_owned()),
        (
            src.join("services/mod.rs"),
            "use crate::db::Conn;\npub struct ServiceError;\n".to_owned(),
        ),
        (
            src.join("web/mod.rs"),
            "use actix_web::web;\nuse crate::db::{Conn, now};\nfn f() { crate::db::schema::kpis::table; }\nuse crate::flags::{store::{FlagView, MAX_NOTE}, Rule};\nfn g() { crate::flags::store::inbox(); }\n"
                .to_owned(),
        ),
        (src.join("flags/mod.rs"), "pub mod store;\n".to_owned()),
        (src.join("stats/mod.rs"), "use actix_web::web;\n".to_owned()),
    ];
    let found: Vec<String> = check(&src, &files).iter().map(|v| v.to_string()).collect();
    assert_eq!(
        found,
        vec![
            "src:0: import cycle between top-level modules: db <-> services".to_owned(),
            "src/db/mod.rs:6: `db` may not import `services`".to_owned(),
            "src/stats/mod.rs:1: `stats` is below the web adapter and may not name actix"
                .to_owned(),
            "src/web/mod.rs:3: `web` may not import `db`".to_owned(),
            "src/web/mod.rs:5: `web` calls `flags::store::inbox` directly: adapters reach domain modules through services (their types and constants excepted)".to_owned(),
        ]
    );
}

/// Routes registered outside the route table (`src/web/routes.rs`): actix's route macros or a
/// `web::resource`/`.route(` anywhere else in `src/`. The table is what the access matrix,
/// the crawler and the OpenAPI test read, so a route registered elsewhere would be served
/// without being asked about. Names file and line.
fn routes_outside_the_table(src: &Path, files: &[(PathBuf, String)]) -> Vec<String> {
    let table = src.join("web").join("routes.rs");
    let mut found = Vec::new();
    for (path, text) in files {
        if *path == table {
            continue;
        }
        for (n, line) in code_only(text).lines().enumerate() {
            let line = line.trim_start();
            let macro_route = [
                "#[get(",
                "#[post(",
                "#[put(",
                "#[delete(",
                "#[patch(",
                "#[route(",
            ]
            .iter()
            .any(|m| line.starts_with(m));
            if macro_route || line.contains("web::resource(") || line.contains(".route(") {
                found.push(format!("{}:{}: {line}", path.display(), n + 1));
            }
        }
    }
    found
}

#[test]
fn every_route_is_registered_through_the_route_table() {
    let src = source_root();
    let files = read_tree(&src);
    let found = routes_outside_the_table(&src, &files);
    assert!(
        found.is_empty(),
        "register routes in src/web/routes.rs only:\n{}",
        found.join("\n")
    );
    // The check sees a route macro when there is one.
    let planted = vec![(
        src.join("web").join("planted.rs"),
        "/// a page\n#[get(\"/somewhere\")]\nasync fn somewhere() {}\n".to_owned(),
    )];
    assert_eq!(routes_outside_the_table(&src, &planted).len(), 1);
}
