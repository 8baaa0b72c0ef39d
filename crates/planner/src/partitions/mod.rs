//! Partitions: sets of partition indices ([`PartitionSet`]), mappings between two assets' index
//! spaces ([`Mapping`]) and per-partition staleness and plans ([`PartitionedPlanner`]). `SPEC.md`
//! ("Partitions") is the contract. The core sees only indices `0 .. size`, never partition keys.

pub mod mapping;
pub mod product;
pub mod set;

pub use mapping::Mapping;
pub use product::ProductDim;
pub use set::PartitionSet;
