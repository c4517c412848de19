//! `tandem demo`: a realistic two-year history for two partnerships on the embedded default,
//! so a newcomer sees full dashboards, flags and a review pack within a minute of cloning.
//!
//! Everything goes through the same services as real data (partnership creation, historic
//! import, KPI import, roster import, opening a wave), so the demo also exercises them.
//! Seeding is idempotent: a database that already has the demo partnerships is left alone.

use std::fmt::Write as _;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::Conn;
use crate::domain::PartnershipInput;
use crate::error::ServiceError;
use crate::mail::Links;
use crate::services::partnerships;
use crate::survey_templates::Catalog;

/// How a demo partnership's perceptions move.
struct Story {
    name: &'static str,
    customer: &'static str,
    supplier: &'static str,
    timezone: &'static str,
    /// mean perception per (side, dimension) at wave w (1-based)
    mean: fn(side: usize, dimension: usize, wave: usize) -> f64,
    /// shift per level (executive, manager, staff), per side
    level_shift: [[f64; 3]; 2],
    /// spread of answers per level (executive, manager, staff)
    noise: [f64; 3],
    kpis: fn(supplier_trust: &[f64]) -> String,
    roster_domain: [&'static str; 2],
    /// Whether the partnership declares the custom attribute `site` (see [`site`]).
    sites: bool,
}

/// The audit actor of what the demo seed writes.
const DEMO: &str = "demo seed";

const DIMENSIONS: [(&str, &[&str]); 3] = [
    ("win_win", &["win_win", "shares_rewards"]),
    ("trust", &["trust", "dependable_people", "holds_up_end"]),
    (
        "shared_objectives",
        &["common_objectives", "does_homework", "decides_and_sticks"],
    ),
];
const LEVELS: [&str; 3] = ["executive", "manager", "staff"];
const FUNCTIONS: [&str; 4] = ["sales", "procurement", "engineering", "operations"];
pub const HISTORY_WAVES: usize = 8;
const PEOPLE_PER_SIDE: usize = 34;

/// The site of the `j`-th person of a side: about half in Lyon, half in Paris, and two people
/// (the 20th and the 40th) in Hamburg, a group too small to show, so the demo's site heatmap
/// has a withheld row.
fn site(j: usize) -> &'static str {
    if j % 20 == 19 {
        "Hamburg"
    } else if j % 2 == 0 {
        "Lyon"
    } else {
        "Paris"
    }
}

fn acme_bolt(side: usize, dimension: usize, wave: usize) -> f64 {
    let w = wave as f64;
    match (side, dimension) {
        // the supplier's trust falls from wave 5 on
        (1, 1) => {
            if wave <= 4 {
                3.8
            } else {
                3.8 - 0.35 * (w - 4.0)
            }
        }
        // a persistent win–win gap: the customer sees more win–win than the supplier
        (0, 0) => 3.9,
        (1, 0) => 3.1,
        (0, 1) => 3.7,
        (_, 2) => 3.5 + 0.02 * w,
        _ => 3.6,
    }
}

fn acme_bolt_kpis(supplier_trust: &[f64]) -> String {
    // On-time delivery follows the supplier's trust two waves later.
    let mut csv = String::from("wave,on_time_delivery_pct,quality_ppm\n");
    for w in 1..=supplier_trust.len() {
        let lagged = supplier_trust[w.saturating_sub(3)];
        let otd = 90.0 + 2.0 * lagged + if w % 2 == 0 { 0.07 } else { -0.05 };
        let ppm = 420.0 - 50.0 * lagged + if w % 3 == 0 { 3.0 } else { -2.0 };
        let _ = writeln!(csv, "{w},{otd:.2},{ppm:.0}");
    }
    csv
}

fn northwind_harbor(side: usize, dimension: usize, wave: usize) -> f64 {
    let w = wave as f64;
    match (side, dimension) {
        (0, _) => 3.5 - 0.01 * w,
        (1, 1) => 3.9,
        _ => 3.7 + 0.01 * w,
    }
}

fn northwind_kpis(supplier_trust: &[f64]) -> String {
    let mut csv = String::from("wave,on_time_delivery_pct\n");
    for (i, t) in supplier_trust.iter().enumerate() {
        let _ = writeln!(csv, "{},{:.2}", i + 1, 93.0 + t);
    }
    csv
}

fn stories() -> [Story; 2] {
    [
        Story {
            name: "Acme Industries / Bolt Components",
            customer: "Acme Industries",
            supplier: "Bolt Components",
            timezone: "Europe/Paris",
            mean: acme_bolt,
            level_shift: [[0.35, 0.1, -0.2], [0.35, 0.1, -0.2]],
            noise: [0.35, 0.55, 0.8],
            kpis: acme_bolt_kpis,
            roster_domain: ["acme.example", "bolt.example"],
            sites: true,
        },
        Story {
            name: "Northwind Foods / Harbor Logistics",
            customer: "Northwind Foods",
            supplier: "Harbor Logistics",
            timezone: "America/New_York",
            mean: northwind_harbor,
            // the customer is split: executives see the partnership far better than staff
            level_shift: [[0.9, 0.2, -0.9], [0.3, 0.1, -0.15]],
            noise: [0.3, 0.5, 0.75],
            kpis: northwind_kpis,
            roster_domain: ["northwind.example", "harbor.example"],
            sites: false,
        },
    ]
}

/// What seeding made.
#[derive(Debug, Default)]
pub struct DemoSummary {
    pub created: Vec<(i64, String)>,
    pub already_there: bool,
    /// (email, role, password) of the demo users made now.
    pub users: Vec<(String, &'static str, String)>,
}

/// Seeds the demo data if the database has none of it yet.
pub fn seed(
    conn: &mut Conn,
    catalog: &Catalog,
    links: &Links,
) -> Result<DemoSummary, ServiceError> {
    let existing = partnerships::list(conn, true)?;
    let mut summary = DemoSummary::default();
    for (k, story) in stories().iter().enumerate() {
        if existing.iter().any(|p| p.name == story.name) {
            summary.already_there = true;
            continue;
        }
        let mut rng = StdRng::seed_from_u64(20_261_123 + k as u64);
        let view = partnerships::create(
            conn,
            catalog,
            &PartnershipInput {
                name: story.name.into(),
                customer: story.customer.into(),
                supplier: story.supplier.into(),
                timezone: Some(story.timezone.into()),
                ..Default::default()
            },
            DEMO,
        )?;
        if story.sites {
            // a custom attribute: a column of the history and the roster, a breakdown of
            // the report and a heatmap on the dashboard
            crate::services::attributes::add(
                conn,
                view.id,
                &crate::services::attributes::AttributeInput {
                    key: "site".into(),
                    label: "Site".into(),
                },
                DEMO,
            )?;
        }
        let (history, supplier_trust) = history(story, &mut rng);
        partnerships::import_history(conn, catalog, view.id, history.as_bytes(), DEMO)?;
        // The ombudsman's inbox starts with what the history shows, as if each wave had
        // closed in Tandem.
        for wave in crate::db::waves::for_partnership(conn, view.id)? {
            crate::flags::run_for_wave(conn, view.id, wave.id, links)
                .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
        }
        add_comments(conn, view.id, k, &mut rng)?;
        crate::services::reports::import_kpis(
            conn,
            view.id,
            (story.kpis)(&supplier_trust).as_bytes(),
            DEMO,
        )?;
        add_goals(conn, view.id, k)?;
        partnerships::import_roster(conn, view.id, roster(story, &mut rng).as_bytes(), DEMO)?;
        if k == 0 {
            // The open wave of the first story also asks the optional joint-future questions.
            crate::services::partnership_state::edit(
                conn,
                catalog,
                view.id,
                &crate::services::partnership_state::PartnershipEdit {
                    optional_dimensions: Some(vec!["joint_future".to_owned()]),
                    ..Default::default()
                },
                DEMO,
            )?;
            add_plan(conn, catalog, view.id)?;
        }
        crate::services::waves::open_now(conn, catalog, view.id, None, links, DEMO)?;
        if k == 0 {
            practices_series(conn, catalog, links, view.id, &mut rng)?;
        }
        summary.created.push((view.id, story.name.to_owned()));
    }
    let all: Vec<(i64, String)> = partnerships::list(conn, true)?
        .into_iter()
        .filter(|p| stories().iter().any(|s| s.name == p.name))
        .map(|p| (p.id, p.name))
        .collect();
    summary.users = demo_users(conn, &all)?;
    Ok(summary)
}

/// What people of each firm wrote in the open question, per story: (customer, supplier).
const COMMENTS: [[&[&str]; 2]; 2] = [
    [
        &[
            "Bolt's engineers are responsive, but we hear about delays too late.",
            "Forecast sharing has improved; the joint planning meeting helps.",
            "Priorities shifted to cost reduction this quarter.",
            "Hard to tell who decides on their side since the reorganisation.",
            "Quality issues on the last two batches took weeks to close.",
            "We would like earlier sight of their capacity plans.",
        ],
        &[
            "Acme changes its forecast late and expects us to absorb it.",
            "Payment terms were renegotiated without warning.",
            "We feel the savings targets are all on our side.",
            "The new buyer is open and easy to reach.",
            "Specs keep changing after sign-off.",
            "More joint problem-solving than last year, which we value.",
        ],
    ],
    [
        &[
            "Executives and the floor see Harbor very differently.",
            "Dock scheduling is still painful for the warehouse teams.",
            "The quarterly business review is useful for leadership.",
            "Our staff were not told about the new routing agreement.",
            "Harbor's drivers are reliable and polite.",
            "Expectations from head office do not match what we can do at the sites.",
        ],
        &[
            "Northwind's leadership is supportive; site staff less so.",
            "Volumes are hard to plan with a week's notice.",
            "Good collaboration with the transport planners.",
            "We need one contact for escalations, not five.",
            "The pilot on shared dashboards worked well.",
        ],
    ],
];

/// A third of the respondents of each imported wave answered the open question, through the
/// same insert the survey form uses.
fn add_comments(
    conn: &mut Conn,
    partnership: i64,
    story: usize,
    rng: &mut StdRng,
) -> Result<(), ServiceError> {
    use crate::db::schema::{responses, waves};
    use diesel::prelude::*;
    let rows: Vec<(i64, String)> = responses::table
        .inner_join(waves::table)
        .filter(waves::partnership_id.eq(partnership))
        .order(responses::id.asc())
        .select((responses::id, responses::side))
        .load(conn)?;
    for (id, side) in rows {
        if !rng.random_bool(0.33) {
            continue;
        }
        let bank = COMMENTS[story][usize::from(side == "supplier")];
        let body = bank[rng.random_range(0..bank.len())];
        crate::db::responses::insert_comment(conn, id, "changes", body)?;
    }
    Ok(())
}

/// Goals a relationship manager would set after the last review, due in six and nine months.
fn add_goals(conn: &mut Conn, partnership: i64, story: usize) -> Result<(), ServiceError> {
    use crate::domain::Side;
    use crate::goals::{store, Metric};
    let today = crate::db::now().date();
    let in_days = |d: u64| today + chrono::Days::new(d);
    let goals: Vec<(Metric, f64, u64)> = if story == 0 {
        vec![
            (
                Metric::Mean {
                    side: Side::Supplier,
                    dimension: "trust".into(),
                },
                3.5,
                182,
            ),
            (
                Metric::Gap {
                    dimension: "win_win".into(),
                },
                0.3,
                273,
            ),
            (Metric::ResponseRate { side: None }, 60.0, 182),
            (
                Metric::Kpi {
                    name: "on_time_delivery_pct".into(),
                },
                97.0,
                273,
            ),
        ]
    } else {
        vec![
            (
                Metric::Agreement {
                    side: Side::Customer,
                    dimension: "shared_objectives".into(),
                },
                0.7,
                182,
            ),
            (
                Metric::Mean {
                    side: Side::Customer,
                    dimension: "trust".into(),
                },
                3.6,
                273,
            ),
        ]
    };
    for (metric, target, days) in goals {
        let goal = store::ValidGoal {
            metric,
            target,
            due_on: in_days(days),
        };
        store::insert(conn, partnership, &goal, None, crate::db::now())?;
    }
    Ok(())
}

/// A small relationship plan for the first story: two objectives with an owner in each firm,
/// linked to the first goal and to dimensions, and milestones — one of them overdue (owned by
/// the customer firm), one done. The first goal gets an owner too.
fn add_plan(conn: &mut Conn, catalog: &Catalog, partnership: i64) -> Result<(), ServiceError> {
    use crate::services::plan::{self, MilestoneInput, ObjectiveInput};
    let people = plan::roster(conn, partnership)?;
    let first = |side: &str| {
        people
            .iter()
            .find(|p| p.side == side)
            .map(|p| p.id)
            .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("the demo roster has no {side}")))
    };
    let (customer, supplier) = (first("customer")?, first("supplier")?);
    let goals = plan::goal_ids(conn, partnership)?;
    if let Some((goal, _)) = goals.first() {
        conn.write_transaction(|conn| crate::goals::plan::set_goal_owner(conn, *goal, supplier))?;
    }
    let today = crate::db::now().date();
    let day = |d: i64| (today + chrono::TimeDelta::days(d)).to_string();
    let milestone = |title: &str, due: i64, done: Option<i64>, owner: i64| MilestoneInput {
        title: title.into(),
        due_on: day(due),
        done_on: done.map(day),
        owner: Some(owner),
    };
    let objectives = [
        ObjectiveInput {
            title: "One escalation path for delivery problems".into(),
            description:
                "Both firms hear about a late delivery the same day, from one named person.".into(),
            customer_owner: Some(customer),
            supplier_owner: Some(supplier),
            status: Some("in_progress".into()),
            goals: goals.first().map(|g| g.0).into_iter().collect(),
            dimensions: vec!["trust".into()],
            milestones: vec![
                milestone("Agree the escalation path", -14, None, customer),
                milestone("First joint delivery review", 30, None, supplier),
            ],
        },
        ObjectiveInput {
            title: "A shared twelve-month volume plan".into(),
            description: "Forecasts shared monthly, one plan both firms commit to.".into(),
            customer_owner: Some(customer),
            supplier_owner: Some(supplier),
            status: Some("planned".into()),
            goals: Vec::new(),
            dimensions: vec!["shared_objectives".into(), "win_win".into()],
            milestones: vec![
                milestone("Share the forecast", -30, Some(-32), supplier),
                milestone("Sign off the volume plan", 60, None, customer),
            ],
        },
    ];
    for o in &objectives {
        plan::create(conn, catalog, partnership, o, DEMO)?;
    }
    Ok(())
}

/// One user per role with a fresh random password: an admin, an ombudsman for every
/// partnership, a relationship manager for the first partnership, and one for the customer
/// side only of the second.
/// email, role, how the role is shown, scopes, all partnerships
type UserSpec = (
    &'static str,
    crate::auth::Role,
    &'static str,
    Vec<(i64, Option<crate::domain::Side>)>,
    bool,
);

fn demo_users(
    conn: &mut Conn,
    partnerships: &[(i64, String)],
) -> Result<Vec<(String, &'static str, String)>, ServiceError> {
    use crate::auth::{passwords, users, Role};
    let first = partnerships[0].0;
    let second = partnerships.get(1).map(|p| p.0).unwrap_or(first);
    let specs: [UserSpec; 4] = [
        ("admin@demo.example", Role::Admin, "admin", vec![], false),
        (
            "ombudsman@demo.example",
            Role::Ombudsman,
            "ombudsman",
            vec![],
            true,
        ),
        (
            "manager@demo.example",
            Role::Manager,
            "manager",
            vec![(first, None)],
            false,
        ),
        (
            "customer.manager@demo.example",
            Role::Manager,
            "manager (customer side only)",
            vec![(second, Some(crate::domain::Side::Customer))],
            false,
        ),
    ];
    let mut out = Vec::new();
    for (email, role, label, scopes, all) in specs {
        let email = crate::domain::Email::parse(email)
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!(e)))?;
        if users::find_by_email(conn, email.as_str())
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?
            .is_some()
        {
            continue;
        }
        let user = crate::auth::create_user(conn, &email, role, scopes, all)
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
        let password = crate::secrets::new_token()[..16].to_owned();
        let parsed = passwords::Password::parse(&password)
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!(e)))?;
        let hash = passwords::hash(&parsed)?;
        users::set_password_hash(conn, user.id, &hash)?;
        out.push((email.as_str().to_owned(), label, password));
    }
    Ok(out)
}

/// The long-format history of one story, and the supplier's trust level per wave.
fn history(story: &Story, rng: &mut StdRng) -> (String, Vec<f64>) {
    let mut csv = String::from("wave,firm,respondent,level,function,item,value");
    csv.push_str(if story.sites { ",site\n" } else { "\n" });
    // a stable staff list per side: some leave and join as waves go by
    let people: Vec<(usize, usize, usize, f64)> = (0..(2 * PEOPLE_PER_SIDE + 12))
        .map(|i| {
            let side = i % 2;
            let level = match rng.random_range(0..20) {
                0..=4 => 0,
                5..=9 => 1,
                _ => 2,
            };
            (
                side,
                level,
                rng.random_range(0..FUNCTIONS.len()),
                normal(rng) * 0.3,
            )
        })
        .collect();
    let mut supplier_trust = Vec::new();
    for wave in 1..=HISTORY_WAVES {
        supplier_trust.push((story.mean)(1, 1, wave));
        for (i, (side, level, function, person)) in people.iter().enumerate() {
            // about one in six sits a wave out
            if (i + wave) % 6 == 0 {
                continue;
            }
            let firm = if *side == 0 { "customer" } else { "supplier" };
            for (d, (_, items)) in DIMENSIONS.iter().enumerate() {
                let latent =
                    (story.mean)(*side, d, wave) + story.level_shift[*side][*level] + person;
                for item in items.iter() {
                    let value = if rng.random_range(0..100) < 5 {
                        String::new()
                    } else {
                        let x = latent + normal(rng) * story.noise[*level];
                        (x.round().clamp(1.0, 5.0) as i64).to_string()
                    };
                    let _ = write!(
                        csv,
                        "{wave},{firm},p{i:03},{},{},{item},{value}",
                        LEVELS[*level], FUNCTIONS[*function]
                    );
                    if story.sites {
                        let _ = write!(csv, ",{}", site(i / 2));
                    }
                    csv.push('\n');
                }
            }
        }
    }
    (csv, supplier_trust)
}

/// The second survey series of the first demo partnership: the partnership-practices
/// template (four-point frequency scale) twice a year, with two closed waves of history, so
/// the dashboard's series switcher has something to switch to. Its next wave is scheduled two
/// months ahead, so no demo start-up opens or misses one.
fn practices_series(
    conn: &mut Conn,
    catalog: &Catalog,
    links: &Links,
    partnership: i64,
    rng: &mut StdRng,
) -> Result<(), ServiceError> {
    crate::services::series::add(
        conn,
        catalog,
        partnership,
        &crate::domain::SeriesInput {
            key: "practices".into(),
            name: Some("Partnership practices".into()),
            template: "partnership-practices".into(),
            cadence: Some("half-yearly".into()),
            first_wave_on: crate::db::now()
                .date()
                .checked_add_days(chrono::Days::new(60)),
            ..Default::default()
        },
        DEMO,
    )?;
    // Wave numbers run across the partnership's series: these follow its open wave.
    let first = crate::db::waves::next_seq(conn, partnership)?;
    const ITEMS: [&str; 9] = [
        "clear_lines",
        "early_warning",
        "executive_access",
        "performance_reports",
        "shares_plans",
        "acts_on_feedback",
        "strategic_involvement",
        "joint_planning",
        "joint_problem_solving",
    ];
    let mut csv = String::from("wave,firm,respondent,level,function,item,value\n");
    for (n, wave) in (first..first + 2).enumerate() {
        for i in 0..(2 * PEOPLE_PER_SIDE) {
            if (i + n) % 7 == 0 {
                continue;
            }
            let side = i % 2;
            let firm = if side == 0 { "customer" } else { "supplier" };
            let level = LEVELS[i % 3];
            let function = FUNCTIONS[i % FUNCTIONS.len()];
            for (j, item) in ITEMS.iter().enumerate() {
                // the supplier sees fewer joint decisions than the customer, and it improves
                let centre = if side == 1 && j >= 6 { 2.3 } else { 2.9 } + 0.2 * n as f64;
                let value = if rng.random_range(0..100) < 6 {
                    String::new()
                } else {
                    let x = centre + normal(rng) * 0.7;
                    (x.round().clamp(1.0, 4.0) as i64).to_string()
                };
                let _ = writeln!(
                    csv,
                    "{wave},{firm},q{i:03},{level},{function},{item},{value}"
                );
            }
        }
    }
    crate::services::series::import_history(
        conn,
        catalog,
        partnership,
        "practices",
        csv.as_bytes(),
        DEMO,
    )?;
    let series = crate::db::series::find_row(conn, partnership, "practices")?
        .ok_or_else(|| ServiceError::NotFound("the demo's practices series".into()))?;
    for wave in crate::db::waves::for_series(conn, partnership, Some(series.id))? {
        crate::flags::run_for_wave(conn, partnership, wave.id, links)
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
    }
    Ok(())
}

fn roster(story: &Story, rng: &mut StdRng) -> String {
    const FIRST: [&str; 12] = [
        "Ann", "Bob", "Chen", "Dara", "Eli", "Fatima", "Goran", "Hana", "Ivo", "Jun", "Kemal",
        "Lea",
    ];
    const LAST: [&str; 10] = [
        "Lee", "Roe", "Martin", "Okafor", "Novak", "Silva", "Berg", "Rossi", "Kim", "Dubois",
    ];
    let mut csv = String::from("email,name,side,level,function,region,roles");
    csv.push_str(if story.sites { ",site\n" } else { "\n" });
    for side in 0..2 {
        for i in 0..PEOPLE_PER_SIDE {
            let first = FIRST[rng.random_range(0..FIRST.len())];
            let last = LAST[rng.random_range(0..LAST.len())];
            let level = LEVELS[if i < 4 {
                0
            } else if i < 12 {
                1
            } else {
                2
            }];
            let roles = if i == 0 {
                "point person;executive sponsor"
            } else {
                ""
            };
            let _ = write!(
                csv,
                "{}.{}{i}@{},{first} {last},{},{level},{},{},{roles}",
                first.to_lowercase(),
                last.to_lowercase(),
                story.roster_domain[side],
                if side == 0 { "customer" } else { "supplier" },
                FUNCTIONS[i % FUNCTIONS.len()],
                if i % 3 == 0 { "Americas" } else { "EMEA" },
            );
            if story.sites {
                let _ = write!(csv, ",{}", site(i));
            }
            csv.push('\n');
        }
    }
    csv
}

/// A standard normal draw (Box–Muller); enough for synthetic demo data.
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random_range(0.0..1.0);
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_history_is_deterministic_and_well_formed() {
        let story = &stories()[0];
        let (a, trust) = history(story, &mut StdRng::seed_from_u64(1));
        let (b, _) = history(story, &mut StdRng::seed_from_u64(1));
        assert_eq!(a, b);
        assert_eq!(trust.len(), HISTORY_WAVES);
        assert!(
            trust[HISTORY_WAVES - 1] < trust[0] - 1.0,
            "the supplier's trust declines"
        );
        let catalog = Catalog::load(None).unwrap();
        // the first story's history has a site column, which it declares first
        assert!(crate::import::responses::parse(a.as_bytes(), catalog.default_template()).is_err());
        let parsed = crate::import::responses::parse_with(
            a.as_bytes(),
            catalog.default_template(),
            &["site".to_owned()],
        )
        .unwrap();
        assert!(parsed.len() > 400);
        let sites: std::collections::BTreeSet<&str> = a
            .lines()
            .skip(1)
            .filter_map(|line| line.rsplit(',').next())
            .collect();
        assert_eq!(sites, ["Hamburg", "Lyon", "Paris"].into());
        let kpis = acme_bolt_kpis(&trust);
        assert_eq!(kpis.lines().count(), HISTORY_WAVES + 1);
    }
}
