//! Partitions: sets of partition indices ([`PartitionSet`]), mappings between two assets' index
//! spaces ([`Mapping`]) and per-partition staleness and plans ([`PartitionedPlanner`]). `SPEC.md`
//! ("Partitions") is the contract. The core sees only indices `0 .. size`, never partition keys.

pub mod batch;
pub mod inputs;
pub mod mapping;
pub mod plan;
pub mod product;
pub mod query;
pub mod set;
pub mod state;
#[cfg(test)]
mod state_reference;
pub mod update;

pub use batch::PartitionRecordBatch;
pub use inputs::input_fingerprint_of;
pub use mapping::Mapping;
pub use plan::PartitionPlan;
pub use product::ProductDim;
pub use set::PartitionSet;
pub use state::{PartitionSpec, PartitionedPlanner, StatusSummary};
