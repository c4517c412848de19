//! Templates are versioned by content: a wave run on a five-point version keeps reporting five
//! categories after the template file moves to four points, while new answers follow the file.

use serde_json::{json, Value};
use tandem::app::settings::Settings;
use tandem::db::DatabaseUrl;
use tandem::server::Application;

use crate::both_backends;
use crate::common::ADMIN_TOKEN;

fn template(labels: &str) -> String {
    format!(
        r#"id = "practice"
title = "Practice"
[scale]
kind = "frequency"
labels = {labels}
dont_know = "Don't know"
[[dimensions]]
id = "talk"
name = "Talk"
[[items]]
id = "clear_lines"
dimension = "talk"
customer = "We know whom to call at {{partner}}."
supplier = "We know whom to call at {{partner}}."
"#
    )
}

const FIVE: &str = r#"["Never", "Rarely", "Sometimes", "Often", "Always"]"#;
const FOUR: &str = r#"["Never", "Sometimes", "Often", "Always"]"#;

fn history(values: &[u8]) -> String {
    history_of_wave(1, values)
}

fn history_of_wave(wave: i64, values: &[u8]) -> String {
    let mut csv = String::from("wave,firm,respondent,level,function,item,value\n");
    for (i, v) in values.iter().enumerate() {
        csv.push_str(&format!(
            "{wave},customer,c{i},staff,sales,clear_lines,{v}\n"
        ));
        csv.push_str(&format!(
            "{wave},supplier,s{i},staff,sales,clear_lines,{v}\n"
        ));
    }
    csv
}

async fn report(client: &reqwest::Client, base: &str, id: i64) -> Value {
    let r = client
        .get(format!("{base}/api/partnerships/{id}/report"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn customer_counts(report: &Value) -> Vec<String> {
    let rec = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["side"] == "customer" && r["segment_kind"] == "all")
        .expect("a customer record");
    let mut keys: Vec<String> = rec["counts"].as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

both_backends!(
    a_wave_keeps_its_five_point_scale_after_the_template_moves_to_four,
    |app| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("practice.toml"), template(FIVE)).unwrap();
        let path = dir.path().to_path_buf();
        // A first server reads the five-point file (the `app` of the macro has no custom folder).
        let mut settings = Settings::embedded(app.db.dir.path().join("data5"));
        settings.database_url = DatabaseUrl::parse(&app.db.url).unwrap();
        settings.bind = "127.0.0.1:0".parse().unwrap();
        settings.admin_token = Some(ADMIN_TOKEN.into());
        settings.scheduler_interval = None;
        settings.templates_dir = Some(path.clone());
        let five = Application::build(settings.clone()).await.unwrap();
        let base5 = format!("http://127.0.0.1:{}", five.port());
        tokio::spawn(five.run_until_stopped());
        let client = reqwest::Client::new();
        let r = client
            .post(format!("{base5}/api/partnerships"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({"name": "P", "customer": "A", "supplier": "B", "template": "practice"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let r = client
            .post(format!("{base5}/api/partnerships/{id}/history"))
            .bearer_auth(ADMIN_TOKEN)
            .header("content-type", "text/csv")
            .body(history(&[1, 2, 3, 4, 5]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let before = report(&client, &base5, id).await;
        assert_eq!(before["scale"]["points"], 5);
        assert_eq!(customer_counts(&before), ["1", "2", "3", "4", "5"]);

        // The file moves to four points; a server started on it (as after an upgrade).
        std::fs::write(dir.path().join("practice.toml"), template(FOUR)).unwrap();
        let mut settings4 = settings;
        settings4.data_dir = app.db.dir.path().join("data4");
        let four = Application::build(settings4).await.unwrap();
        let base4 = format!("http://127.0.0.1:{}", four.port());
        tokio::spawn(four.run_until_stopped());

        let after = report(&client, &base4, id).await;
        assert_eq!(
            after["scale"]["points"], 5,
            "the wave keeps its version's scale"
        );
        assert_eq!(after["scale"]["labels"][1], "Rarely");
        assert_eq!(customer_counts(&after), ["1", "2", "3", "4", "5"]);
        assert_eq!(
            after["items"], before["items"],
            "the same numbers as before"
        );

        // A second wave on the four-point file: the report follows the latest scale, wave 1
        // keeps its five counts, and the item page writes wave 1's counts out rather than
        // squeezing them into four columns.
        let r = client
            .post(format!("{base4}/api/partnerships/{id}/history"))
            .bearer_auth(ADMIN_TOKEN)
            .header("content-type", "text/csv")
            .body(history_of_wave(2, &[1, 2, 3, 4, 4]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let both = report(&client, &base4, id).await;
        assert_eq!(both["scale"]["points"], 4);
        let wave1: Vec<&Value> = both["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["wave"] == 1)
            .collect();
        let before_items: Vec<&Value> = before["items"].as_array().unwrap().iter().collect();
        assert_eq!(wave1, before_items, "wave 1 unchanged by wave 2");
        let admin = app
            .signed_in("admin@example.com", tandem::auth::Role::Admin, vec![])
            .await;
        let page = admin
            .get(format!("{base4}/partnerships/{id}/items/clear_lines"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        assert!(
            page.contains("5-point scale — 1: 1 · 2: 1 · 3: 1 · 4: 1 · 5: 1 · don&#39;t know: 0")
                || page
                    .contains("5-point scale — 1: 1 · 2: 1 · 3: 1 · 4: 1 · 5: 1 · don't know: 0"),
            "wave 1's five counts written out: {page}"
        );
        assert!(
            page.contains("asked on a 5-point scale: its counts are in the table"),
            "the distribution chart says why wave 1 has no bar"
        );
        for label in ["Never", "Sometimes", "Often", "Always"] {
            assert!(
                page.contains(&format!("<th scope=\"col\">{label}</th>")),
                "{label}"
            );
        }

        // New answers follow the file: a 5 is now refused.
        let r = client
            .post(format!("{base4}/api/partnerships"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({"name": "Q", "customer": "C", "supplier": "D", "template": "practice"}))
            .send()
            .await
            .unwrap();
        let q = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let r = client
            .post(format!("{base4}/api/partnerships/{q}/history"))
            .bearer_auth(ADMIN_TOKEN)
            .header("content-type", "text/csv")
            .body(history(&[1, 2, 3, 4, 5]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("outside the scale 1..4"));
    }
);
