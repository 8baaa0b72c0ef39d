//! The readable twin of the planner's typed-array API: one JSON document with every asset's key,
//! deps, status, causes and whether it is planned. For tests and debugging, never for hot paths.

use crate::id::{ExtId, Pos};
use crate::plan::NO_DEP;
use crate::state::{Planner, FRESH, MISSING};

fn json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

impl Planner {
    /// JSON of the whole state, assets in external id order. O(n + e); allocates one string.
    pub fn to_json(&self) -> String {
        let g = &self.graph;
        let mut out = String::from("{\"assets\":[");
        for ext in (0..g.len() as u32).map(ExtId) {
            let v: Pos = g.int_of(ext);
            if ext.0 > 0 {
                out.push(',');
            }
            out.push_str("{\"key\":");
            json_str(g.key(v), &mut out);
            out.push_str(",\"deps\":[");
            for (i, &u) in g.deps(v).iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_str(g.key(u), &mut out);
            }
            let status = match self.status_int(v) {
                MISSING => "missing",
                FRESH => "fresh",
                _ => "stale",
            };
            out.push_str(&format!(
                "],\"source\":{},\"topo\":{v},\"status\":\"{status}\",\"planned\":{},\"causes\":[",
                g.is_source(v),
                self.is_planned(v)
            ));
            for (i, (kind, dep)) in self.causes_int(v).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str("{\"kind\":");
                json_str(kind.as_str(), &mut out);
                if dep != NO_DEP {
                    out.push_str(",\"dep\":");
                    json_str(self.dep_key(dep).unwrap_or("?"), &mut out);
                }
                out.push('}');
            }
            out.push_str("]}");
        }
        out.push_str("]}");
        out
    }
}
