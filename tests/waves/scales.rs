//! A partnership on the four-point partnership-practices template (Never 1 … Always 4, plus
//! don't know): the form shows the scale's own labels and refuses 5; the report, the item page
//! and its chart show four categories; favourable = Always + Often; rwg uses A = 4.

use serde_json::{json, Value};
use tandem::auth::Role;

use crate::world_test;

/// The nine items of partnership-practices.
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

/// Each customer's answer (None: don't know), in roster order.
const CUSTOMER: [Option<u8>; 6] = [Some(4), Some(4), Some(3), Some(2), Some(4), None];
const SUPPLIER: [Option<u8>; 6] = [Some(1), Some(3), Some(2), Some(4), Some(2), Some(3)];

fn roster() -> String {
    let mut csv = String::from("email,name,side,level,function,region,roles\n");
    for i in 0..6 {
        csv.push_str(&format!("c{i}@acme.com,C {i},customer,staff,sales,EU,\n"));
        csv.push_str(&format!("s{i}@bolt.com,S {i},supplier,staff,sales,EU,\n"));
    }
    csv
}

fn form(answer: Option<u8>) -> Vec<(String, String)> {
    ITEMS
        .iter()
        .map(|i| {
            let v = answer.map_or_else(|| "dk".to_owned(), |v| v.to_string());
            (format!("item.{i}"), v)
        })
        .collect()
}

/// rwg = 1 − min(s², σ²_EU)/σ²_EU with σ²_EU = (4² − 1)/12, from the raw answers.
fn rwg_four_points(answers: &[Option<u8>]) -> f64 {
    let xs: Vec<f64> = answers.iter().flatten().map(|&v| f64::from(v)).collect();
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let null = (16.0 - 1.0) / 12.0;
    1.0 - var.min(null) / null
}

fn favourable(answers: &[Option<u8>]) -> f64 {
    let answered: Vec<u8> = answers.iter().flatten().copied().collect();
    let top = answered.iter().filter(|&&v| v >= 3).count();
    100.0 * top as f64 / answered.len() as f64
}

world_test!(
    a_four_point_frequency_survey_runs_from_form_to_report_with_four_categories,
    |w| {
        let r = w
            .app
            .post("/api/partnerships")
            .json(
                &json!({"name": "Practices", "customer": "Acme", "supplier": "Bolt",
                          "template": "partnership-practices"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let r = w
            .app
            .post(&format!("/api/partnerships/{id}/roster"))
            .header("content-type", "text/csv")
            .body(roster())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let r = w
            .app
            .post(&format!("/api/partnerships/{id}/waves"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        w.mail(12).await;

        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        // The form: the source's labels and don't know, points 1..4 only.
        let token = w.token_for("c0@acme.com");
        let page = client
            .get(w.app.url(&format!("/s/{token}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for label in ["Always", "Often", "Sometimes", "Never"] {
            assert!(
                page.contains(&format!(">{label}<")) || page.contains(label),
                "{label}"
            );
        }
        assert!(page.contains("Don&#39;t know") || page.contains("Don't know"));
        assert!(!page.contains("Rarely"), "the old fifth label is gone");
        assert!(page.contains("value=\"4\""));
        assert!(!page.contains("value=\"5\""), "no fifth point on the form");
        // 5 is refused, nothing stored.
        let mut five = form(Some(4));
        five[0].1 = "5".into();
        let r = client
            .post(w.app.url(&format!("/s/{token}")))
            .form(&five)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "5 is not a point of a four-point scale");
        assert_eq!(w.app.db.count("answers"), 0);

        for (side, answers, domain) in [("c", CUSTOMER, "acme"), ("s", SUPPLIER, "bolt")] {
            for (i, answer) in answers.iter().enumerate() {
                let token = w.token_for(&format!("{side}{i}@{domain}.com"));
                let r = client
                    .post(w.app.url(&format!("/s/{token}")))
                    .form(&form(*answer))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 303, "{side}{i}");
            }
        }
        let r = w
            .app
            .post(&format!("/api/partnerships/{id}/waves/close"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());

        // The report JSON.
        let report: Value = w
            .app
            .get(&format!("/api/partnerships/{id}/report"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(report["scale"]["points"], 4);
        assert_eq!(
            report["scale"]["labels"],
            json!(["Never", "Sometimes", "Often", "Always"])
        );
        assert_eq!(report["scale"]["favourable"], 2);
        for (side, answers) in [("customer", CUSTOMER), ("supplier", SUPPLIER)] {
            let rec = report["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| {
                    r["side"] == side && r["segment_kind"] == "all" && r["item"] == "clear_lines"
                })
                .unwrap_or_else(|| panic!("a {side} record: {report}"));
            let counts = rec["counts"].as_object().expect("counts shown");
            let keys: Vec<&str> = counts.keys().map(String::as_str).collect();
            assert_eq!(keys, ["1", "2", "3", "4"], "four categories");
            for point in 1..=4u8 {
                let expected = answers.iter().filter(|a| **a == Some(point)).count();
                assert_eq!(
                    counts[&point.to_string()],
                    expected,
                    "{side} count of {point}"
                );
            }
            let dk = answers.iter().filter(|a| a.is_none()).count();
            assert_eq!(rec["n_dont_know"], dk);
            let fav = rec["favourable_pct"].as_f64().unwrap();
            assert!(
                (fav - favourable(&answers)).abs() < 1e-9,
                "{side} favourable {fav}"
            );
            let rwg = rec["rwg"].as_f64().unwrap();
            let expected = rwg_four_points(&answers);
            assert!(
                (rwg - expected).abs() < 1e-12,
                "{side} rwg {rwg} vs {expected}"
            );
        }

        // The item page and its chart: four labelled categories and don't know.
        let manager = w
            .app
            .signed_in("m@acme.com", Role::Manager, vec![(id, None)])
            .await;
        let page = manager
            .get(w.app.url(&format!("/partnerships/{id}/items/clear_lines")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        for label in ["Never", "Sometimes", "Often", "Always"] {
            assert!(
                page.contains(&format!("<th scope=\"col\">{label}</th>")),
                "a column for {label}"
            );
        }
        assert!(!page.contains("Rarely"));
        let dashboard = manager
            .get(w.app.url(&format!("/partnerships/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(dashboard.status(), 200);
        let dashboard = dashboard.text().await.unwrap();
        assert!(
            dashboard.contains("mean on the 4-point scale"),
            "the dashboard names the scale"
        );
        assert!(
            dashboard.contains("Mean (1–4 scale)"),
            "the trend axis runs 1–4"
        );
        let review = manager
            .get(w.app.url(&format!("/partnerships/{id}/review")))
            .send()
            .await
            .unwrap();
        assert_eq!(review.status(), 200);
        let review = review.text().await.unwrap();
        assert!(
            review.contains("Means are on the 4-point scale from 1 = Never to 4 = Always"),
            "the review pack names the scale and its ends"
        );
        assert!(review.contains("Mean (1–4 scale)"), "its charts run 1–4");
    }
);
