//! CSV imports (rosters, historic responses). Each import is all-or-nothing: the whole file is
//! parsed and checked first, every problem is reported as `line N, column C: reason`, and
//! only a file without problems is written, in one transaction.

pub mod responses;
pub mod roster;
