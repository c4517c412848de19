use serde_json::Value;

use crate::both_backends;

/// The routes the OpenAPI document must describe, from the route table the application
/// registers (`tandem::web::routes`): the JSON API and the public health routes — all but
/// the document itself and the Prometheus metrics. `(method, path)` in the document's spelling.
fn documented() -> Vec<(String, String)> {
    use tandem::web::routes::{table, Audience};
    table()
        .into_iter()
        .filter(|r| matches!(r.audience, Audience::Api | Audience::Public))
        .filter(|r| r.path != "/api/openapi.json")
        // Prometheus's text format for a scraper, described in docs/operations.md
        .filter(|r| r.path != "/metrics")
        .map(|r| (r.verb.as_str().to_lowercase(), r.path.to_owned()))
        .collect()
}

both_backends!(
    the_openapi_document_lists_every_route_and_each_one_exists,
    |app| {
        let doc: Value = app
            .client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let mut listed: Vec<(String, String)> = Vec::new();
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for method in ops.as_object().unwrap().keys() {
                listed.push((method.clone(), path.clone()));
            }
        }
        listed.sort();
        let mut expected = documented();
        expected.sort();
        assert!(expected.len() > 30, "the route table lists the API");
        assert_eq!(listed, expected, "documented routes");

        // Every documented route is served: with an existing id and an empty body it answers
        // anything but "no such route" (404 without our error body, or 405).
        let id = app.create_partnership("P").await;
        for (method, path) in &documented() {
            let url = path
                .replace("{id}", &id.to_string())
                .replace("{goal}", "999")
                .replace("{key}", "no-such-series")
                .replace("{objective}", "999")
                .replace("{milestone}", "999");
            let req = match method.as_str() {
                "get" => app.get(&url),
                "put" => app
                    .client
                    .put(app.url(&url))
                    .bearer_auth(crate::common::ADMIN_TOKEN)
                    .json(&serde_json::json!({})),
                "delete" => app
                    .client
                    .delete(app.url(&url))
                    .bearer_auth(crate::common::ADMIN_TOKEN),
                "patch" => app
                    .client
                    .patch(app.url(&url))
                    .bearer_auth(crate::common::ADMIN_TOKEN)
                    .json(&serde_json::json!({})),
                _ => app.post(&url).header("content-type", "text/csv").body(""),
            };
            let r = req.send().await.unwrap();
            assert_ne!(r.status(), 405, "{method} {path}");
            assert!(r.status().as_u16() < 500, "{method} {path}: {}", r.status());
            if path.starts_with("/api/flags/{id}")
                || path.starts_with("/api/users/{id}")
                || path.contains("{goal}")
                || path.contains("{key}")
                || path.contains("{objective}")
                || path.contains("{milestone}")
            {
                // There is no such flag, user, goal, objective or milestone: a 404 must be ours, not "no such route".
                if r.status() == 404 {
                    let body: Value = r.json().await.expect("our JSON error body");
                    let error = body["error"].as_str().unwrap();
                    assert!(
                        error.contains("no flag")
                            || error.contains("no goal")
                            || error.contains("no user")
                            || error.contains("no survey series")
                            || error.contains("no objective")
                            || error.contains("no milestone"),
                        "{method} {path}: {error}"
                    );
                }
            } else {
                assert_ne!(r.status(), 404, "{method} {path}");
            }
        }
        // every error status a route declares has a JSON body schema
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for name in [
            "ErrorBody",
            "PartnershipView",
            "PartnershipInput",
            "RosterSummary",
            "HistorySummary",
        ] {
            assert!(schemas.contains_key(name), "schema {name} is documented");
        }
    }
);

both_backends!(
    the_document_and_the_answers_agree_on_times_parameters_and_errors,
    |app| {
        let doc: Value = app
            .get("/api/openapi.json")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // Every operation that reads a body documents the two ways a body is refused.
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["in"] == "query")
                {
                    for status in ["400", "422"] {
                        assert!(
                            op["responses"].get(status).is_some(),
                            "{method} {path} takes a query but does not document {status}"
                        );
                    }
                }
                if op.get("requestBody").is_some() {
                    for status in ["400", "415", "422"] {
                        assert!(
                            op["responses"].get(status).is_some(),
                            "{method} {path} does not document {status}"
                        );
                    }
                }
                // A query struct's fields are query parameters, not path ones.
                for p in op["parameters"].as_array().into_iter().flatten() {
                    if p["in"] == "path" {
                        let name = p["name"].as_str().unwrap();
                        assert!(
                            path.contains(&format!("{{{name}}}")),
                            "{method} {path}: {p}"
                        );
                    }
                }
            }
        }
        // Timestamps are RFC 3339 with their zone, as `format: date-time` requires.
        app.create_partnership("Zoned").await;
        let list: Value = app
            .get("/api/partnerships")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let created = list[0]["created_at"].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(created).is_ok() && created.ends_with('Z'),
            "{created}"
        );
        // A method no route serves: 405, not a 404 for a path that exists.
        let trace = app
            .client
            .request(
                reqwest::Method::from_bytes(b"TRACE").unwrap(),
                app.url("/api/partnerships"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(trace.status(), 405);
        // An API path no route serves: 404 with the JSON error body, not an empty one.
        let r = app.get("/api/no-such-thing").send().await.unwrap();
        assert_eq!(r.status(), 404);
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("/api/no-such-thing"),
            "{body}"
        );
        // Found by schemathesis: a path served with other methods answers 405 naming
        // them, in the API as JSON and elsewhere as text (it was 404).
        for (method, path, allow) in [
            (reqwest::Method::PUT, "/api/partnerships", "GET, HEAD, POST"),
            (reqwest::Method::DELETE, "/api/flags", "GET, HEAD"),
            (reqwest::Method::PUT, "/healthz", "GET, HEAD"),
            (reqwest::Method::POST, "/readyz", "GET, HEAD"),
        ] {
            let r = app
                .client
                .request(method.clone(), app.url(path))
                .bearer_auth(crate::common::ADMIN_TOKEN)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 405, "{method} {path}");
            assert_eq!(r.headers()["allow"], allow, "{method} {path}");
            let text = r.text().await.unwrap();
            assert!(
                text.contains(&format!("{method} {path} is not served")),
                "{text}"
            );
        }
        // The audit log's `format` is exactly json, csv or empty, as documented; CSV is
        // documented as a media type of its 200.
        for (format, status) in [("", 200), ("json", 200), ("csv", 200), ("CSV", 400)] {
            let r = app
                .get(&format!("/api/audit?format={format}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), status, "format={format}");
        }
        let audit = &doc["paths"]["/api/audit"]["get"]["responses"]["200"]["content"];
        assert!(audit.get("text/csv").is_some(), "{audit}");
        // Whole-number floats are integers (JSON Schema); a non-object body is refused.
        let r = app
            .get("/api/partnerships")
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        let id = r[0]["id"].as_i64().unwrap();
        let r = app
            .client
            .patch(app.url(&format!("/api/partnerships/{id}")))
            .bearer_auth(crate::common::ADMIN_TOKEN)
            .json(&serde_json::json!({"response_window_days": 12.0}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let r = app
            .client
            .patch(app.url(&format!("/api/partnerships/{id}")))
            .bearer_auth(crate::common::ADMIN_TOKEN)
            .json(&serde_json::json!([null, 12]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        // The portfolio's kpi is a required query parameter: without it, 400 as JSON.
        let r = app.get("/api/portfolio/lead-lag").send().await.unwrap();
        assert_eq!(r.status(), 400);
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("kpi"), "{body}");
    }
);

both_backends!(
    the_document_describes_both_bearer_credentials_and_what_each_route_refuses,
    |app| {
        let doc: Value = app
            .get("/api/openapi.json")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let schemes = &doc["components"]["securitySchemes"];
        for name in ["admin_token", "personal_token"] {
            assert_eq!(schemes[name]["type"], "http", "{name}");
            assert_eq!(schemes[name]["scheme"], "bearer", "{name}");
        }
        let personal = schemes["personal_token"]["description"].as_str().unwrap();
        for words in ["tandem_pat_", "/account/tokens", "404", "403", "401"] {
            assert!(personal.contains(words), "{words}: {personal}");
        }
        // Open to every signed-in role, so never 403: reading what the caller sees.
        let never_forbidden = [
            ("get", "/api/partnerships/{id}/report"),
            ("get", "/api/partnerships/{id}/goals"),
            ("get", "/api/partnerships/{id}/plan"),
            ("get", "/api/portfolio"),
        ];
        let mut secured = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let Some(security) = op.get("security") else {
                    continue;
                };
                secured += 1;
                let names: Vec<&str> = security
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|s| s.as_object().unwrap().keys())
                    .map(String::as_str)
                    .collect();
                assert_eq!(names, ["admin_token", "personal_token"], "{method} {path}");
                let responses = &op["responses"];
                assert!(responses.get("401").is_some(), "{method} {path}: 401");
                if path.contains("{id}") {
                    assert!(responses.get("404").is_some(), "{method} {path}: 404");
                }
                let forbidden = responses.get("403").is_some();
                let open = never_forbidden.contains(&(method.as_str(), path.as_str()));
                assert_eq!(forbidden, !open, "{method} {path}: 403");
            }
        }
        assert_eq!(
            secured,
            documented().len() - 3,
            "all but health, readiness and answers"
        );
    }
);

/// Every type the OpenAPI document describes is a component under its name, and utoipa keeps
/// the last of two types with the same name: a goal's `Status` and an objective's `Status`
/// once shared one component, so the document said a goal's status was `planned` or `done`.
/// Each `ToSchema` type's component name (its `#[schema(as = …)]`, else its own name) must
/// be unique across `src/`.
#[test]
fn no_two_schema_types_share_a_component_name() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut names: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = source.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !(line.trim_start().starts_with("#[derive(") && line.contains("ToSchema")) {
                continue;
            }
            // the attributes and the item that follow the derive
            let mut alias = None;
            for next in &lines[i + 1..] {
                let next = next.trim_start();
                if let Some(rest) = next.strip_prefix("#[schema(as = ") {
                    alias = rest
                        .split([')', ','])
                        .next()
                        .map(|a| a.rsplit("::").next().unwrap_or(a).trim().to_owned());
                }
                let item = next
                    .strip_prefix("pub struct ")
                    .or_else(|| next.strip_prefix("pub enum "))
                    .or_else(|| next.strip_prefix("struct "))
                    .or_else(|| next.strip_prefix("enum "));
                if let Some(item) = item {
                    let name: String = item
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    let place = format!("{}:{}", file.display(), i + 1);
                    names.entry(alias.unwrap_or(name)).or_default().push(place);
                    break;
                }
            }
        }
    }
    assert!(
        names.len() > 50,
        "the scan found the schema types: {names:?}"
    );
    let shared: Vec<String> = names
        .iter()
        .filter(|(_, places)| places.len() > 1)
        .map(|(name, places)| format!("{name}: {}", places.join(", ")))
        .collect();
    assert!(
        shared.is_empty(),
        "schema types sharing a component name (give one #[schema(as = OtherName)]):\n{}",
        shared.join("\n")
    );
}
