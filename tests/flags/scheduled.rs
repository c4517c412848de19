//! The rules run when the scheduler closes a wave (not only on demand), and the response
//! rules see a side that went nearly silent — from invitation counts, with no statistic of
//! its withheld answers.

use chrono::TimeDelta;
use serde_json::{json, Value};

use crate::world_test;

/// 10 customer people and 20 supplier people.
fn roster() -> String {
    let mut csv = String::from("email,name,side,level,function,region,roles\n");
    for i in 0..10 {
        csv.push_str(&format!("c{i}@acme.test,C {i},customer,staff,sales,EU,\n"));
    }
    for i in 0..20 {
        csv.push_str(&format!(
            "s{i}@bolt.test,S {i},supplier,staff,operations,US,\n"
        ));
    }
    csv
}

fn token_in(text: &str) -> String {
    let at = text.find("/s/").expect("a survey link in the mail") + 3;
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Imports the roster and opens a wave through the API; its sequence number.
async fn open_wave_for_the_roster(w: &crate::World) -> i64 {
    let p = w.partnership;
    let r = w
        .app
        .post(&format!("/api/partnerships/{p}/roster"))
        .header("content-type", "text/csv")
        .body(roster())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = w
        .app
        .post(&format!("/api/partnerships/{p}/waves"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["seq"].as_i64().unwrap()
}

/// Answers every item of the default template with `value` through the personal link.
async fn answer_all(w: &crate::World, token: &str, value: u8) {
    let answers: serde_json::Map<String, Value> = [
        "win_win",
        "shares_rewards",
        "trust",
        "dependable_people",
        "holds_up_end",
        "common_objectives",
        "does_homework",
        "decides_and_sticks",
    ]
    .iter()
    .map(|i| ((*i).to_owned(), json!(value)))
    .collect();
    let r = w
        .app
        .client
        .post(w.app.url(&format!("/api/responses/{token}")))
        .json(&json!({ "answers": answers }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

/// One scheduler pass 60 days from now, well after the wave's window: it closes the wave
/// and runs the rules.
async fn scheduler_pass_after_the_window(w: &crate::World) -> tandem::services::waves::TickReport {
    let pool = w.app.db.pool();
    let base = w.app.address.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        let catalog = tandem::survey_templates::Catalog::load(None).unwrap();
        let links = tandem::mail::Links { base_url: base };
        let later = tandem::db::now() + TimeDelta::days(60);
        tandem::services::waves::tick_at(&mut conn, &catalog, later, &links).unwrap()
    })
    .await
    .unwrap()
}

world_test!(
    a_scheduler_closed_wave_runs_the_rules_and_a_silent_side_is_flagged,
    |w| {
        let seq = open_wave_for_the_roster(&w).await;

        // Every customer answers; one supplier of twenty does.
        let mails = w.mail(30).await;
        let mut answered = 0;
        for m in &mails {
            let to = m.to.join(",");
            if !(to.contains("@acme.test") || to.contains("s0@bolt.test")) {
                continue;
            }
            let token = token_in(&m.part("text/plain").expect("a text part"));
            answer_all(&w, &token, 4).await;
            answered += 1;
        }
        assert_eq!(answered, 11);

        // The scheduler, well after the window: it closes the wave and runs the rules.
        let closed = scheduler_pass_after_the_window(&w).await;
        assert!(
            format!("{closed:?}").contains(&format!("{seq}")),
            "the pass closed wave {seq}: {closed:?}"
        );

        let flags = w.flags().await;
        let on_wave = |rule: &str| -> Vec<&Value> {
            flags
                .iter()
                .filter(|f| f["rule"] == rule && f["wave"] == seq)
                .collect()
        };
        let low = on_wave("low_response");
        assert_eq!(low.len(), 1, "{flags:#?}");
        assert_eq!(low[0]["scope"], "side:supplier");
        assert_eq!(low[0]["measured"], 0.05);
        assert_eq!(low[0]["details"]["invited"], 20);
        assert_eq!(low[0]["details"]["responded"], 1);
        let imbalance = on_wave("response_imbalance");
        assert_eq!(imbalance.len(), 1, "{flags:#?}");
        assert_eq!(imbalance[0]["details"]["lower_side"], "supplier");
        assert_eq!(imbalance[0]["details"]["lower_responded"], 1);
        // Nothing of the supplier's one answer: no rule on its numbers fired for this wave,
        // and the details of the response flags hold counts and rates only.
        for f in flags.iter().filter(|f| f["wave"] == seq) {
            let scope = f["scope"].as_str().unwrap();
            assert!(
                !scope.ends_with(":supplier") || f["rule"] == "low_response",
                "a rule fired on the withheld supplier's answers: {f}"
            );
            let details = f["details"].to_string();
            if f["rule"] == "low_response" || f["rule"] == "response_imbalance" {
                assert!(!details.contains("mean"), "{details}");
            }
        }
    }
);

world_test!(
    a_scheduler_closed_wave_flags_a_split_firm_and_a_gap_between_the_firms,
    |w| {
        let p = w.partnership;
        let seq = open_wave_for_the_roster(&w).await;
        // The customer splits into two camps (five answer 1, five answer 5: rwg(j) 0) and
        // every supplier answers 5: a gap of 2 points between the firms.
        for m in w.mail(30).await {
            let to = m.to.join(",");
            let first_digit = to.strip_prefix('c').and_then(|t| t.chars().next());
            let value = match first_digit.and_then(|d| d.to_digit(10)) {
                Some(d) if to.contains("@acme.test") && d < 5 => 1,
                _ => 5,
            };
            let token = token_in(&m.part("text/plain").expect("a text part"));
            answer_all(&w, &token, value).await;
        }
        let closed = scheduler_pass_after_the_window(&w).await;
        assert_eq!(closed.closed, vec![(p, seq)]);
        let flags = w.flags().await;
        let on_wave = |rule: &str, scope: &str| {
            flags
                .iter()
                .find(|f| f["rule"] == rule && f["scope"] == scope && f["wave"] == seq)
                .unwrap_or_else(|| panic!("no {rule} on {scope} in wave {seq}: {flags:#?}"))
        };
        for dimension in ["win_win", "trust", "shared_objectives"] {
            let split = on_wave("low_agreement", &format!("dimension:{dimension}:customer"));
            assert_eq!(split["measured"], 0.0, "{split}");
            assert_eq!(split["severity"], "high");
            let gap = on_wave("inter_firm_gap", &format!("dimension:{dimension}"));
            assert_eq!(gap["measured"], 2.0, "{gap}");
            assert_eq!(gap["details"]["higher"], "supplier");
        }
        assert!(
            !flags.iter().any(|f| f["wave"] == seq
                && f["rule"] == "low_agreement"
                && f["scope"].as_str().unwrap().ends_with(":supplier")),
            "the supplier answered alike: {flags:#?}"
        );
        assert!(!flags
            .iter()
            .any(|f| f["wave"] == seq && f["rule"].as_str().unwrap().contains("response")));
    }
);

/// `tandem bench flags` through the real binary: every rule gets its null rate and the
/// planted effects their detection rates (small, so it runs in the suite).
#[test]
fn the_flag_bench_prints_a_rate_per_rule() {
    let db = crate::common::TestDb::fresh(crate::common::Backend::Sqlite).unwrap();
    let out = crate::common::run_cli(
        &db,
        &[
            "bench", "flags", "--runs", "2", "--waves", "12", "--people", "20",
        ],
    );
    out.assert_ok();
    assert!(
        out.stdout
            .contains("2 generated partnerships per scenario, 12 waves × 2 firms × 20 people"),
        "{}",
        out.stdout
    );
    for rule in [
        "inter_firm_gap",
        "low_agreement",
        "decline",
        "segment_gap",
        "shift",
        "low_response",
        "response_imbalance",
    ] {
        let line = out
            .stdout
            .lines()
            .find(|l| l.starts_with(rule))
            .unwrap_or_else(|| panic!("no line for {rule}: {}", out.stdout));
        assert!(line.contains('%'), "{line}");
    }
    let silent = out
        .stdout
        .lines()
        .find(|l| l.starts_with("low_response"))
        .unwrap();
    assert!(silent.contains("silent supplier: 100 %"), "{silent}");
    let bad = crate::common::run_cli(&db, &["bench", "flags", "--waves", "5"]);
    assert_ne!(bad.status, 0);
    assert!(
        bad.stderr.contains("--waves must be at least 12"),
        "{}",
        bad.stderr
    );
}
