//! The world of the access matrix and the crawler: the demo's two partnerships (A, B), one
//! person per identity, the answer each identity should get from each route (written once,
//! per rule), and the leak check that reads an answer's text — HTML, SVG, JSON or CSV
//! parsed into words and numbers — for what the identity may not see.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::Response;
use tandem::auth::Role;
use tandem::domain::Side;
use tandem::web::routes::{Audience, Route, Verb};

pub use crate::common::markup::parse_markup;
use crate::common::TestApp;

/// Who asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Who {
    Anonymous,
    /// Holds a personal survey link of A's open wave, and no session.
    Respondent,
    ManagerA,
    ManagerB,
    /// A manager of A's customer side only.
    CustomerManagerA,
    OmbudsmanA,
    Admin,
    /// A manager of A whose account was disabled after signing in.
    Disabled,
    /// A manager of A whose session has run out.
    Expired,
}

pub const EVERYONE: [Who; 9] = [
    Who::Anonymous,
    Who::Respondent,
    Who::ManagerA,
    Who::ManagerB,
    Who::CustomerManagerA,
    Who::OmbudsmanA,
    Who::Admin,
    Who::Disabled,
    Who::Expired,
];

/// The answer to one request, as access control sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Answer {
    /// Past access control: whatever the route then answers (2xx, a redirect other than to
    /// sign in, or a 400/409/410/415/422 about the request itself).
    Allowed,
    /// 404: outside the caller's scope, or no such thing.
    NotFound,
    /// 403: the role may not, or the CSRF token is missing.
    Forbidden,
    /// Not signed in: 401 (API) or 303 to `/login?next=…` (pages).
    SignIn,
    /// Anything else (5xx, 405…): never expected.
    Broken(u16),
}

impl Answer {
    pub fn of(r: &Response) -> Answer {
        let status = r.status().as_u16();
        match status {
            401 => Answer::SignIn,
            303 | 302 | 307
                if r.headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .is_some_and(|l| l.starts_with("/login?")) =>
            {
                Answer::SignIn
            }
            403 => Answer::Forbidden,
            404 => Answer::NotFound,
            200..=399 | 400 | 409 | 410 | 415 | 422 => Answer::Allowed,
            other => Answer::Broken(other),
        }
    }
}

/// What partnership an identity may see, for the leak check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sight {
    Nothing,
    OnlyA,
    OnlyACustomerSide,
    OnlyB,
    All,
}

impl Who {
    fn sight(self) -> Sight {
        match self {
            Who::Admin => Sight::All,
            Who::ManagerA | Who::OmbudsmanA => Sight::OnlyA,
            // A respondent sees the names of A's firms in their questions, nothing of B.
            Who::Respondent => Sight::OnlyA,
            Who::CustomerManagerA => Sight::OnlyACustomerSide,
            Who::ManagerB => Sight::OnlyB,
            Who::Anonymous | Who::Disabled | Who::Expired => Sight::Nothing,
        }
    }

    /// Signed in with a session that works.
    fn signed_in(self) -> bool {
        matches!(
            self,
            Who::ManagerA | Who::ManagerB | Who::CustomerManagerA | Who::OmbudsmanA | Who::Admin
        )
    }
}

/// The answer `who` must get from `route` (asked about partnership A, its flag and goal, the
/// caller's own token), with or without the CSRF token. Every rule of `docs/access.md` is
/// here once.
pub fn expected(route: &Route, who: Who, csrf: bool) -> Answer {
    use Answer::*;
    let path = route.path;
    let writes = route.verb != Verb::Get;
    match route.audience {
        // The metrics answer the admin bearer token only (no session, no personal token),
        // unless the operator opened them.
        _ if path == "/metrics" => SignIn,
        Audience::Public => Allowed,
        // The link is the credential: without it (a made-up one) there is no survey.
        Audience::Respondent => {
            if who == Who::Respondent {
                Allowed
            } else {
                NotFound
            }
        }
        _ if path == "/api/responses/{token}" => {
            if who == Who::Respondent {
                Allowed
            } else {
                NotFound
            }
        }
        // Forms shown before any session exists: their own double-submit CSRF check.
        _ if path == "/login" => {
            if writes && !csrf {
                Forbidden
            } else {
                Allowed
            }
        }
        // A made-up set-password link is no link, whoever follows it.
        _ if path.starts_with("/set-password/") => {
            if writes && !csrf {
                Forbidden
            } else {
                NotFound
            }
        }
        _ if !who.signed_in() => SignIn,
        _ => {
            let answer = match route.audience {
                Audience::Api => api_rule(path, route.verb, who),
                _ => page_rule(path, route.verb, who),
            };
            // Outside the scope a partnership does not exist, CSRF token or not; anything
            // else that writes checks the token before it does anything.
            if writes && !csrf && answer != NotFound {
                Forbidden
            } else {
                answer
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Reading what the caller sees (report, goals, portfolio).
    Read,
    /// Setting goals: managers on what they see, not the ombudsman.
    Goals,
    /// Changing the plan: administrators and managers of both firms.
    PlanEdit,
    /// Marking a milestone done: also a one-side manager, on their firm's milestone (the
    /// one asked about is owned by A's customer firm).
    PlanMark,
    /// Flags: ombudsmen in scope.
    Flags,
    /// Administration.
    AdminOnly,
}

fn partnership_rule(kind: Kind, who: Who) -> Answer {
    use Answer::*;
    match (who, kind) {
        (Who::Admin, _) => Allowed,
        // Outside the scope: the words of a missing partnership, before the role.
        (Who::ManagerB, _) => NotFound,
        (_, Kind::Read) => Allowed,
        (Who::ManagerA | Who::CustomerManagerA, Kind::Goals | Kind::PlanMark) => Allowed,
        (Who::ManagerA, Kind::PlanEdit) => Allowed,
        (Who::OmbudsmanA, Kind::Flags) => Allowed,
        _ => Forbidden,
    }
}

/// Routes not about one partnership: by role only.
fn role_rule(kind: Kind, who: Who) -> Answer {
    use Answer::*;
    match (who, kind) {
        (Who::Admin, _) | (_, Kind::Read) => Allowed,
        (Who::OmbudsmanA, Kind::Flags) => Allowed,
        _ => Forbidden,
    }
}

/// `/flags/{id}…` (a flag of A): the role first, then the scope.
fn flag_rule(who: Who) -> Answer {
    match who {
        Who::Admin | Who::OmbudsmanA => Answer::Allowed,
        _ => Answer::Forbidden,
    }
}

fn api_rule(path: &str, verb: Verb, who: Who) -> Answer {
    let rest = path.trim_start_matches("/api");
    if rest.starts_with("/flags/") {
        return flag_rule(who);
    }
    if let Some(tail) = rest.strip_prefix("/partnerships/{id}") {
        let kind = match (tail, verb) {
            ("/report", Verb::Get) | ("/goals", Verb::Get) => Kind::Read,
            ("/goals", _) | ("/goals/{goal}", _) => Kind::Goals,
            ("/plan", Verb::Get) => Kind::Read,
            ("/plan/milestones/{milestone}/done", _) => Kind::PlanMark,
            (t, _) if t.starts_with("/plan") => Kind::PlanEdit,
            ("/flags", _) => Kind::Flags,
            _ => Kind::AdminOnly,
        };
        return partnership_rule(kind, who);
    }
    // Everything else is for administrators, e.g. the bounce webhook `POST /api/bounces`
    // (a relay's or mail service's report goes in with the admin token or an
    // administrator's personal token); `/partnerships/{id}/people` is AdminOnly above.
    let kind = match rest {
        "/portfolio" => Kind::Read,
        "/portfolio/lead-lag" | "/flags" => Kind::Flags,
        _ => Kind::AdminOnly,
    };
    role_rule(kind, who)
}

fn page_rule(path: &str, verb: Verb, who: Who) -> Answer {
    if path.starts_with("/flags/{id}") {
        return flag_rule(who);
    }
    if let Some(tail) = path.strip_prefix("/partnerships/{id}") {
        let kind = if tail == "/plan/milestones/{milestone}/done" {
            Kind::PlanMark
        } else if tail.starts_with("/plan") && (tail != "/plan" || verb == Verb::Post) {
            Kind::PlanEdit
        } else if tail.starts_with("/goals") && (tail != "/goals" || verb == Verb::Post) {
            Kind::Goals
        } else {
            Kind::Read
        };
        return partnership_rule(kind, who);
    }
    let kind = match path {
        "/flags" | "/flags/new" | "/portfolio/lead-lag" => Kind::Flags,
        _ if path.starts_with("/admin/") => Kind::AdminOnly,
        _ => Kind::Read,
    };
    role_rule(kind, who)
}

/// The demo's first objective of `a` and its first milestone, read through the API.
async fn first_milestone(app: &TestApp, a: i64) -> (i64, i64) {
    let plan: serde_json::Value = app
        .get(&format!("/api/partnerships/{a}/plan"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let o = &plan[0];
    let m = o["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["owner"]["side"] == "customer")
        .expect("the demo's first objective has a milestone of the customer firm");
    (o["id"].as_i64().unwrap(), m["id"].as_i64().unwrap())
}

/// One identity: its session cookie (if any) and its personal API token (if any).
pub struct Person {
    pub who: Who,
    pub email: Option<String>,
    pub user_id: Option<i64>,
    pub session: Option<String>,
    /// A personal API token made before the account was disabled.
    pub token: Option<String>,
}

/// The demo on a test app, with one person per identity.
pub struct World {
    pub app: TestApp,
    pub a: i64,
    pub b: i64,
    pub flag: i64,
    pub action: i64,
    /// The demo's first objective of A and its first milestone (owned by A's customer firm).
    pub objective: i64,
    pub milestone: i64,
    pub link_token: String,
    pub people: Vec<Person>,
    pub secrets: Secrets,
}

/// What the leak check looks for, as parsed words and numbers.
pub struct Secrets {
    /// Words of each partnership's name and firms that the other's do not share.
    names_a: BTreeSet<String>,
    names_b: BTreeSet<String>,
    /// Comments (as word sequences) per partnership and side.
    comments_a_supplier: Vec<Vec<String>>,
    comments_a: Vec<Vec<String>>,
    comments_b: Vec<Vec<String>>,
    /// Means (two decimals) that one partnership's report publishes and the other's never shows.
    means_a_only: BTreeSet<String>,
    means_b_only: BTreeSet<String>,
    /// The groups both reports withhold (JSON objects and CSV rows, by their identity):
    /// nobody, an administrator included, may get their figures.
    withheld_json: HashSet<(i64, Vec<String>)>,
    withheld_csv: HashSet<(i64, Vec<String>)>,
}

pub const MADE_UP_TOKEN: &str = "madeUpLinkToken0123456789abcdefABCDEF";

impl World {
    pub async fn new(app: TestApp) -> World {
        let pool = app.db.pool();
        let links = tandem::mail::Links {
            base_url: app.address.clone(),
        };
        let (a, b) = tokio::task::spawn_blocking(move || {
            let catalog = tandem::survey_templates::Catalog::load(None).unwrap();
            let mut conn = pool.get().unwrap();
            let demo = tandem::services::demo::seed(&mut conn, &catalog, &links).unwrap();
            (demo.created[0].0, demo.created[1].0)
        })
        .await
        .unwrap();
        let flag = first_flag(&app, a);
        let mut people = Vec::new();
        type Scopes = Vec<(i64, Option<Side>)>;
        let specs: [(Who, Role, Scopes); 7] = [
            (Who::ManagerA, Role::Manager, vec![(a, None)]),
            (Who::ManagerB, Role::Manager, vec![(b, None)]),
            (
                Who::CustomerManagerA,
                Role::Manager,
                vec![(a, Some(Side::Customer))],
            ),
            (Who::OmbudsmanA, Role::Ombudsman, vec![(a, None)]),
            (Who::Admin, Role::Admin, vec![]),
            (Who::Disabled, Role::Manager, vec![(a, None)]),
            (Who::Expired, Role::Manager, vec![(a, None)]),
        ];
        people.push(Person {
            who: Who::Anonymous,
            email: None,
            user_id: None,
            session: None,
            token: None,
        });
        people.push(Person {
            who: Who::Respondent,
            email: None,
            user_id: None,
            session: None,
            token: None,
        });
        for (who, role, scopes) in specs {
            let email = format!("{who:?}@matrix.example").to_lowercase();
            let pool = app.db.pool();
            let e = email.clone();
            let (user_id, session, token) = tokio::task::spawn_blocking(move || {
                use diesel::prelude::*;
                use tandem::db::schema::users;
                let mut conn = pool.get().unwrap();
                let parsed = tandem::domain::Email::parse(&e).unwrap();
                let user =
                    tandem::auth::create_user(&mut conn, &parsed, role, scopes, false).unwrap();
                let started = match who {
                    Who::Expired => tandem::db::now() - chrono::TimeDelta::days(8),
                    _ => tandem::db::now(),
                };
                let session = tandem::auth::sessions::start(&mut conn, user.id, started).unwrap();
                let token = tandem::services::api_tokens::create_for_email(
                    &mut conn,
                    &e,
                    &tandem::services::api_tokens::TokenRequest {
                        name: "matrix".into(),
                        expires_on: String::new(),
                    },
                    tandem::db::now(),
                )
                .unwrap()
                .secret;
                if who == Who::Disabled {
                    diesel::update(users::table.find(user.id))
                        .set(users::disabled.eq(true))
                        .execute(&mut conn)
                        .unwrap();
                }
                (user.id, session, token)
            })
            .await
            .unwrap();
            people.push(Person {
                who,
                email: Some(email),
                user_id: Some(user_id),
                session: Some(session),
                token: Some(token),
            });
        }
        let admin = people.iter().find(|p| p.who == Who::Admin).unwrap();
        let action = add_action(&app, admin, flag).await;
        let link_token = link_token(&app, a);
        let secrets = Secrets::gather(&app, a, b).await;
        let (objective, milestone) = first_milestone(&app, a).await;
        World {
            app,
            a,
            b,
            flag,
            action,
            objective,
            milestone,
            link_token,
            people,
            secrets,
        }
    }

    /// Gives every account [`crate::helpers::PASSWORD`], to sign in through the form.
    pub async fn set_passwords(&self) {
        let ids: Vec<i64> = self.people.iter().filter_map(|p| p.user_id).collect();
        let pool = self.app.db.pool();
        tokio::task::spawn_blocking(move || {
            let password =
                tandem::auth::passwords::Password::parse(crate::helpers::PASSWORD).unwrap();
            let hash = tandem::auth::passwords::hash(&password).unwrap();
            let mut conn = pool.get().unwrap();
            for id in ids {
                tandem::auth::users::set_password_hash(&mut conn, id, &hash).unwrap();
            }
        })
        .await
        .unwrap();
    }

    pub fn person(&self, who: Who) -> &Person {
        self.people.iter().find(|p| p.who == who).unwrap()
    }

    /// A fresh session of `who`'s user (for requests that may end theirs, such as sign-out).
    pub async fn fresh_session(&self, who: Who) -> Option<String> {
        let person = self.person(who);
        let user = person.user_id?;
        let pool = self.app.db.pool();
        let started = if who == Who::Expired {
            tandem::db::now() - chrono::TimeDelta::days(8)
        } else {
            tandem::db::now()
        };
        Some(
            tokio::task::spawn_blocking(move || {
                let mut conn = pool.get().unwrap();
                tandem::auth::sessions::start(&mut conn, user, started).unwrap()
            })
            .await
            .unwrap(),
        )
    }

    /// A goal of A, made now by the administrator (so each request that deletes one has its
    /// own).
    pub async fn fresh_goal(&self) -> i64 {
        let due = (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(200)).to_string();
        let r = self
            .app
            .post(&format!("/api/partnerships/{}/goals", self.a))
            .json(
                &serde_json::json!({"metric": "mean:customer:trust", "target": 3.9, "due_on": due}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        r.json::<serde_json::Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap()
    }

    /// A personal API token of `who`'s user: (id, secret).
    pub async fn fresh_token(&self, who: Who, name: &str) -> Option<(i64, String)> {
        let email = self.person(who).email.clone()?;
        let pool = self.app.db.pool();
        let name = name.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().unwrap();
            let made = tandem::services::api_tokens::create_for_email(
                &mut conn,
                &email,
                &tandem::services::api_tokens::TokenRequest {
                    name,
                    expires_on: String::new(),
                },
                tandem::db::now(),
            )
            .ok()?;
            Some((made.token.id, made.secret))
        })
        .await
        .unwrap()
    }

    /// Leaks in an answer `who` got: the other partnership's names, comments and means, and
    /// for the customer-side manager A's supplier comments. Empty when none.
    pub fn leaks(&self, who: Who, url: &str, content_type: &str, body: &str) -> Vec<String> {
        let words = words_of(content_type, body);
        let s = &self.secrets;
        let mut found = Vec::new();
        let mut look = |names: &BTreeSet<String>,
                        comments: &[Vec<String>],
                        means: &BTreeSet<String>,
                        whose: &str| {
            let present: HashSet<&str> = words.iter().map(String::as_str).collect();
            for n in names.iter().filter(|n| present.contains(n.as_str())) {
                found.push(format!("{whose}'s name {n:?}"));
            }
            for m in means.iter().filter(|m| present.contains(m.as_str())) {
                let at = words.iter().position(|w| w == m).unwrap_or(0);
                let around = words[at.saturating_sub(6)..(at + 3).min(words.len())].join(" ");
                found.push(format!("{whose}'s mean {m} (in \"{around}\")"));
            }
            for c in comments.iter().filter(|c| contains_run(&words, c)) {
                found.push(format!("{whose}'s comment {:?}", c.join(" ")));
            }
        };
        match who.sight() {
            Sight::All => {}
            Sight::OnlyA => look(&s.names_b, &s.comments_b, &s.means_b_only, "B"),
            Sight::OnlyACustomerSide => {
                look(&s.names_b, &s.comments_b, &s.means_b_only, "B");
                look(
                    &BTreeSet::new(),
                    &s.comments_a_supplier,
                    &BTreeSet::new(),
                    "A's supplier",
                );
            }
            Sight::OnlyB => look(&s.names_a, &s.comments_a, &s.means_a_only, "A"),
            Sight::Nothing => {
                look(&s.names_a, &s.comments_a, &s.means_a_only, "A");
                look(&s.names_b, &s.comments_b, &s.means_b_only, "B");
            }
        }
        found.extend(self.withheld_shown(url, content_type, body));
        found
    }
}

impl World {
    /// Figures of a withheld group in a JSON or CSV answer: a group the reports withhold
    /// shown with its numbers, or a withheld record that carries any number but its wave.
    fn withheld_shown(&self, url: &str, content_type: &str, body: &str) -> Vec<String> {
        let mut found = Vec::new();
        // The partnership the answer is about: the report says, or else its URL.
        let mut about = url
            .trim_start_matches("/api")
            .strip_prefix("/partnerships/")
            .and_then(|rest| rest.split(['/', '?']).next())
            .and_then(|id| id.parse::<i64>().ok());
        if content_type.contains("json") {
            if let Ok(json) = serde_json::from_str::<serde_json::Value>(body) {
                about = json["partnership"]["id"].as_i64().or(about);
                let Some(id) = about else { return found };
                withheld_groups(&json, "", &mut |key, withheld, numbers| {
                    if withheld && numbers {
                        found.push(format!("figures of withheld group {}", key.join(" ")));
                    } else if !withheld && self.secrets.withheld_json.contains(&(id, key.clone())) {
                        found.push(format!("withheld group {} shown", key.join(" ")));
                    }
                });
            }
        } else if content_type.contains("csv") {
            let Some(id) = about else { return found };
            for (key, statistic) in csv_rows(body) {
                if statistic != "suppressed"
                    && self.secrets.withheld_csv.contains(&(id, key.clone()))
                {
                    found.push(format!(
                        "withheld group {} shows {statistic}",
                        key.join(" ")
                    ));
                }
            }
        }
        found
    }
}

/// Calls `each(identity, withheld, has numbers)` for every group record of a report (an
/// object with a `suppressed` field): its identity is its wave, side, segment and every
/// other text field (item, dimension…), and where it is in the document.
fn withheld_groups(
    v: &serde_json::Value,
    path: &str,
    each: &mut dyn FnMut(Vec<String>, bool, bool),
) {
    match v {
        serde_json::Value::Object(map) => {
            // A part of a record (such as a dimension's `pairwise` agreement) has a
            // `suppressed` of its own but no wave: its record is checked as a whole.
            if let Some(suppressed) = map.get("suppressed").filter(|_| map.contains_key("wave")) {
                let mut key: Vec<String> = map
                    .iter()
                    .filter(|(k, _)| k.as_str() != "suppressed")
                    .filter_map(|(k, v)| match v {
                        serde_json::Value::String(s) => Some(format!("{k}={s}")),
                        serde_json::Value::Number(n) if k == "wave" => Some(format!("{k}={n}")),
                        _ => None,
                    })
                    .collect();
                key.push(format!("in {path}"));
                key.sort();
                let numbers = map
                    .iter()
                    .filter(|(k, _)| k.as_str() != "wave")
                    .any(|(_, v)| has_number(v));
                each(key, suppressed.is_string(), numbers);
            }
            for (k, v) in map {
                withheld_groups(v, &format!("{path}.{k}"), each);
            }
        }
        serde_json::Value::Array(items) => {
            for i in items {
                withheld_groups(i, path, each);
            }
        }
        _ => {}
    }
}

fn has_number(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(_) => true,
        serde_json::Value::Array(items) => items.iter().any(has_number),
        serde_json::Value::Object(map) => map.values().any(has_number),
        _ => false,
    }
}

/// The rows of a report CSV (`section, wave, side, segment_kind, segment, subject,
/// statistic, value`) as (identity, statistic); nothing for another CSV.
fn csv_rows(body: &str) -> Vec<(Vec<String>, String)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(body.as_bytes());
    let Ok(header) = reader.headers().cloned() else {
        return Vec::new();
    };
    let column = |name: &str| header.iter().position(|h| h == name);
    let Some(statistic) = column("statistic") else {
        return Vec::new();
    };
    let identity: Vec<usize> = [
        "section",
        "wave",
        "side",
        "segment_kind",
        "segment",
        "subject",
    ]
    .iter()
    .filter_map(|c| column(c))
    .collect();
    reader
        .records()
        .map_while(Result::ok)
        .map(|row| {
            let key = identity
                .iter()
                .map(|&i| row.get(i).unwrap_or("").to_owned())
                .collect();
            (key, row.get(statistic).unwrap_or("").to_owned())
        })
        .collect()
}

/// Whether `seq` occurs as consecutive words in `words`.
fn contains_run(words: &[String], seq: &[String]) -> bool {
    !seq.is_empty() && words.windows(seq.len()).any(|w| w == seq)
}

fn first_flag(app: &TestApp, partnership: i64) -> i64 {
    use diesel::prelude::*;
    use tandem::db::schema::flags;
    let mut conn = app.db.pool().get().unwrap();
    flags::table
        .filter(flags::partnership_id.eq(partnership))
        .select(flags::id)
        .order(flags::id)
        .first(&mut conn)
        .unwrap()
}

async fn add_action(app: &TestApp, owner: &Person, flag: i64) -> i64 {
    let r = app
        .post(&format!("/api/flags/{flag}/actions"))
        .json(&serde_json::json!({
            "what": "Agree a forecast calendar",
            "owner_user_id": owner.user_id.unwrap(),
            "due_on": "2999-12-31",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<serde_json::Value>().await.unwrap()["actions"][0]["id"]
        .as_i64()
        .unwrap()
}

/// A personal survey link of A's open wave: a new link for one of its invitations, stored
/// as the wave stores its links (the mails' own are sent and gone when the worker is quick).
fn link_token(app: &TestApp, partnership: i64) -> String {
    use diesel::prelude::*;
    use tandem::db::schema::{invitations, waves};
    let mut conn = app.db.pool().get().unwrap();
    let invitation: i64 = invitations::table
        .inner_join(waves::table)
        .filter(waves::partnership_id.eq(partnership))
        .filter(waves::state.eq("open"))
        .select(invitations::id)
        .order(invitations::id)
        .first(&mut conn)
        .unwrap();
    let token = tandem::secrets::new_token();
    tandem::db::invitations::add_token(
        &mut conn,
        invitation,
        &tandem::secrets::hash(&token),
        tandem::db::now(),
    )
    .unwrap();
    token
}

impl Secrets {
    async fn gather(app: &TestApp, a: i64, b: i64) -> Secrets {
        let names = |id: i64| {
            use diesel::prelude::*;
            use tandem::db::schema::{firms, partnerships};
            let mut conn = app.db.pool().get().unwrap();
            let (name, customer, supplier): (String, i64, i64) = partnerships::table
                .find(id)
                .select((
                    partnerships::name,
                    partnerships::customer_firm_id,
                    partnerships::supplier_firm_id,
                ))
                .first(&mut conn)
                .unwrap();
            let firms: Vec<String> = firms::table
                .filter(firms::id.eq_any([customer, supplier]))
                .select(firms::name)
                .load(&mut conn)
                .unwrap();
            let mut words: BTreeSet<String> = words_of("text/plain", &name).into_iter().collect();
            for f in firms {
                words.extend(words_of("text/plain", &f));
            }
            words
        };
        let (mut all_a, mut all_b) = (names(a), names(b));
        // Words the service says to anyone (such as "components" of the OpenAPI document)
        // name no partnership, even when a firm's name has them.
        let mut neutral: BTreeSet<String> = BTreeSet::new();
        for (path, kind) in [("/api/openapi.json", "json"), ("/login", "html")] {
            let body = app.client.get(app.url(path)).send().await.unwrap();
            neutral.extend(words_of(kind, &body.text().await.unwrap()));
        }
        all_a.retain(|w| !neutral.contains(w));
        all_b.retain(|w| !neutral.contains(w));
        let comments = |id: i64, side: Option<&str>| {
            use diesel::prelude::*;
            use tandem::db::schema::{comments, responses, waves};
            let mut conn = app.db.pool().get().unwrap();
            let mut q = comments::table
                .inner_join(responses::table.inner_join(waves::table))
                .filter(waves::partnership_id.eq(id))
                .select(comments::body)
                .distinct()
                .into_boxed();
            if let Some(side) = side {
                q = q.filter(responses::side.eq(side.to_owned()));
            }
            let texts: Vec<String> = q.load(&mut conn).unwrap();
            texts
                .iter()
                .map(|t| words_of("text/plain", t))
                .collect::<Vec<_>>()
        };
        // Over every survey series of the partnership (the demo's A runs two).
        let means = |id: i64| async move {
            let series: serde_json::Value = app
                .get(&format!("/api/partnerships/{id}/series"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let mut means = BTreeSet::new();
            let mut every = BTreeSet::new();
            for s in series.as_array().unwrap() {
                let key = s["key"].as_str().unwrap();
                let report: serde_json::Value = app
                    .get(&format!("/api/partnerships/{id}/report?series={key}"))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                collect_means(&report, false, &mut means, &mut every);
            }
            (means, every)
        };
        let mut withheld_json = HashSet::new();
        let mut withheld_csv = HashSet::new();
        for id in [a, b] {
            let get = |format: &'static str| async move {
                app.get(&format!("/api/partnerships/{id}/report{format}"))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            };
            let json: serde_json::Value = serde_json::from_str(&get("").await).unwrap();
            withheld_groups(&json, "", &mut |key, withheld, _| {
                if withheld {
                    withheld_json.insert((id, key));
                }
            });
            // A key whose rows are all `suppressed` (an item's and a dimension's ICC can
            // share one, such as `trust/level`, and differ only in their `kind` row).
            let mut statistics: BTreeMap<Vec<String>, bool> = BTreeMap::new();
            for (key, statistic) in csv_rows(&get("?format=csv").await) {
                *statistics.entry(key).or_insert(true) &= statistic == "suppressed";
            }
            withheld_csv.extend(
                statistics
                    .into_iter()
                    .filter(|(_, all)| *all)
                    .map(|(key, _)| (id, key)),
            );
        }
        assert!(
            !withheld_json.is_empty() && !withheld_csv.is_empty(),
            "the demo withholds some groups, so the check can fail"
        );
        let (means_a, every_a) = means(a).await;
        let (means_b, every_b) = means(b).await;
        let comments_a = comments(a, None);
        let comments_b = comments(b, None);
        let customer_a = comments(a, Some("customer"));
        Secrets {
            names_a: all_a.difference(&all_b).cloned().collect(),
            names_b: all_b.difference(&all_a).cloned().collect(),
            comments_a_supplier: comments(a, Some("supplier"))
                .into_iter()
                .filter(|c| !customer_a.contains(c))
                .collect(),
            comments_a: comments_a
                .iter()
                .filter(|c| !comments_b.contains(c))
                .cloned()
                .collect(),
            comments_b: comments_b
                .iter()
                .filter(|c| !comments_a.contains(c))
                .cloned()
                .collect(),
            means_a_only: means_a.difference(&every_b).cloned().collect(),
            means_b_only: means_b.difference(&every_a).cloned().collect(),
            withheld_json,
            withheld_csv,
        }
    }
}

/// The means of a report (values of `mean` keys), and every number in it, as two-decimal
/// words.
fn collect_means(
    v: &serde_json::Value,
    is_mean: bool,
    means: &mut BTreeSet<String>,
    every: &mut BTreeSet<String>,
) {
    match v {
        serde_json::Value::Number(n) => {
            let x = n.as_f64().unwrap();
            let word = format!("{x:.2}");
            // Pages show a mean with two decimals; JSON with all of them.
            if is_mean && x.fract() != 0.0 {
                means.insert(word.clone());
                means.insert(format!("{x}"));
            }
            every.insert(word);
            every.insert(format!("{x:.1}"));
            every.insert(format!("{x}"));
        }
        serde_json::Value::String(text) => every.extend(tokenize(text)),
        serde_json::Value::Array(items) => {
            for i in items {
                collect_means(i, is_mean, means, every);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                collect_means(v, k == "mean", means, every);
            }
        }
        _ => {}
    }
}

/// The words and numbers of an answer, lower-cased, in order: the text and the attribute
/// values people read (title, alt, value, aria-label) of HTML and SVG, every string and
/// number of JSON, every cell of CSV.
pub fn words_of(content_type: &str, body: &str) -> Vec<String> {
    let text = if content_type.contains("json") {
        match serde_json::from_str::<serde_json::Value>(body) {
            Ok(v) => {
                let mut out = String::new();
                json_text(&v, &mut out);
                out
            }
            Err(_) => body.to_owned(),
        }
    } else if content_type.contains("csv") {
        let mut out = String::new();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(body.as_bytes());
        for record in reader.records().map_while(Result::ok) {
            for cell in record.iter() {
                out.push_str(cell);
                out.push('\n');
            }
        }
        out
    } else if content_type.contains("html") || content_type.contains("svg") {
        markup_text(body)
    } else {
        body.to_owned()
    };
    tokenize(&text)
}

fn json_text(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        serde_json::Value::Number(n) => {
            let x = n.as_f64().unwrap();
            out.push_str(&format!("{x}\n"));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| json_text(i, out)),
        serde_json::Value::Object(map) => map.values().for_each(|i| json_text(i, out)),
        _ => {}
    }
}

/// Splits text into words (letters, digits, apostrophes) and numbers (`-0.25`, `3.42`).
fn tokenize(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let inside_number = c == '.'
            && current.chars().last().is_some_and(|p| p.is_ascii_digit())
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if c.is_alphanumeric() || inside_number || (c == '\'' && !current.is_empty()) {
            current.extend(c.to_lowercase());
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    // "Acme's" and "Acme" are the same name.
    words
        .into_iter()
        .map(|w| w.trim_end_matches("'s").trim_end_matches('\'').to_owned())
        .filter(|w| !w.is_empty())
        .collect()
}

fn markup_text(body: &str) -> String {
    parse_markup(body).0
}

/// The content type of an answer.
pub fn content_type(r: &Response) -> String {
    r.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}
