//! Tests of the selection language: parsing, messages (insta snapshots under
//! `tests/snapshots/`), evaluation, properties against a naive reference, and scale.

mod errors;
mod eval;
mod graph;
mod parse;
mod props;
mod scale;
