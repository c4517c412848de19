//! The access matrix, generated from the route table (`tandem::web::routes::table`): every
//! route with its method, asked by every identity of [`Who`] — and every route that changes
//! something asked with and without the CSRF token — must get the answer [`expected`]
//! writes for it once per rule, and no answer may carry anything of a partnership (or a
//! side) the identity may not see. API routes are asked a third time with each user's
//! personal API token, which must answer as the session does. The test fails listing every
//! cell that differs, and prints how many cells expect each answer (docs/access.md).

use std::collections::BTreeMap;

use reqwest::header::COOKIE;
use reqwest::{Client, Method};
use tandem::web::routes::{table, Audience, Route, Verb};

use crate::both_backends;
use crate::site::{content_type, expected, Answer, Who, World, EVERYONE, MADE_UP_TOKEN};

/// The concrete URL of `route` for `who`: partnership A, A's flag and action, a fresh goal
/// of A, the caller's own fresh token, the respondent's link (a made-up one for everyone
/// else).
pub(crate) async fn url_for(world: &World, route: &Route, who: Who) -> String {
    let path = route.path;
    let mut url = path.to_owned();
    if url.contains("{id}") {
        let id = if path.starts_with("/flags/") || path.starts_with("/api/flags/") {
            world.flag
        } else if path.starts_with("/account/tokens/") {
            match world
                .fresh_token(who, &format!("revoke-{path}-{who:?}"))
                .await
            {
                Some((id, _)) => id,
                None => 1,
            }
        } else {
            world.a
        };
        url = url.replace("{id}", &id.to_string());
    }
    if url.contains("{goal}") {
        url = url.replace("{goal}", &world.fresh_goal().await.to_string());
    }
    let token = if who == Who::Respondent && !path.starts_with("/set-password/") {
        world.link_token.as_str()
    } else {
        MADE_UP_TOKEN
    };
    url = url
        .replace("{action}", &world.action.to_string())
        .replace("{objective}", &world.objective.to_string())
        .replace("{milestone}", &world.milestone.to_string())
        .replace("{item}", "trust")
        // the demo's second survey series of its first partnership
        .replace("{key}", "practices")
        .replace("{name}", "trend-trust")
        .replace("{token}", token);
    if path.ends_with("/lead-lag") {
        url.push_str("?kpi=on_time_delivery_pct");
    }
    url
}

/// The pre-session form cookie and its CSRF token, from the sign-in page.
async fn form_cookie(world: &World, client: &Client) -> (String, String) {
    let r = client.get(world.app.url("/login")).send().await.unwrap();
    let cookie = r
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tandem_form="))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .expect("the sign-in page sets the form cookie");
    let csrf = crate::common::csrf_of(&r.text().await.unwrap());
    (cookie, csrf)
}

/// Sends one cell's request; returns its answer, content type and body.
async fn ask(
    world: &World,
    client: &Client,
    route: &Route,
    who: Who,
    csrf: bool,
) -> (Answer, String, String, String) {
    let url = url_for(world, route, who).await;
    let writes = route.verb != Verb::Get;
    // Writes use a session of their own, so signing out ends no other cell's.
    let session = if writes {
        world.fresh_session(who).await
    } else {
        world.person(who).session.clone()
    };
    let mut cookies: Vec<String> = session
        .iter()
        .map(|s| format!("{}={s}", tandem::auth::sessions::COOKIE))
        .collect();
    let mut token = session
        .as_deref()
        .map(tandem::auth::sessions::csrf_token)
        .unwrap_or_default();
    let pre_session = route.path == "/login" || route.path.starts_with("/set-password/");
    if pre_session && writes && csrf {
        let (cookie, form_token) = form_cookie(world, client).await;
        cookies.push(cookie);
        token = form_token;
    }
    let mut request = client
        .request(
            Method::from_bytes(route.verb.as_str().as_bytes()).unwrap(),
            world.app.url(&url),
        )
        .header(COOKIE, cookies.join("; "));
    if writes {
        // A body that reads, so what decides is who asks: the answers' form and JSON with
        // nothing answered, a note, partnership A for a new flag, an email to sign in with.
        let email = world
            .person(who)
            .email
            .clone()
            .unwrap_or_else(|| format!("{who:?}@nobody.example"));
        let partnership = world.a.to_string();
        let mut form = vec![
            ("note", "seen"),
            ("partnership", partnership.as_str()),
            ("title", "Matrix"),
        ];
        if route.path == "/login" {
            form = vec![("email", email.as_str()), ("password", "not the password")];
        }
        if csrf {
            form.push(("csrf", token.as_str()));
        }
        if csrf && route.audience == Audience::Api {
            request = request.header("X-CSRF-Token", &token);
        }
        request = match route.audience {
            Audience::Respondent => request
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(""),
            Audience::Api if route.path == "/api/responses/{token}" => {
                request.json(&serde_json::json!({"answers": {}}))
            }
            Audience::Api => request.json(&serde_json::json!({})),
            _ => request.form(&form),
        };
    }
    let r = request.send().await.unwrap();
    let answer = Answer::of(&r);
    let kind = content_type(&r);
    let body = r.text().await.unwrap_or_default();
    (answer, kind, body, url)
}

/// Asks one API route with `who`'s personal token (no cookie, no CSRF header).
async fn ask_with_token(
    world: &World,
    client: &Client,
    route: &Route,
    who: Who,
    secret: &str,
) -> (Answer, String) {
    let url = url_for(world, route, who).await;
    let mut request = client
        .request(
            Method::from_bytes(route.verb.as_str().as_bytes()).unwrap(),
            world.app.url(&url),
        )
        .bearer_auth(secret);
    if route.verb != Verb::Get {
        request = request.json(&serde_json::json!({}));
    }
    // (the same body as the session's request, so both answer alike)
    let r = request.send().await.unwrap();
    let answer = Answer::of(&r);
    (answer, r.text().await.unwrap_or_default())
}

both_backends!(every_route_answers_every_identity_as_the_rules_say, |app| {
    let started = std::time::Instant::now();
    let world = World::new(app).await;
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Personal tokens of everyone with an account (the disabled user's must not work;
    // the expired session's user has a working one, like the manager of A).
    let tokens: Vec<(Who, String)> = world
        .people
        .iter()
        .filter(|p| p.who != Who::Expired)
        .filter_map(|p| Some((p.who, p.token.clone()?)))
        .collect();
    // Reading first: writes (goals, flag steps, sign-out) may change what is read.
    let mut routes = table();
    routes.sort_by_key(|r| r.verb != Verb::Get);
    assert!(routes.len() > 60, "the route table lists every route");

    let mut cells: BTreeMap<Answer, usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    for route in &routes {
        let writes = route.verb != Verb::Get;
        let variants: &[bool] = if writes { &[true, false] } else { &[true] };
        let mut session_bodies: BTreeMap<Who, String> = BTreeMap::new();
        for &csrf in variants {
            for who in EVERYONE {
                let want = expected(route, who, csrf);
                *cells.entry(want).or_default() += 1;
                let (got, kind, body, url) = ask(&world, &client, route, who, csrf).await;
                let label = format!(
                    "{who:?} {} {url}{}",
                    route.verb.as_str(),
                    if writes && !csrf { " (no CSRF)" } else { "" }
                );
                if got != want {
                    let excerpt: String = body.chars().take(90).collect();
                    wrong.push(format!("{label}: {got:?}, expected {want:?} — {excerpt}"));
                }
                for leak in world.leaks(who, &url, &kind, &body) {
                    wrong.push(format!("{label}: leaks {leak}"));
                }
                if !writes {
                    session_bodies.insert(who, body);
                }
            }
        }
        if route.audience != Audience::Api || route.path == "/api/responses/{token}" {
            continue;
        }
        for (who, secret) in &tokens {
            let want = if *who == Who::Disabled {
                Answer::SignIn
            } else {
                expected(route, *who, true)
            };
            *cells.entry(want).or_default() += 1;
            let (got, body) = ask_with_token(&world, &client, route, *who, secret).await;
            if got != want {
                wrong.push(format!(
                    "{who:?}'s token {} {}: {got:?}, expected {want:?}",
                    route.verb.as_str(),
                    route.path
                ));
            }
            // (the disabled user's two refusals are worded for their credential)
            if *who != Who::Disabled && session_bodies.get(who).is_some_and(|b| *b != body) {
                wrong.push(format!(
                    "{who:?}'s token GET {}: another answer than the session's",
                    route.path
                ));
            }
            for leak in world.leaks(*who, route.path, "application/json", &body) {
                wrong.push(format!(
                    "{who:?}'s token {} {}: leaks {leak}",
                    route.verb.as_str(),
                    route.path
                ));
            }
        }
    }
    let total: usize = cells.values().sum();
    println!(
        "access matrix: {} routes, {total} cells in {:.1} s",
        routes.len(),
        started.elapsed().as_secs_f64()
    );
    for (answer, n) in &cells {
        println!("  {answer:?}: {n}");
    }
    assert!(
        wrong.is_empty(),
        "{} of {total} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
});
