//! Benchmarks run from the CLI (`tandem bench report|mail`): they seed synthetic data through
//! the storage layer and time the real code paths. Tooling, not a use case: only `cli` calls
//! them, and nothing here is reachable from a request.

pub mod flags;
pub mod mail;
pub mod report;
