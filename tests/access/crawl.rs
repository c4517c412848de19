//! The crawler: on the demo, it signs in through the real sign-in form as each role (and
//! opens a respondent's link), then follows every same-site link, image, stylesheet and
//! GET form of every page it reaches — charts and exports included — and checks that every
//! POST form's target is a route of the table. It fails listing each (role, from-page,
//! link, status) that is a 4xx or 5xx the access matrix does not expect, and each answer
//! that shows something of a partnership or side the role may not see.

use std::collections::{BTreeMap, HashSet, VecDeque};

use reqwest::Client;
use tandem::web::routes::{table, Route, Verb};

use crate::both_backends;
use crate::site::{content_type, expected, parse_markup, Answer, Who, World};

/// At most this many answers per role: the demo has fewer, so reaching it is a failure
/// (a link that keeps making new URLs).
const MAX_PAGES: usize = 400;

/// The route of the table that `path` (no query) matches for `verb`, if any.
fn route_of(routes: &[Route], verb: Verb, path: &str) -> Option<Route> {
    let segments: Vec<&str> = path.split('/').collect();
    routes
        .iter()
        .find(|r| {
            let pattern: Vec<&str> = r.path.split('/').collect();
            r.verb == verb
                && pattern.len() == segments.len()
                && pattern
                    .iter()
                    .zip(&segments)
                    .all(|(p, s)| segment_matches(p, s))
        })
        .copied()
}

/// `{name}` matches any non-empty segment, `{name}.svg` one ending in `.svg`.
fn segment_matches(pattern: &str, segment: &str) -> bool {
    match pattern.find('{') {
        None => pattern == segment,
        Some(open) => {
            let close = pattern.find('}').unwrap();
            let (prefix, suffix) = (&pattern[..open], &pattern[close + 1..]);
            segment.len() > prefix.len() + suffix.len()
                && segment.starts_with(prefix)
                && segment.ends_with(suffix)
        }
    }
}

/// Which partnership a URL is about: `/partnerships/{id}…`, or a flag's.
fn partnership_of(world: &World, flags: &BTreeMap<i64, i64>, path: &str) -> Option<i64> {
    let mut parts = path.trim_start_matches("/api").split('/').skip(1);
    match (
        parts.next(),
        parts.next().and_then(|id| id.parse::<i64>().ok()),
    ) {
        (Some("partnerships"), Some(id)) => Some(id),
        (Some("flags"), Some(id)) => flags.get(&id).copied().or(Some(world.b)),
        _ => None,
    }
}

/// What the matrix expects `who` to get from `route` about partnership `about` (A's
/// answers are the matrix's; B is A seen from the other side).
fn expected_for(world: &World, route: &Route, who: Who, about: Option<i64>) -> Answer {
    if about != Some(world.b) {
        return expected(route, who, true);
    }
    let mirrored = match who {
        Who::ManagerB => Who::ManagerA,
        Who::ManagerA | Who::CustomerManagerA => Who::ManagerB,
        // An ombudsman of A on B's flags: outside the scope.
        Who::OmbudsmanA => return Answer::NotFound,
        other => other,
    };
    expected(route, mirrored, true)
}

/// A same-site link as a path with its query, or `None` for another site, a fragment, a
/// `mailto:`…
fn same_site(base: &str, from: &str, link: &str) -> Option<String> {
    let link = link.split('#').next().unwrap_or("").trim();
    if link.is_empty() {
        return None;
    }
    let absolute = if let Some(rest) = link.strip_prefix(base) {
        if rest.is_empty() {
            "/".to_owned()
        } else {
            rest.to_owned()
        }
    } else if link.starts_with("//") || link.contains(':') {
        return None;
    } else if link.starts_with('/') {
        link.to_owned()
    } else if link.starts_with('?') {
        format!("{}{link}", from.split('?').next().unwrap())
    } else {
        let dir = &from[..from.rfind('/').map_or(1, |i| i + 1)];
        format!("{dir}{link}")
    };
    absolute.starts_with('/').then_some(absolute)
}

/// One thing a page points at.
struct Link {
    verb: Verb,
    url: String,
}

/// Every link, image, stylesheet and form target of a page; GET forms with the values
/// their fields start with.
fn links_of(base: &str, from: &str, html: &str) -> Vec<Link> {
    let (_, tags) = parse_markup(html);
    let mut out = Vec::new();
    // The form being read: its method, target and fields so far.
    type Form = (Verb, String, Vec<(String, String)>);
    let mut form: Option<Form> = None;
    let mut in_select: Option<(String, bool)> = None;
    for tag in &tags {
        let attr = |n: &str| tag.attribute(n).map(str::to_owned);
        match tag.name.as_str() {
            "a" | "link" => {
                if let Some(url) = attr("href").and_then(|h| same_site(base, from, &h)) {
                    out.push(Link {
                        verb: Verb::Get,
                        url,
                    });
                }
            }
            "img" | "script" => {
                if let Some(url) = attr("src").and_then(|h| same_site(base, from, &h)) {
                    out.push(Link {
                        verb: Verb::Get,
                        url,
                    });
                }
            }
            "form" => {
                let verb = match attr("method").unwrap_or_default().to_lowercase().as_str() {
                    "post" => Verb::Post,
                    _ => Verb::Get,
                };
                let action = attr("action").unwrap_or_else(|| from.to_owned());
                form = same_site(base, from, &action).map(|url| (verb, url, Vec::new()));
            }
            "input" => {
                let kind = attr("type").unwrap_or_default();
                if let (Some((_, _, fields)), Some(name)) = (&mut form, attr("name")) {
                    let checkable = kind == "checkbox" || kind == "radio";
                    if kind != "submit" && (!checkable || tag.attribute("checked").is_some()) {
                        fields.push((name, attr("value").unwrap_or_default()));
                    }
                }
            }
            "select" => in_select = attr("name").map(|n| (n, false)),
            "option" => {
                if let (Some((name, taken)), Some((_, _, fields))) = (&mut in_select, &mut form) {
                    let value = attr("value").unwrap_or_default();
                    if !*taken {
                        fields.push((name.clone(), value));
                        *taken = true;
                    } else if tag.attribute("selected").is_some() {
                        if let Some(f) = fields.iter_mut().rev().find(|(n, _)| n == name) {
                            f.1 = value;
                        }
                    }
                }
            }
            "/select" => in_select = None,
            "/form" => {
                if let Some((verb, url, fields)) = form.take() {
                    let url = if verb == Verb::Get && !fields.is_empty() {
                        let query: String = url::form_urlencoded::Serializer::new(String::new())
                            .extend_pairs(&fields)
                            .finish();
                        format!("{}?{query}", url.split('?').next().unwrap())
                    } else {
                        url
                    };
                    out.push(Link { verb, url });
                }
            }
            _ => {}
        }
    }
    out
}

/// A browser signed in through the sign-in form (cookies kept, redirects not followed).
async fn sign_in(world: &World, email: &str) -> Client {
    let client = crate::helpers::browser();
    let r = crate::helpers::sign_in(&world.app, &client, email, crate::helpers::PASSWORD).await;
    assert_eq!(r.status(), 303, "{email} signs in");
    client
}

/// Crawls as `who`; returns the failures and how many answers were read.
async fn crawl(
    world: &World,
    routes: &[Route],
    flags: &BTreeMap<i64, i64>,
    who: Who,
) -> (Vec<String>, usize) {
    let (client, start) = match who {
        Who::Respondent => (
            crate::helpers::browser(),
            format!("/s/{}", world.link_token),
        ),
        _ => (
            sign_in(world, world.person(who).email.as_deref().unwrap()).await,
            "/".to_owned(),
        ),
    };
    let mut failures = Vec::new();
    let mut seen: HashSet<String> = HashSet::from([start.clone()]);
    let mut queue = VecDeque::from([("(start)".to_owned(), start)]);
    let mut read = 0;
    while let Some((from, url)) = queue.pop_front() {
        if read == MAX_PAGES {
            failures.push(format!("{who:?}: more than {MAX_PAGES} pages"));
            break;
        }
        read += 1;
        let path = url.split('?').next().unwrap();
        let route = route_of(routes, Verb::Get, path);
        let r = client.get(world.app.url(&url)).send().await.unwrap();
        let status = r.status().as_u16();
        let answer = Answer::of(&r);
        let location = r
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned);
        let kind = content_type(&r);
        let body = r.text().await.unwrap_or_default();
        if status >= 400 {
            let allowed = route.is_some_and(|route| {
                answer != Answer::Allowed
                    && expected_for(world, &route, who, partnership_of(world, flags, path))
                        == answer
            });
            if !allowed {
                failures.push(format!("{who:?} on {from}: GET {url} answered {status}"));
            }
        }
        for leak in world.leaks(who, &url, &kind, &body) {
            failures.push(format!("{who:?} on {from}: GET {url} shows {leak}"));
        }
        let mut next = Vec::new();
        if let Some(to) = location.and_then(|l| same_site(&world.app.address, &url, &l)) {
            next.push(Link {
                verb: Verb::Get,
                url: to,
            });
        }
        if kind.contains("html") {
            next.extend(links_of(&world.app.address, &url, &body));
        }
        for link in next {
            let link_path = link.url.split('?').next().unwrap();
            if link.verb == Verb::Post {
                // Not sent (it would change things), but it must be a route.
                if route_of(routes, Verb::Post, link_path).is_none() {
                    failures.push(format!(
                        "{who:?} on {url}: form to POST {} (no route)",
                        link.url
                    ));
                }
                continue;
            }
            if link_path == "/logout" {
                continue;
            }
            if seen.insert(link.url.clone()) {
                queue.push_back((url.clone(), link.url));
            }
        }
    }
    (failures, read)
}

both_backends!(
    every_link_of_every_page_answers_as_the_matrix_expects,
    |app| {
        let started = std::time::Instant::now();
        let world = World::new(app).await;
        world.set_passwords().await;
        let flags: BTreeMap<i64, i64> = {
            use diesel::prelude::*;
            use tandem::db::schema::flags;
            let mut conn = world.app.db.pool().get().unwrap();
            flags::table
                .select((flags::id, flags::partnership_id))
                .load(&mut conn)
                .unwrap()
                .into_iter()
                .collect()
        };
        let routes = table();
        let mut failures = Vec::new();
        let mut counts = Vec::new();
        for who in [
            Who::Respondent,
            Who::ManagerA,
            Who::ManagerB,
            Who::CustomerManagerA,
            Who::OmbudsmanA,
            Who::Admin,
        ] {
            let (found, read) = crawl(&world, &routes, &flags, who).await;
            failures.extend(found);
            counts.push(format!("{who:?} {read}"));
        }
        println!(
            "crawled (answers per role): {} in {:.1} s",
            counts.join(", "),
            started.elapsed().as_secs_f64()
        );
        assert!(
            failures.is_empty(),
            "{} unexpected answers:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
);
