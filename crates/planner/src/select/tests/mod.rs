//! Tests of the selection language: parsing, messages (insta snapshots under
//! `tests/snapshots/`), evaluation, properties against a naive reference, parser fuzzing, and
//! scale.

mod errors;
mod eval;
mod fuzz;
mod graph;
mod parse;
mod props;
mod scale;
