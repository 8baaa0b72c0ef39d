//! A small in-memory [`SelectionGraph`] for tests, and the warehouse graph most tests use.

use std::collections::HashMap;

use crate::id::Pos;
use crate::select::{Selection, SelectionError, SelectionGraph, Status};

pub(super) struct TestGraph {
    keys: Vec<String>,
    deps: Vec<Vec<Pos>>,
    children: Vec<Vec<Pos>>,
    labels: Vec<Vec<u32>>,
    label_names: Vec<String>,
    status: Vec<Status>,
    index: HashMap<String, Pos>,
}

impl TestGraph {
    /// `deps[i]` are ids; `labels[i]` are label texts (`group:raw`); the label table holds the
    /// distinct labels in order of first use.
    pub(super) fn from_parts(
        keys: Vec<String>,
        deps: Vec<Vec<u32>>,
        labels: Vec<Vec<String>>,
        status: Vec<Status>,
    ) -> TestGraph {
        let deps: Vec<Vec<Pos>> = deps
            .into_iter()
            .map(|ds| ds.into_iter().map(Pos).collect())
            .collect();
        let mut children = vec![Vec::new(); keys.len()];
        for (id, ds) in deps.iter().enumerate() {
            for &d in ds {
                children[d.idx()].push(Pos(id as u32));
            }
        }
        let mut label_names: Vec<String> = Vec::new();
        let labels = labels
            .into_iter()
            .map(|ls| {
                ls.into_iter()
                    .map(|l| match label_names.iter().position(|x| *x == l) {
                        Some(i) => i as u32,
                        None => {
                            label_names.push(l);
                            (label_names.len() - 1) as u32
                        }
                    })
                    .collect()
            })
            .collect();
        let index = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), Pos(i as u32)))
            .collect();
        TestGraph {
            keys,
            deps,
            children,
            labels,
            label_names,
            status,
            index,
        }
    }

    /// Assets as `(key, deps by key, labels, status)`; deps must come earlier in the list.
    pub(super) fn new(assets: &[(&str, &[&str], &[&str], Status)]) -> TestGraph {
        let keys: Vec<String> = assets.iter().map(|a| a.0.to_owned()).collect();
        let id = |k: &str| {
            keys.iter()
                .position(|x| x == k)
                .expect("dep declared earlier") as u32
        };
        let deps = assets
            .iter()
            .map(|a| a.1.iter().map(|d| id(d)).collect())
            .collect();
        let labels = assets
            .iter()
            .map(|a| a.2.iter().map(|l| (*l).to_owned()).collect())
            .collect();
        let status = assets.iter().map(|a| a.3).collect();
        TestGraph::from_parts(keys.clone(), deps, labels, status)
    }

    pub(super) fn keys_of(&self, members: &[bool]) -> Vec<&str> {
        let mut out: Vec<&str> = members
            .iter()
            .enumerate()
            .filter(|(_, m)| **m)
            .map(|(i, _)| self.keys[i].as_str())
            .collect();
        out.sort_unstable();
        out
    }

    /// Keys selected by `src`, sorted.
    pub(super) fn select(&self, src: &str) -> Vec<&str> {
        let members = self
            .try_select(src)
            .unwrap_or_else(|e| panic!("{src}: {e}"));
        self.keys_of(&members)
    }

    pub(super) fn try_select(&self, src: &str) -> Result<Vec<bool>, SelectionError> {
        Selection::parse(src)?.evaluate(self)
    }
}

impl SelectionGraph for TestGraph {
    fn len(&self) -> usize {
        self.keys.len()
    }
    fn key(&self, id: Pos) -> &str {
        &self.keys[id.idx()]
    }
    fn deps(&self, id: Pos) -> &[Pos] {
        &self.deps[id.idx()]
    }
    fn children(&self, id: Pos) -> &[Pos] {
        &self.children[id.idx()]
    }
    fn labels(&self, id: Pos) -> &[u32] {
        &self.labels[id.idx()]
    }
    fn label_count(&self) -> usize {
        self.label_names.len()
    }
    fn label_name(&self, label: u32) -> &str {
        &self.label_names[label as usize]
    }
    fn status(&self, id: Pos) -> Status {
        self.status[id.idx()]
    }
    fn find_key(&self, key: &str) -> Option<Pos> {
        self.index.get(key).copied()
    }
}

/// ```text
/// raw/orders ──> stg/orders ──────> mart/revenue_daily ──> report/kpis
/// raw/customers ─> stg/customers ─┬─┘
///                                 └─> mart/users_daily
/// raw/events
/// ```
pub(super) fn warehouse() -> TestGraph {
    use Status::*;
    TestGraph::new(&[
        (
            "raw/orders",
            &[],
            &["group:raw", "owner:ana", "tag:pii=true"],
            Fresh,
        ),
        ("raw/customers", &[], &["group:raw", "tag:pii"], Fresh),
        ("raw/events", &[], &["group:raw", "tag:env=dev"], Missing),
        (
            "stg/orders",
            &["raw/orders"],
            &["group:staging", "kind:dbt"],
            Stale,
        ),
        (
            "stg/customers",
            &["raw/customers"],
            &["group:staging", "kind:dbt", "tag:pii=false"],
            Fresh,
        ),
        (
            "mart/revenue_daily",
            &["stg/orders", "stg/customers"],
            &["group:mart", "kind:python", "owner:bo", "tag:env=prod"],
            Stale,
        ),
        (
            "mart/users_daily",
            &["stg/customers"],
            &["group:mart", "kind:python", "owner:bo"],
            Missing,
        ),
        (
            "report/kpis",
            &["mart/revenue_daily"],
            &["owner:ana", "owner:team:data"],
            Missing,
        ),
    ])
}
