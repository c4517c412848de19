//! The wave summary (issue 17), on both backends: closing a wave queues one mail per
//! manager of the partnership through the outbox, received over SMTP — each with what that
//! manager may see (a one-side manager gets their firm only), withheld figures said
//! withheld, nothing to compare on a first wave, nothing for a partnership without
//! managers or a manager who opted out, and nothing more when a wave is closed twice.

use chrono::TimeDelta;
use diesel::prelude::*;
use serde_json::{json, Value};
use tandem::db::schema::user_scopes;

use crate::world_test;

const SUBJECT: &str = "closed, summary";

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
const TRUST: [&str; 3] = ["trust", "dependable_people", "holds_up_end"];

fn scope_side(w: &crate::World, user: i64, partnership: i64, side: &str) {
    let mut conn = w.app.db.pool().get().unwrap();
    diesel::insert_into(user_scopes::table)
        .values((
            user_scopes::user_id.eq(user),
            user_scopes::partnership_id.eq(partnership),
            user_scopes::side.eq(Some(side)),
        ))
        .execute(&mut conn)
        .unwrap();
}

/// `customers` people at `c<i>@acme.test`, `suppliers` at `s<i>@bolt.test`.
async fn add_roster(w: &crate::World, partnership: i64, customers: usize, suppliers: usize) {
    let mut csv = String::from("email,name,side,level,function,region,roles\n");
    for i in 0..customers {
        csv.push_str(&format!("c{i}@acme.test,C {i},customer,staff,sales,EU,\n"));
    }
    for i in 0..suppliers {
        csv.push_str(&format!(
            "s{i}@bolt.test,S {i},supplier,staff,operations,US,\n"
        ));
    }
    let r = w
        .app
        .post(&format!("/api/partnerships/{partnership}/roster"))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

async fn open_wave(w: &crate::World, partnership: i64) -> i64 {
    let r = w
        .app
        .post(&format!("/api/partnerships/{partnership}/waves"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["seq"].as_i64().unwrap()
}

async fn close_wave(w: &crate::World, partnership: i64) -> reqwest::Response {
    w.app
        .post(&format!("/api/partnerships/{partnership}/waves/close"))
        .send()
        .await
        .unwrap()
}

fn token_in(text: &str) -> String {
    let at = text.find("/s/").expect("a survey link in the mail") + 3;
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Answers every invitation mailed so far whose recipient `answers` gives answers for:
/// `answers(address, index)` → the answer to each item, or `None` to stay silent.
async fn answer(
    w: &crate::World,
    invitations: usize,
    answers: impl Fn(&str, usize) -> Option<[i64; 8]>,
) -> usize {
    let mut n = 0;
    for m in w.mail(invitations).await {
        let to = m.to.join(",");
        let at = to.find('@').unwrap();
        let start = to[..at]
            .rfind(|c: char| !c.is_ascii_alphanumeric())
            .map_or(0, |i| i + 1);
        let local = &to[start..at];
        let index: usize = local[1..].parse().unwrap();
        let Some(values) = answers(&to, index) else {
            continue;
        };
        let token = token_in(&m.part("text/plain").expect("a text part"));
        let body: serde_json::Map<String, Value> = ITEMS
            .iter()
            .zip(values)
            .map(|(item, v)| ((*item).to_owned(), json!(v)))
            .collect();
        let r = w
            .app
            .client
            .post(w.app.url(&format!("/api/responses/{token}")))
            .json(&json!({ "answers": body }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        n += 1;
    }
    n
}

/// 3 and 4 by turns on every item (mean 3.5); with `trust_high`, 5 and 4 on the trust items
/// (mean 4.5).
fn pattern(index: usize, trust_high: bool) -> [i64; 8] {
    let low = 3 + (index % 2) as i64;
    let high = 5 - (index % 2) as i64;
    ITEMS.map(|item| {
        if trust_high && TRUST.contains(&item) {
            high
        } else {
            low
        }
    })
}

/// Every mail the outbox holds, once the sink has them all; the summaries among them.
async fn summaries(w: &crate::World) -> Vec<crate::sink::Received> {
    let total = w.app.db.count("outbox") as usize;
    w.mail(total)
        .await
        .into_iter()
        .filter(|m| m.header("Subject").is_some_and(|s| s.contains(SUBJECT)))
        .collect()
}

fn to<'a>(mail: &'a [crate::sink::Received], who: &str) -> &'a crate::sink::Received {
    mail.iter()
        .find(|m| m.to.iter().any(|t| t.contains(who)))
        .unwrap_or_else(|| panic!("no summary to {who}"))
}

/// The text part, and the HTML part with askama's escapes read back (so both are checked
/// against the same words).
fn bodies(m: &crate::sink::Received) -> [String; 2] {
    let html = m.part("text/html").expect("an HTML part");
    assert!(html.contains("<h2"), "{html}");
    let read = [
        ("&#60;", "<"),
        ("&lt;", "<"),
        ("&#62;", ">"),
        ("&gt;", ">"),
        ("&#39;", "'"),
        ("&#34;", "\""),
        ("&quot;", "\""),
        ("&#38;", "&"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(html, |h, (escaped, plain)| h.replace(escaped, plain));
    [m.part("text/plain").expect("a text part"), read]
}

/// The partnership's report, every wave, as the API serves it.
async fn report(w: &crate::World) -> Value {
    w.app
        .get(&format!("/api/partnerships/{}/report", w.partnership))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A manager of both firms, a supplier-only manager of the fixture's partnership, and a
/// manager of another partnership.
async fn managers(w: &crate::World) -> (i64, i64, i64) {
    let mia = w.add_user("mia@acme.test", "manager", false, false);
    w.scope_user(mia, w.partnership);
    let sol = w.add_user("sol@bolt.test", "manager", false, false);
    scope_side(w, sol, w.partnership, "supplier");
    let other = w.app.create_partnership("Zeta / Yonder").await;
    let eve = w.add_user("eve@zeta.test", "manager", false, false);
    w.scope_user(eve, other);
    (mia, sol, eve)
}

world_test!(a_closed_wave_mails_each_manager_what_they_may_see, |w| {
    let p = w.partnership;
    managers(&w).await;
    add_roster(&w, p, 10, 10).await;
    let seq = open_wave(&w, p).await;
    assert_eq!(seq, 7, "after the fixture's six waves");
    // Both firms 3.5 on everything but the supplier's trust, which rises from 2.39 in wave 6
    // to 4.50: the planted move, and a gap of 1.00 on trust.
    let answered = answer(&w, 20, |to, i| Some(pattern(i, to.ends_with("@bolt.test")))).await;
    assert_eq!(answered, 20);

    let r = close_wave(&w, p).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(w.app.db.count("outbox WHERE kind = 'wave_summary'"), 2);
    assert_eq!(
        w.app
            .db
            .count("audit_log WHERE action = 'wave.summaries_queued'"),
        1
    );
    let mail = summaries(&w).await;
    assert_eq!(mail.len(), 2);
    assert!(
        mail.iter()
            .all(|m| !m.to.iter().any(|t| t.contains("eve@"))),
        "the other partnership's manager gets nothing"
    );

    // The numbers are the dashboard's report's.
    let doc = report(&w).await;
    let health_of = |wave: i64| {
        let all = doc["health"].as_array().unwrap();
        let h = all.iter().find(|h| h["wave"] == wave).unwrap();
        format!("{:.1}", h["index"].as_f64().unwrap())
    };
    assert_eq!((health_of(6), health_of(7)), ("65.5".into(), "77.2".into()));
    let flags = w.flags().await;
    // the planted gap; nothing else passes the rules' thresholds in wave 7
    assert_eq!(flags.len(), 1, "{flags:#?}");
    let gap_flag = flags
        .iter()
        .find(|f| f["rule"] == "inter_firm_gap" && f["scope"] == "dimension:trust")
        .expect("the planted trust gap is flagged");
    assert_eq!(gap_flag["severity"], "high");

    let planted = "Acme / Bolt Supplier on trust: rose from 2.39 in wave 6 to 4.50 \
                   (+2.11 points, Welch p < 0.001)";
    let mias = to(&mail, "mia@");
    assert_eq!(
        mias.header("Subject").unwrap(),
        "Acme / Bolt: wave 7 closed, summary"
    );
    for body in bodies(mias) {
        for expected in [
            "Wave 7 of Acme / Bolt is closed",
            "You see both firms.",
            "Acme / Bolt Customer (customer): 10 of 10 answered (100 %)",
            "Acme / Bolt Supplier (supplier): 10 of 10 answered (100 %)",
            "Health index 77.2 (of 100), up 11.6 points from 65.5 in wave 6.",
            planted,
            "Trust: Acme / Bolt Supplier 4.50, Acme / Bolt Customer 3.50, a gap of 1.00 \
             points (significant, Welch p < 0.001).",
            "1 open flag: 1 high, 0 medium, 0 low.",
            &format!("https://tandem.example/partnerships/{p}#dim-trust"),
            &format!("https://tandem.example/partnerships/{p}"),
        ] {
            assert!(body.contains(expected), "missing {expected:?} in:\n{body}");
        }
        assert_eq!(
            body.matches(" rose from ").count() + body.matches(" fell from ").count(),
            1,
            "only the planted move is significant: {body}"
        );
    }

    let sols = to(&mail, "sol@");
    assert_eq!(
        sols.header("Subject").unwrap(),
        "Acme / Bolt: wave 7 closed, summary"
    );
    for body in bodies(sols) {
        for expected in [
            "You see Acme / Bolt Supplier only.",
            "Acme / Bolt Supplier (supplier): 10 of 10 answered (100 %)",
            planted,
            "1 open flag: 1 high, 0 medium, 0 low. They are listed to those who see both \
             firms.",
        ] {
            assert!(body.contains(expected), "missing {expected:?} in:\n{body}");
        }
        for absent in [
            "Health index",
            "77.2",
            "Acme / Bolt Customer",
            "(customer)",
            "3.50",
            "gap",
            "#dim-trust",
        ] {
            assert!(!body.contains(absent), "{absent:?} in:\n{body}");
        }
    }

    // Closing again: nothing is open, nothing more is queued.
    let again = close_wave(&w, p).await;
    assert_eq!(again.status(), 409);
    assert_eq!(w.app.db.count("outbox WHERE kind = 'wave_summary'"), 2);
});

world_test!(
    a_withheld_firm_is_said_withheld_and_the_scheduler_queues_the_same,
    |w| {
        let p = w.partnership;
        managers(&w).await;
        add_roster(&w, p, 10, 10).await;
        let seq = open_wave(&w, p).await;
        // Every customer answers; three suppliers of ten do (3, 4, 3: mean 3.33), under the
        // minimum of 5.
        let answered = answer(&w, 20, |to, i| {
            (to.ends_with("@acme.test") || i < 3).then(|| pattern(i, false))
        })
        .await;
        assert_eq!(answered, 13);

        // The scheduler, after the wave's close time, twice.
        let pool = w.app.db.pool();
        let closed = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().unwrap();
            let catalog = tandem::survey_templates::Catalog::load(None).unwrap();
            let links = tandem::mail::Links {
                base_url: "https://tandem.example".into(),
            };
            let later = tandem::db::now() + TimeDelta::days(60);
            let first =
                tandem::services::waves::tick_at(&mut conn, &catalog, later, &links).unwrap();
            let second =
                tandem::services::waves::tick_at(&mut conn, &catalog, later, &links).unwrap();
            (first.closed, second.closed)
        })
        .await
        .unwrap();
        assert_eq!(closed, (vec![(p, seq)], vec![]));
        assert_eq!(w.app.db.count("outbox WHERE kind = 'wave_summary'"), 2);
        let mail = summaries(&w).await;
        assert_eq!(mail.len(), 2);
        let supplier_line = "Acme / Bolt Supplier (supplier): 3 of 10 answered (30 %); figures \
                             withheld: fewer than 5 responses";

        let mias = to(&mail, "mia@");
        assert_eq!(
            mias.header("Subject").unwrap(),
            "Acme / Bolt: wave 7 closed, summary"
        );
        for body in bodies(mias) {
            for expected in [
                "Acme / Bolt Customer (customer): 10 of 10 answered (100 %)",
                supplier_line,
                "Health index: withheld: fewer than 5 responses.",
                "Nothing moved significantly since the previous wave",
                "Acme / Bolt Supplier is not compared: its figures are withheld this wave.",
                "Withheld: fewer than 5 responses.",
                "2 open flags: 0 high, 2 medium, 0 low.",
            ] {
                assert!(body.contains(expected), "missing {expected:?} in:\n{body}");
            }
            for absent in ["Acme / Bolt Supplier on ", "3.33", "Health index 7"] {
                assert!(!body.contains(absent), "{absent:?} in:\n{body}");
            }
        }
        for body in bodies(to(&mail, "sol@")) {
            for expected in [
                supplier_line,
                "Nothing to compare. Acme / Bolt Supplier is not compared: its figures are \
                 withheld this wave.",
            ] {
                assert!(body.contains(expected), "missing {expected:?} in:\n{body}");
            }
            for absent in ["3.33", "Health index", "Acme / Bolt Customer"] {
                assert!(!body.contains(absent), "{absent:?} in:\n{body}");
            }
        }
    }
);

world_test!(
    a_first_wave_has_nothing_to_compare_and_a_partnership_without_managers_gets_nothing,
    |w| {
        let fresh = w.app.create_partnership("Fresh pair").await;
        let empty = w.app.create_partnership("Empty pair").await;
        let mia = w.add_user("mia@acme.test", "manager", false, false);
        w.scope_user(mia, fresh);
        let ola = w.add_user("ola@acme.test", "manager", false, false);
        w.scope_user(ola, fresh);
        w.app
            .cli(&["user", "summary", "--email", "ola@acme.test", "--off"])
            .assert_ok();
        add_roster(&w, fresh, 5, 5).await;
        open_wave(&w, fresh).await;
        let answered = answer(&w, 10, |to, i| Some(pattern(i, to.ends_with("@bolt.test")))).await;
        assert_eq!(answered, 10);
        let r = close_wave(&w, fresh).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

        add_roster(&w, empty, 5, 5).await;
        open_wave(&w, empty).await;
        let r = close_wave(&w, empty).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

        assert_eq!(w.app.db.count("outbox WHERE kind = 'wave_summary'"), 1);
        let mail = summaries(&w).await;
        assert_eq!(
            mail.len(),
            1,
            "to mia only: ola opted out, the empty pair has no manager"
        );
        let mias = to(&mail, "mia@");
        assert_eq!(
            mias.header("Subject").unwrap(),
            "Fresh pair: wave 1 closed, summary"
        );
        for body in bodies(mias) {
            for expected in [
                "Health index 75.7 (of 100); the first wave, nothing to compare yet.",
                "Wave 1 is the first: there is nothing to compare yet.",
            ] {
                assert!(body.contains(expected), "missing {expected:?} in:\n{body}");
            }
            assert!(!body.contains(" rose from "), "{body}");
        }
        assert_eq!(
            w.app
                .db
                .count("audit_log WHERE action = 'user.summary_off'"),
            1
        );

        // Back on: the next close mails ola too.
        w.app
            .cli(&["user", "summary", "--email", "ola@acme.test", "--on"])
            .assert_ok();
        open_wave(&w, fresh).await;
        let r = close_wave(&w, fresh).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(w.app.db.count("outbox WHERE kind = 'wave_summary'"), 3);
        assert_eq!(
            w.app
                .db
                .count("outbox WHERE kind = 'wave_summary' AND recipient = 'ola@acme.test'"),
            1
        );
    }
);
