//! `TANDEM_SKIP_PG=1 cargo test`: the tests' PostgreSQL halves are compiled as ignored, with
//! the reason, so `cargo test` lists each as skipped instead of hiding a skip in a line of
//! output nobody sees (without it, a test that cannot reach PostgreSQL fails). Nothing else
//! of the build depends on it.
fn main() {
    println!("cargo::rerun-if-env-changed=TANDEM_SKIP_PG");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(tandem_skip_pg)");
    if std::env::var("TANDEM_SKIP_PG").as_deref() == Ok("1") {
        println!("cargo::rustc-cfg=tandem_skip_pg");
    }
}
