//! Text that cannot be stored faithfully is refused where it enters: a NUL character
//! anywhere (JSON, forms, CSV, query strings) with 422 naming the field, and a form whose
//! bytes are not UTF-8 with 400 — instead of a 500 on PostgreSQL, a NUL kept on SQLite, or
//! U+FFFD stored in place of what was typed.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{csrf_of, Backend, TestApp};
use crate::{both_backends, submission, world_test, ITEMS};

/// A respondent form body with every item answered 4, then `extra` (already encoded).
fn form_body(extra: &str) -> String {
    let mut body: Vec<String> = ITEMS.iter().map(|i| format!("item.{i}=4")).collect();
    body.push(extra.to_owned());
    body.join("&")
}

fn fields(body: &Value) -> Vec<String> {
    body["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|p| p["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

world_test!(
    a_nul_in_a_comment_is_refused_with_422_naming_the_field,
    |w| {
        w.open_wave().await;
        let token = w.token_for("c0@north.test");

        let json_reply = w
            .submit(
                &token,
                &submission(4, json!({"changes": "before\u{0}after"})),
            )
            .await;
        let form_reply = w
            .app
            .client
            .post(w.app.url(&format!("/s/{token}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body("open.changes=before%00after"))
            .send()
            .await
            .unwrap();

        assert_eq!(json_reply.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = json_reply.json().await.unwrap();
        assert_eq!(fields(&body), ["comments.changes"], "{body}");
        assert_eq!(form_reply.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = form_reply.text().await.unwrap();
        assert!(
            page.contains("open.changes") && page.contains("NUL"),
            "{page}"
        );
        assert_eq!(w.app.db.count("comments"), 0);
        assert_eq!(w.app.db.count("responses"), 0);
    }
);

both_backends!(
    a_nul_in_the_sign_in_email_is_refused_not_a_server_error,
    |app| {
        let client = crate::helpers::browser();
        let page = client.get(app.url("/login")).send().await.unwrap();
        let csrf = csrf_of(&page.text().await.unwrap());

        let r = client
            .post(app.url("/login"))
            .form(&[
                ("email", "ann\u{0}@north.test"),
                ("password", "a long enough password"),
                ("csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();

        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let text = r.text().await.unwrap();
        assert!(text.contains("email") && text.contains("NUL"), "{text}");
        assert_eq!(app.db.count("audit_log WHERE action = 'sign_in.failed'"), 0);
    }
);

both_backends!(
    a_nul_in_a_flag_note_is_refused_with_422_naming_the_field,
    |app| {
        let partnership = crate::audit::import_fixture(&app, "Notes");
        let r = app
            .post(&format!("/api/partnerships/{partnership}/flags/run?wave=5"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let flags: Value = app
            .get(&format!("/api/partnerships/{partnership}/flags"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let flag = flags.as_array().unwrap()[0]["id"].as_i64().unwrap();

        let note = app
            .post(&format!("/api/flags/{flag}/notes"))
            .json(&json!({"note": "call\u{0}them"}))
            .send()
            .await
            .unwrap();
        let acknowledged = app
            .post(&format!("/api/flags/{flag}/acknowledge"))
            .json(&json!({"note": "\u{0}"}))
            .send()
            .await
            .unwrap();

        assert_eq!(note.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&note.json().await.unwrap()), ["note"]);
        assert_eq!(acknowledged.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let detail: Value = app
            .get(&format!("/api/flags/{flag}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(detail["state"], "open", "nothing changed: {detail}");
    }
);

both_backends!(a_nul_in_an_imported_csv_is_refused_with_its_line, |app| {
    let partnership = app.create_partnership("Kpi").await;

    let r = app
        .post(&format!("/api/partnerships/{partnership}/kpis"))
        .header("content-type", "text/csv")
        .body("wave,kpi,value\n1,on time,90\n2,on\u{0}time,91\n")
        .send()
        .await
        .unwrap();

    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["problems"][0]["line"], 3, "{body}");
    assert!(body["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("NUL"));
    assert_eq!(app.db.count("kpis"), 0);
});

#[test]
fn a_nul_in_a_csv_file_is_refused_by_the_importer_itself() {
    // The CLI reads files without HTTP: the table reader refuses the cell.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(app) = rt.block_on(TestApp::spawn(Backend::Sqlite)) else {
        return;
    };
    let id = app
        .cli(&[
            "partnership",
            "create",
            "--name",
            "Cli",
            "--customer",
            "A",
            "--supplier",
            "B",
        ])
        .last_line()
        .to_owned();
    let file = crate::common::write_file(&app.db, "kpi.csv", b"wave,kpi,value\n1,a\0b,3\n");

    let out = app.cli(&[
        "kpi",
        "import",
        "--partnership",
        &id,
        file.to_str().unwrap(),
    ]);

    assert_ne!(out.status, 0);
    assert!(
        out.stderr.contains("line 2, column 2") && out.stderr.contains("NUL"),
        "{}",
        out.stderr
    );
}

both_backends!(a_nul_in_a_query_parameter_is_refused, |app| {
    let r = app
        .client
        .get(app.url("/login?next=/%00"))
        .send()
        .await
        .unwrap();

    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
});

world_test!(
    invalid_utf8_in_a_form_is_refused_not_stored_as_replacement_characters,
    |w| {
        w.open_wave().await;
        let token = w.token_for("c0@north.test");

        let r = w
            .app
            .client
            .post(w.app.url(&format!("/s/{token}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body("open.changes=caf%E9"))
            .send()
            .await
            .unwrap();

        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let page = r.text().await.unwrap();
        assert!(page.contains("not valid UTF-8"), "{page}");
        assert_eq!(w.app.db.count("responses"), 0);
        assert_eq!(w.app.db.count("comments"), 0);
    }
);
