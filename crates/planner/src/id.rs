//! The core's two id spaces, as two types that cannot be mixed up.
//!
//! - [`ExtId`]: an asset's **external id**, its position in the key list the graph was built from.
//!   Callers (the binding, JavaScript) speak only external ids; they are stable for a given input.
//! - [`Pos`]: an asset's **topological position** inside the [`Graph`](crate::Graph) (every
//!   dependency sits at a smaller position). The planner's per-asset state is indexed by it.
//!
//! Both are `u32` at run time (`#[repr(transparent)]`, no cost); arrays that cross the binding
//! stay plain `u32` slices and are converted where they enter ([`ExtId`]) or leave.

/// External id: the position of an asset in the input key list (what callers use).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct ExtId(pub u32);

/// Topological position of an asset inside a [`Graph`](crate::Graph).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Pos(pub u32);

impl ExtId {
    /// As an index into arrays ordered by external id.
    #[inline]
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

impl Pos {
    /// As an index into arrays ordered by topological position.
    #[inline]
    pub fn idx(self) -> usize {
        self.0 as usize
    }

    /// Every position of a graph of `n` assets, in topological order.
    #[inline]
    pub fn all(n: usize) -> impl DoubleEndedIterator<Item = Pos> + ExactSizeIterator + Clone {
        (0..n as u32).map(Pos)
    }
}

impl From<ExtId> for u32 {
    fn from(e: ExtId) -> u32 {
        e.0
    }
}

impl From<Pos> for u32 {
    fn from(v: Pos) -> u32 {
        v.0
    }
}

impl std::fmt::Display for ExtId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
