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
    let mut csv = String::from("wave,firm,respondent,level,function,item,value\n");
    for (i, v) in values.iter().enumerate() {
        csv.push_str(&format!("1,customer,c{i},staff,sales,clear_lines,{v}\n"));
        csv.push_str(&format!("1,supplier,s{i},staff,sales,clear_lines,{v}\n"));
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
