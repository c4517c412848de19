use serde_json::{json, Value};

use crate::both_backends;
use crate::common::{run_cli_env, Backend, TestApp, TestDb};

#[test]
fn templates_check_passes_on_the_shipped_templates() {
    let Some(db) = TestDb::fresh(Backend::Sqlite) else {
        return;
    };
    let out = crate::common::run_cli(&db, &["templates", "check"]);
    out.assert_ok();
    for id in [
        "partnership-perception",
        "supplier-competencies",
        "partnership-practices",
    ] {
        assert!(out.stdout.contains(&format!("ok {id} v")), "{}", out.stdout);
    }
    assert!(
        out.stdout.contains("(8 items, 3 dimensions)"),
        "{}",
        out.stdout
    );
}

#[test]
fn templates_check_names_the_file_the_item_and_the_problem() {
    let Some(db) = TestDb::fresh(Backend::Sqlite) else {
        return;
    };
    let dir = db.dir.path().join("own-templates");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("pulse.toml"),
        r#"id = "pulse"
title = "Pulse"
[scale]
kind = "agreement"
labels = ["Yes"]
dont_know = "Don't know"
[[dimensions]]
id = "trust"
name = "Trust"
[[items]]
id = "trust"
dimension = "trsut"
customer = "We trust {partner}."
supplier = "We trust {partner}."
[[items]]
id = "trust"
dimension = "trust"
customer = "Again."
"#,
    )
    .unwrap();
    let out = run_cli_env(
        &db,
        &["templates", "check"],
        &[("TANDEM_TEMPLATES_DIR", dir.to_str().unwrap())],
    );
    assert_eq!(out.status, 1, "{}", out.stdout);
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(text.contains("pulse.toml"), "{text}");
    assert!(
        text.contains("item \"trust\": dimension \"trsut\" is not declared"),
        "{text}"
    );
    assert!(
        text.contains("2 to 11 labels") && text.contains("found 1"),
        "a one-label scale is named: {text}"
    );
    assert!(
        text.contains("supplier"),
        "the missing wording is named: {text}"
    );
    // the service refuses to start on broken templates rather than running without them
    let out = run_cli_env(
        &db,
        &["partnership", "list"],
        &[("TANDEM_TEMPLATES_DIR", dir.to_str().unwrap())],
    );
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains("survey templates are not valid"),
        "{}",
        out.stderr
    );
}

async fn app_with_own_template(backend: Backend) -> Option<(TestApp, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pulse.toml"),
        r#"id = "pulse"
title = "Quarterly pulse"
[scale]
kind = "agreement"
labels = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]
dont_know = "Don't know"
[[dimensions]]
id = "trust"
name = "Trust"
[[items]]
id = "trust"
dimension = "trust"
customer = "We trust {partner}."
supplier = "We trust {partner}."
"#,
    )
    .unwrap();
    let path = dir.path().to_path_buf();
    let app = TestApp::spawn_with(backend, move |s| s.templates_dir = Some(path)).await?;
    Some((app, dir))
}

async fn an_organisations_own_template_is_usable(backend: Backend) {
    let Some((app, _dir)) = app_with_own_template(backend).await else {
        return;
    };
    let list: Value = app
        .get("/api/templates")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"pulse") && ids.contains(&"partnership-perception"),
        "{ids:?}"
    );
    let perception = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "partnership-perception")
        .unwrap();
    assert_eq!(perception["items"], 8, "eight items unless opted in");
    assert_eq!(
        perception["optional_dimensions"],
        json!([{"id": "joint_future", "name": "Joint future",
                "items": ["achieve_together", "long_term_future", "invests_in_future"]}])
    );
    let r = app
        .post("/api/partnerships")
        .json(&json!({"name": "P", "customer": "A", "supplier": "B", "template": "pulse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let csv = "wave,firm,respondent,level,function,item,value\n1,customer,r1,staff,sales,trust,4\n1,customer,r1,staff,sales,win_win,4\n";
    let r = app
        .post(&format!("/api/partnerships/{id}/history"))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "win_win is not in the pulse template");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organisations_own_template_is_usable_sqlite() {
    an_organisations_own_template_is_usable(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
async fn an_organisations_own_template_is_usable_postgres() {
    an_organisations_own_template_is_usable(Backend::Postgres).await;
}

both_backends!(a_wave_keeps_the_exact_template_body_it_used, |app| {
    let id = app.create_partnership("P").await;
    let csv = "wave,firm,respondent,level,function,item,value\n1,customer,r1,staff,sales,trust,4\n";
    let r = app
        .post(&format!("/api/partnerships/{id}/history"))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let shipped = include_str!("../../survey-templates/partnership-perception.toml");
    let pool = app.db.pool();
    let mut conn = pool.get().unwrap();
    let stored =
        tandem::db::template_versions::find_by_version(&mut conn, &tandem::secrets::hash(shipped))
            .unwrap()
            .expect("the wave's template version is stored by its content hash");
    assert_eq!(stored.body, shipped);
});
