//! The weekly flag digest (issue 17), on both backends: queued through the outbox to each
//! ombudsman in scope, received over SMTP with the open flags by severity and the overdue
//! actions, once per week, never empty, and stopped by the user's opt-out.

use diesel::prelude::*;
use serde_json::{json, Value};
use tandem::db::schema::users;

use crate::world_test;

const SUBJECT: &str = "Weekly flags digest";

/// Moves every user's account a week and a day back, so their first digest is due.
fn age_accounts(w: &crate::World) {
    let mut conn = w.app.db.pool().get().unwrap();
    let then = tandem::db::now() - chrono::Duration::days(8);
    diesel::update(users::table)
        .set(users::created_at.eq(then))
        .execute(&mut conn)
        .unwrap();
}

fn digest(w: &crate::World, args: &[&str]) -> Value {
    let mut all = vec!["flags", "digest", "--json"];
    all.extend_from_slice(args);
    let out = w.app.cli(&all);
    out.assert_ok();
    serde_json::from_str(&out.stdout).expect("the digest report is JSON")
}

fn raise(w: &crate::World, partnership: i64, title: &str, severity: &str) -> i64 {
    let out = w.app.cli(&[
        "flags",
        "raise",
        "--partnership",
        &partnership.to_string(),
        "--title",
        title,
        "--severity",
        severity,
    ]);
    out.assert_ok();
    out.last_line().parse().unwrap()
}

/// Every mail the outbox holds, once the sink has them all; the digests among them.
async fn digests(w: &crate::World) -> Vec<crate::sink::Received> {
    let total = w.app.db.count("outbox") as usize;
    w.mail(total)
        .await
        .into_iter()
        .filter(|m| m.header("Subject").is_some_and(|s| s.starts_with(SUBJECT)))
        .collect()
}

world_test!(
    the_digest_lists_the_open_flags_in_scope_and_overdue_actions_once_a_week,
    |w| {
        let sam = w.add_user("sam@ombuds.test", "ombudsman", false, false);
        w.scope_user(sam, w.partnership);
        let other = w.app.create_partnership("Zeta / Yonder").await;
        let eve = w.add_user("eve@ombuds.test", "ombudsman", false, false);
        w.scope_user(eve, other);
        let quiet = w.app.create_partnership("Quiet pair").await;
        let nia = w.add_user("nia@ombuds.test", "ombudsman", false, false);
        w.scope_user(nia, quiet);
        w.add_user("dan@ombuds.test", "ombudsman", true, true);
        let mia = w.add_user("mia@acme.test", "manager", false, false);
        w.scope_user(mia, w.partnership);

        w.run_cli(6);
        let manual = raise(&w, w.partnership, "Decisions keep being reversed", "high");
        raise(&w, other, "Zeta invoices disputed", "low");
        let r = w
            .app
            .post(&format!("/api/flags/{manual}/actions"))
            .json(&json!({"what": "Call the steering group", "owner_user_id": sam, "due_on": "2020-01-31"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let open: Vec<Value> = w
            .app
            .get("/api/flags")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let ours = open
            .iter()
            .filter(|f| f["partnership_id"] == w.partnership)
            .count();
        assert!(ours > 2, "{open:?}");
        let decline = open
            .iter()
            .find(|f| f["rule"] == "decline" && f["scope"] == "dimension:trust:supplier")
            .expect("the supplier's trust decline is open");
        let measured = format!("{:.2}", decline["measured"].as_f64().unwrap());
        assert_eq!(measured, "0.82");

        // Accounts made today are not due yet.
        let report = digest(&w, &[]);
        assert_eq!(report["queued"], json!([]));

        age_accounts(&w);
        let report = digest(&w, &[]);
        assert_eq!(report["queued"], json!([sam, eve]));
        assert_eq!(
            report["empty"], 1,
            "the quiet pair's ombudsman gets nothing"
        );
        let again = digest(&w, &[]);
        assert_eq!(again["queued"], json!([]), "a second pass queues nothing");
        assert_eq!(w.app.db.count("outbox WHERE kind = 'flag_digest'"), 2);
        assert_eq!(
            w.app
                .db
                .count("audit_log WHERE action = 'flag.digests_queued'"),
            1
        );

        let mail = digests(&w).await;
        assert_eq!(mail.len(), 2);
        let to = |who: &str| {
            mail.iter()
                .find(|m| m.to.iter().any(|t| t.contains(who)))
                .unwrap_or_else(|| panic!("no digest to {who}"))
        };
        let sams = to("sam@");
        assert_eq!(
            sams.header("Subject").unwrap(),
            format!("{SUBJECT}: {ours} open flags, 1 overdue action")
        );
        for body in [
            sams.part("text/plain").unwrap(),
            sams.part("text/html").unwrap(),
        ] {
            assert!(body.contains(&format!("{ours} open flags")), "{body}");
            assert!(body.contains(&format!("measured {measured}")), "{body}");
            assert!(body.contains("Decisions keep being reversed"), "{body}");
            assert!(body.contains("Call the steering group"), "{body}");
            assert!(body.contains("2020-01-31"), "{body}");
            assert!(body.contains("Acme / Bolt"), "{body}");
            assert!(body.contains(&format!("/flags/{manual}")), "{body}");
            assert!(!body.contains("Zeta"), "out of scope: {body}");
        }
        let eves = to("eve@").part("text/plain").unwrap();
        assert!(eves.contains("Zeta invoices disputed"), "{eves}");
        assert!(!eves.contains("Acme / Bolt"), "{eves}");
        assert!(mail.iter().all(|m| !m
            .to
            .iter()
            .any(|t| t.contains("nia@") || t.contains("dan@") || t.contains("mia@"))));
    }
);

world_test!(an_ombudsman_who_opts_out_gets_no_digest, |w| {
    let sam = w.add_user("sam@ombuds.test", "ombudsman", false, false);
    w.scope_user(sam, w.partnership);
    let olga = w.add_user("olga@ombuds.test", "ombudsman", true, false);
    raise(&w, w.partnership, "Decisions keep being reversed", "medium");
    w.app
        .cli(&["user", "digest", "--email", "sam@ombuds.test", "--off"])
        .assert_ok();
    let report = digest(&w, &["--now"]);
    assert_eq!(report["queued"], json!([olga]));
    let mail = digests(&w).await;
    assert_eq!(mail.len(), 1);
    assert!(mail[0].to.iter().all(|t| t.contains("olga@")));

    w.app
        .cli(&["user", "digest", "--email", "sam@ombuds.test", "--on"])
        .assert_ok();
    let report = digest(&w, &["--now"]);
    assert_eq!(report["queued"], json!([sam, olga]));
    assert_eq!(w.app.db.count("outbox WHERE kind = 'flag_digest'"), 3);
});
