//! One security-header middleware: `nosniff` on every response, HSTS behind https, and
//! `Cache-Control: no-store` on API JSON and every page that shows results.

use reqwest::header::{CACHE_CONTROL, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS};
use tandem::auth::Role;

use crate::both_backends;
use crate::common::{Backend, TestApp};

both_backends!(
    every_response_says_nosniff_and_results_are_never_stored,
    |app| {
        let partnership = app.create_partnership("Headers").await;
        let admin = app.signed_in("root@tandem.test", Role::Admin, vec![]).await;

        let mut seen = Vec::new();
        for path in ["/healthz", "/login", "/no/such/page", "/api/partnerships"] {
            seen.push((path.to_owned(), app.get(path).send().await.unwrap()));
        }
        for path in [
            format!("/api/partnerships/{partnership}"),
            format!("/partnerships/{partnership}"),
            "/flags".to_owned(),
        ] {
            seen.push((
                path.clone(),
                admin.get(app.url(&path)).send().await.unwrap(),
            ));
        }

        for (path, r) in &seen {
            assert_eq!(
                r.headers()
                    .get(X_CONTENT_TYPE_OPTIONS)
                    .map(|v| v.to_str().unwrap()),
                Some("nosniff"),
                "{path}"
            );
            assert_eq!(
                r.headers().get(CACHE_CONTROL).map(|v| v.to_str().unwrap()),
                Some("no-store"),
                "{path}"
            );
            assert!(
                r.headers().get(STRICT_TRANSPORT_SECURITY).is_none(),
                "{path}: plain http"
            );
        }
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_is_sent_when_the_public_url_is_https() {
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.public_base_url = Some("https://tandem.example.com".into());
    })
    .await
    else {
        return;
    };

    let r = app.client.get(app.url("/login")).send().await.unwrap();

    assert_eq!(
        r.headers()
            .get(STRICT_TRANSPORT_SECURITY)
            .map(|v| v.to_str().unwrap()),
        Some("max-age=31536000; includeSubDomains")
    );
}
