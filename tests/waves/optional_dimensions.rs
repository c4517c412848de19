//! The perception template's optional `joint_future` dimension (the seeds' "what can the two
//! firms achieve jointly that neither can alone"): left out until a partnership opts in, then
//! asked from the next wave with its open question, reported like any dimension, and the
//! waves already run keep every number.

use serde_json::{json, Value};
use tandem::auth::Role;

use crate::common::{Backend, ADMIN_TOKEN};
use crate::{World, ITEMS};

/// The items of the optional dimension.
const FUTURE: [&str; 3] = ["achieve_together", "long_term_future", "invests_in_future"];

fn roster() -> String {
    let mut csv = String::from("email,name,side,level,function,region,roles\n");
    for i in 0..6 {
        csv.push_str(&format!("c{i}@acme.com,C {i},customer,staff,sales,EU,\n"));
        csv.push_str(&format!("s{i}@bolt.com,S {i},supplier,staff,sales,EU,\n"));
    }
    csv
}

/// Person i of a side answers `base + i % 2` to every default item and `future[i]` to each
/// joint-future item.
fn answers(base: u8, i: usize, future: Option<u8>) -> Value {
    let mut map = serde_json::Map::new();
    for item in ITEMS {
        map.insert(item.into(), json!(base + (i % 2) as u8));
    }
    if let Some(v) = future {
        for item in FUTURE {
            map.insert(item.into(), json!(v));
        }
    }
    Value::Object(map)
}

const CUSTOMER_FUTURE: [u8; 6] = [5, 4, 4, 3, 5, 4];
const SUPPLIER_FUTURE: [u8; 6] = [2, 3, 2, 2, 1, 3];

fn records<'a>(report: &'a Value, section: &str, wave: i64) -> Vec<&'a Value> {
    report[section]
        .as_array()
        .unwrap_or_else(|| panic!("{section}: {report}"))
        .iter()
        .filter(|r| r["wave"] == wave)
        .collect()
}

async fn submit(w: &World, who: &str, body: &Value) -> reqwest::Response {
    let token = w.token_for(who);
    w.app
        .client
        .post(w.app.url(&format!("/api/responses/{token}")))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn close_wave(w: &World) {
    let r = w
        .app
        .post(&format!("/api/partnerships/{}/waves/close", w.partnership))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
}

async fn report(w: &World) -> Value {
    let r = w
        .app
        .get(&format!("/api/partnerships/{}/report", w.partnership))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_joint_future_dimension_is_asked_only_after_opting_in_sqlite() {
    joint_future_is_asked_only_after_opting_in(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
async fn the_joint_future_dimension_is_asked_only_after_opting_in_postgres() {
    joint_future_is_asked_only_after_opting_in(Backend::Postgres).await;
}

fn patch(w: &World, body: &Value) -> reqwest::RequestBuilder {
    w.app
        .client
        .patch(w.app.url(&format!("/api/partnerships/{}", w.partnership)))
        .bearer_auth(ADMIN_TOKEN)
        .json(body)
}

/// Wave 1 without the optional dimension, opting in, wave 2 with it.
async fn joint_future_is_asked_only_after_opting_in(backend: Backend) {
    let definition = json!({"name": "Future", "customer": "Acme", "supplier": "Bolt",
                            "min_comment_size": 5});
    let Some(w) = World::with(backend, Some(definition), &roster()).await else {
        return;
    };
    let id = w.partnership;
    {
        // Wave 1: not opted in — the form asks the eight default items and nothing of the future.
        w.open_wave().await;
        w.mail(12).await;
        let form = w
            .app
            .client
            .get(w.app.url(&format!("/s/{}", w.token_for("c0@acme.com"))))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(form.contains("We can trust Bolt."), "{form}");
        assert!(
            !form.contains("achieve_together"),
            "not asked before opting in"
        );
        assert!(!form.contains("neither firm could achieve alone"));
        // An answer to an item the wave does not ask is refused, nothing stored.
        let r = submit(
            &w,
            "c0@acme.com",
            &json!({"answers": answers(4, 0, Some(5))}),
        )
        .await;
        assert_eq!(r.status(), 422, "{}", r.text().await.unwrap());
        assert_eq!(w.app.db.count("answers"), 0);
        for i in 0..6 {
            for (side, base, domain) in [("c", 4, "acme"), ("s", 2, "bolt")] {
                let r = submit(
                    &w,
                    &format!("{side}{i}@{domain}.com"),
                    &json!({"answers": answers(base, i, None)}),
                )
                .await;
                assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
            }
        }
        close_wave(&w).await;
        let before = report(&w).await;
        assert!(
            before["dimensions"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["dimension"] != "joint_future"),
            "not in a report before it is asked"
        );

        // Opting in: a dimension that is not optional, or unknown, is refused and nothing stored.
        for bad in [json!(["trust"]), json!(["joint_futur"])] {
            let r = patch(&w, &json!({ "optional_dimensions": bad }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 422, "{bad}");
            let body: Value = r.json().await.unwrap();
            let text = body.to_string();
            assert!(text.contains("optional_dimensions"), "{text}");
            assert!(text.contains("not an optional dimension"), "{text}");
            assert!(
                text.contains("joint_future"),
                "names what is optional: {text}"
            );
        }
        let shown: Value = w
            .app
            .get(&format!("/api/partnerships/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(shown["optional_dimensions"], json!([]));
        let r = patch(&w, &json!({ "optional_dimensions": ["joint_future"] }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let view: Value = r.json().await.unwrap();
        assert_eq!(view["optional_dimensions"], json!(["joint_future"]));
        assert_eq!(
            w.app.db.count(
                "audit_log WHERE action = 'partnership.edited' \
                 AND details LIKE '%optional_dimensions: none → joint_future%'"
            ),
            1,
            "the opt-in is audited"
        );

        // Wave 2 asks the three joint-future items and the open question, in the right words.
        w.open_wave().await;
        w.mail(24).await;
        let form = w
            .app
            .client
            .get(w.app.url(&format!("/s/{}", w.token_for("c0@acme.com"))))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            form.contains(
                "Together with Bolt we can achieve things neither firm could achieve alone."
            ),
            "{form}"
        );
        assert!(form.contains("What could our two firms achieve jointly"));
        // Leaving the new items out is a skipped question like any other.
        let r = submit(&w, "c0@acme.com", &json!({"answers": answers(4, 0, None)})).await;
        assert_eq!(r.status(), 422, "{}", r.text().await.unwrap());
        let text = r.text().await.unwrap();
        assert!(text.contains("achieve_together"), "{text}");
        for i in 0..6 {
            for (side, base, domain, future) in [
                ("c", 4, "acme", CUSTOMER_FUTURE),
                ("s", 2, "bolt", SUPPLIER_FUTURE),
            ] {
                let comment = format!("Joint idea number {i} of {side}");
                let r = submit(
                    &w,
                    &format!("{side}{i}@{domain}.com"),
                    &json!({
                        "answers": answers(base, i, Some(future[i])),
                        "comments": {"joint_achievement": comment}
                    }),
                )
                .await;
                assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
            }
        }
        close_wave(&w).await;

        let after = report(&w).await;
        // Wave 1's numbers are exactly what they were.
        for section in ["items", "dimensions", "groups"] {
            assert_eq!(
                records(&after, section, 1),
                records(&before, section, 1),
                "wave 1 {section} unchanged"
            );
        }
        // Wave 2's joint-future dimension: the mean of the planted answers, per side.
        for (side, future) in [("customer", CUSTOMER_FUTURE), ("supplier", SUPPLIER_FUTURE)] {
            let rec = records(&after, "dimensions", 2)
                .into_iter()
                .find(|r| {
                    r["side"] == side
                        && r["segment_kind"] == "all"
                        && r["dimension"] == "joint_future"
                })
                .unwrap_or_else(|| panic!("a {side} joint_future record: {after}"));
            let expected = future.iter().map(|&v| f64::from(v)).sum::<f64>() / 6.0;
            let mean = rec["mean"].as_f64().unwrap();
            assert!(
                (mean - expected).abs() < 1e-12,
                "{side}: {mean} vs {expected}"
            );
            assert_eq!(rec["n_respondents"], 6);
            assert_eq!(rec["items"], json!(FUTURE));
        }

        // The dashboard names the dimension and shows its comments (six per side ≥ the comment
        // minimum of 5).
        let admin = w
            .app
            .signed_in("admin@example.com", Role::Admin, vec![])
            .await;
        let html = admin
            .get(w.app.url(&format!("/partnerships/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Joint future"), "dimension named");
        for (path, expected) in [
            (
                format!("/partnerships/{id}/items/achieve_together"),
                "Together with",
            ),
            (format!("/partnerships/{id}/review"), "Joint future"),
            (format!("/partnerships/{id}/export.csv"), "achieve_together"),
        ] {
            let r = admin.get(w.app.url(&path)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            let body = r.text().await.unwrap();
            assert!(body.contains(expected), "{path}: {expected}");
        }
        let comments = html
            .find("id=\"comments\"")
            .map_or("", |at| &html[at..(at + 3000).min(html.len())]);
        assert!(
            html.contains("Joint idea number 3 of c"),
            "comment shown: {comments}"
        );
    }
}
