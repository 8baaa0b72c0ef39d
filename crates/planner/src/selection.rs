//! Selections evaluated over the planner: the graph and the current statuses seen through
//! [`SelectionGraph`], in topological positions, returned as external ids.

use crate::error::PlannerError;
use crate::id::{ExtId, Pos};
use crate::select::{select_union, SelectionGraph, Status};
use crate::state::{Planner, FRESH, MISSING};

impl SelectionGraph for Planner {
    fn len(&self) -> usize {
        self.graph.len()
    }
    fn key(&self, id: Pos) -> &str {
        self.graph.key(id)
    }
    fn deps(&self, id: Pos) -> &[Pos] {
        self.graph.deps(id)
    }
    fn children(&self, id: Pos) -> &[Pos] {
        self.graph.children(id)
    }
    fn labels(&self, id: Pos) -> &[u32] {
        self.graph.labels(id)
    }
    fn label_count(&self) -> usize {
        self.graph.label_names().len()
    }
    fn label_name(&self, label: u32) -> &str {
        &self.graph.label_names()[label as usize]
    }
    fn status(&self, id: Pos) -> Status {
        match self.status_int(id) {
            MISSING => Status::Missing,
            FRESH => Status::Fresh,
            _ => Status::Stale,
        }
    }
    fn find_key(&self, key: &str) -> Option<Pos> {
        self.graph.find_ext(key).map(|e| self.graph.int_of(e))
    }
}

impl Planner {
    /// Evaluates the union of selection expressions; returns external ids, ascending. Cost: O(n + e)
    /// for graph walks and wildcards; parse errors point at the column.
    pub fn select(&self, exprs: &[&str]) -> Result<Vec<ExtId>, PlannerError> {
        let member = select_union(exprs, self)?;
        let mut out: Vec<ExtId> = member
            .iter()
            .enumerate()
            .filter(|(_, &m)| m)
            .map(|(v, _)| self.graph.ext_of(Pos(v as u32)))
            .collect();
        out.sort_unstable();
        Ok(out)
    }
}
