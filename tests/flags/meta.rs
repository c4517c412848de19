//! Meta-perception end to end, on both backends: a partnership on the mirror template, waves
//! with planted answers (the supplier trusts the customer at about 2, the customer guesses
//! the supplier trusts it at 4.5), then the report JSON, the CSV export, the dashboard, the
//! review pack and the `blind_spot` flag — and a side under the minimum withheld.

use serde_json::Value;
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::common::TestApp;
use tandem::auth::Role;

/// Supplier's own answers to `trust` and the customer's guesses of them (`trust_meta`).
const SUPPLIER_TRUST: [u8; 6] = [2, 2, 2, 1, 3, 2];
const CUSTOMER_GUESS: [u8; 6] = [5, 4, 5, 4, 5, 4];
/// Customer's own trust and the supplier's guesses of it: read accurately.
const CUSTOMER_TRUST: [u8; 6] = [4, 3, 4, 4, 3, 4];
const SUPPLIER_GUESS: [u8; 6] = [4, 3, 4, 3, 4, 4];

/// A partnership on the mirror template with one closed wave of planted answers; `suppliers`
/// supplier respondents (of the planted six).
fn planted(app: &TestApp, name: &str, suppliers: usize) -> i64 {
    let out = app.cli(&[
        "partnership",
        "create",
        "--name",
        name,
        "--customer",
        "Globex",
        "--supplier",
        "Acme",
        "--template",
        "partnership-perception-mirror",
    ]);
    out.assert_ok();
    let id: i64 = out.last_line().parse().unwrap();
    let mut csv = String::from("wave,firm,respondent,level,function,item,value\n");
    let mut row = |firm: &str, who: String, item: &str, value: u8| {
        csv.push_str(&format!("1,{firm},{who},staff,sales,{item},{value}\n"));
    };
    for i in 0..6 {
        row("customer", format!("c{i}"), "trust", CUSTOMER_TRUST[i]);
        row("customer", format!("c{i}"), "trust_meta", CUSTOMER_GUESS[i]);
        row("customer", format!("c{i}"), "win_win", 3);
        if i < suppliers {
            row("supplier", format!("s{i}"), "trust", SUPPLIER_TRUST[i]);
            row("supplier", format!("s{i}"), "trust_meta", SUPPLIER_GUESS[i]);
            row("supplier", format!("s{i}"), "win_win", 3);
        }
    }
    let file = crate::common::write_file(&app.db, &format!("{id}.csv"), csv.as_bytes());
    app.cli(&[
        "responses",
        "import",
        "--partnership",
        &id.to_string(),
        file.to_str().unwrap(),
    ])
    .assert_ok();
    id
}

/// Welch's test recomputed from the planted answers: (guess mean, actual mean, t, df, p).
fn welch(guess: &[u8], actual: &[u8]) -> (f64, f64, f64, f64, f64) {
    let moments = |xs: &[u8]| {
        let n = xs.len() as f64;
        let mean = xs.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
        let var = xs
            .iter()
            .map(|&x| (f64::from(x) - mean).powi(2))
            .sum::<f64>()
            / (n - 1.0);
        (n, mean, var)
    };
    let ((n1, m1, v1), (n2, m2, v2)) = (moments(guess), moments(actual));
    let (a, b) = (v1 / n1, v2 / n2);
    let t = (m1 - m2) / (a + b).sqrt();
    let df = (a + b).powi(2) / (a * a / (n1 - 1.0) + b * b / (n2 - 1.0));
    let p = 2.0 * (1.0 - StudentsT::new(0.0, 1.0, df).unwrap().cdf(t.abs()));
    (m1, m2, t, df, p)
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

async fn report(app: &TestApp, id: i64) -> Value {
    let r = app
        .get(&format!("/api/partnerships/{id}/report?wave=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

crate::both_backends!(
    a_customer_that_overrates_the_supplier_trust_is_a_blind_spot,
    |app| {
        let id = planted(&app, "Globex / Acme", 6);

        let doc = report(&app, id).await;
        let records = doc["meta_accuracy"].as_array().unwrap();
        // three pairs on the mirror template, two guessing firms each
        assert_eq!(records.len(), 6, "{records:?}");
        let rec = |item: &str, side: &str| {
            records
                .iter()
                .find(|r| r["item"] == item && r["side"] == side)
                .unwrap_or_else(|| panic!("no {item} record of the {side}"))
                .clone()
        };
        let customer = rec("trust", "customer");
        let (m1, m2, t, df, p) = welch(&CUSTOMER_GUESS, &SUPPLIER_TRUST);
        assert_eq!(customer["meta_item"], "trust_meta");
        assert!(customer["suppressed"].is_null());
        assert!(close(&customer["guess_mean"], m1) && close(&customer["actual_mean"], m2));
        assert_eq!(
            (customer["guess_n"].as_u64(), customer["actual_n"].as_u64()),
            (Some(6), Some(6))
        );
        assert!(close(&customer["meta_error"], m1 - m2), "{customer}");
        assert!(
            close(&customer["welch_t"], t) && close(&customer["welch_df"], df),
            "{customer}"
        );
        assert!(
            (customer["welch_p"].as_f64().unwrap() - p).abs() < 1e-9,
            "{customer} vs {p}"
        );
        assert!(p < 0.05 && m1 - m2 >= 0.5);
        let ci = customer["diff_ci95"].as_array().unwrap();
        assert!(ci[0].as_f64().unwrap() < m1 - m2 && m1 - m2 < ci[1].as_f64().unwrap());
        assert_eq!(
            customer["words"],
            "Globex believes Acme rates trust higher than Acme does"
        );
        let supplier = rec("trust", "supplier");
        let (_, _, _, _, p_s) = welch(&SUPPLIER_GUESS, &CUSTOMER_TRUST);
        assert!(
            p_s >= 0.05,
            "the planted supplier guess is accurate: p {p_s}"
        );
        assert_eq!(
            supplier["words"],
            "Acme reads Globex's view of trust accurately (no significant difference)"
        );
        // nobody answered the win-win guess: no test, and no number
        assert!(rec("win_win", "customer")["meta_error"].is_null());

        // the CSV carries the section
        let om = app
            .signed_in("om@example.com", Role::Ombudsman, vec![(id, None)])
            .await;
        let csv = om
            .get(app.url(&format!("/partnerships/{id}/export.csv?wave=1")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let meta_error_row = csv
            .lines()
            .find(|l| l.starts_with("meta_accuracy,1,customer,") && l.contains(",meta_error,"))
            .unwrap_or_else(|| panic!("no meta_error row for the customer:\n{csv}"));
        let value: f64 = meta_error_row.rsplit(',').next().unwrap().parse().unwrap();
        assert!((value - (m1 - m2)).abs() < 1e-9, "{meta_error_row}");
        assert!(meta_error_row.contains("trust"), "{meta_error_row}");

        // the dashboard and the review pack, for someone who sees both firms
        for path in [
            format!("/partnerships/{id}"),
            format!("/partnerships/{id}/review?wave=1"),
        ] {
            let html = om
                .get(app.url(&path))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                html.contains("How well each firm reads the other"),
                "{path}"
            );
            assert!(
                html.contains("Globex believes Acme rates trust higher than Acme does"),
                "{path}"
            );
            assert!(
                html.contains(&format!("+{:.2}", m1 - m2)),
                "{path}: the meta-error"
            );
        }
        // a one-side manager sees nothing that combines both firms
        let one_side = app
            .signed_in(
                "mgr@example.com",
                Role::Manager,
                vec![(id, Some(tandem::domain::Side::Customer))],
            )
            .await;
        let html = one_side
            .get(app.url(&format!("/partnerships/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!html.contains("How well each firm reads the other"));
        assert!(!html.contains("believes Acme rates"));

        // the blind_spot flag fires for the customer's trust guess, and only there
        let r = app
            .post(&format!("/api/partnerships/{id}/flags/run?wave=1"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let flags = app
            .get(&format!("/api/partnerships/{id}/flags"))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        let text = flags.to_string();
        let blind: Vec<&Value> = flags
            .as_array()
            .or_else(|| flags["flags"].as_array())
            .unwrap_or_else(|| panic!("a list of flags: {text}"))
            .iter()
            .filter(|f| f["rule"] == "blind_spot")
            .collect();
        assert_eq!(blind.len(), 1, "{text}");
        assert_eq!(blind[0]["scope"], "meta:trust:customer", "{text}");
        assert!(close(&blind[0]["measured"], m1 - m2), "{text}");
    }
);

crate::both_backends!(
    a_meta_accuracy_with_a_side_under_the_minimum_is_withheld,
    |app| {
        let id = planted(&app, "Globex / Acme small", 3);

        let doc = report(&app, id).await;
        let records = doc["meta_accuracy"].as_array().unwrap();
        assert_eq!(records.len(), 6);
        for r in records {
            assert!(r["suppressed"].is_string(), "withheld: {r}");
            assert!(
                r["meta_error"].is_null() && r["guess_mean"].is_null(),
                "no number: {r}"
            );
            assert!(r["words"].is_null(), "{r}");
        }
        let customer = records
            .iter()
            .find(|r| r["item"] == "trust" && r["side"] == "customer")
            .unwrap();
        assert!(
            customer["suppressed"]
                .as_str()
                .unwrap()
                .contains("supplier answers are withheld"),
            "{customer}"
        );
        let r = app
            .post(&format!("/api/partnerships/{id}/flags/run?wave=1"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body = r.text().await.unwrap();
        assert!(!body.contains("blind_spot"), "{body}");
    }
);
