//! Rivers planning core: the asset graph, hashing, staleness with early cutoff, selections and plans.
//! Pure Rust, no Node: the napi binding in `bindings/node` is a thin layer over this crate.
//! `SPEC.md` beside this crate is the contract every function here follows.
#![forbid(unsafe_code)]

mod bitheap;
pub mod error;
mod fxmap;
pub mod graph;
pub mod hash;
pub mod id;
pub mod key;
pub mod keylist;
mod labels;
mod pair_column;
pub mod partitions;
pub mod plan;
pub mod select;
pub mod selection;
pub mod state;
pub mod view;

pub use error::{ErrorCode, PlannerError};
pub use graph::{Graph, GraphInput, GraphParts, LabelInput};
pub use id::{ExtId, Pos};
pub use keylist::KeyList;
pub use partitions::PartitionSet;
pub use plan::{CauseKind, CauseTable, Plan, RootCauseTable, NO_DEP};
pub use state::{Planner, RecordBatch, FRESH, MISSING, STALE};
