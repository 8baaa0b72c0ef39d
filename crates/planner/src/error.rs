//! The planner's one error type. Each kind has a small constructor that builds its message, so the
//! text users read is decided here and snapshot-tested, never assembled at a call site.

use std::fmt;

use crate::select::SelectionError;

/// Stable machine-readable error codes, shared with the binding (`err.code` in JavaScript).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A key is empty or has a character or segment that keys may not have.
    InvalidKey,
    /// Two assets have the same key.
    DuplicateKey,
    /// A dependency names no asset.
    UnknownDep,
    /// An asset depends on itself.
    SelfDep,
    /// The dependencies form a cycle.
    Cycle,
    /// A source asset was given dependencies.
    SourceWithDeps,
    /// Malformed arrays or an id out of range (a bug in the caller, not in the user's project).
    InvalidInput,
    /// The selection expression is invalid or names nothing that exists.
    Selection,
    /// A partition mapping between two assets' index spaces is malformed for their sizes.
    InvalidMapping,
    /// A partition index or partition set lies outside an asset's partitions.
    PartitionOutOfRange,
}

impl ErrorCode {
    /// The code string, e.g. `RIVERS_CYCLE`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidKey => "RIVERS_INVALID_KEY",
            ErrorCode::DuplicateKey => "RIVERS_DUPLICATE_KEY",
            ErrorCode::UnknownDep => "RIVERS_UNKNOWN_DEP",
            ErrorCode::SelfDep => "RIVERS_SELF_DEP",
            ErrorCode::Cycle => "RIVERS_CYCLE",
            ErrorCode::SourceWithDeps => "RIVERS_SOURCE_WITH_DEPS",
            ErrorCode::InvalidInput => "RIVERS_INVALID_INPUT",
            ErrorCode::Selection => "RIVERS_SELECTION",
            ErrorCode::InvalidMapping => "RIVERS_INVALID_MAPPING",
            ErrorCode::PartitionOutOfRange => "RIVERS_PARTITION_OUT_OF_RANGE",
        }
    }
}

/// An error of the planning core: a code, the keys it concerns, and the message users read.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannerError {
    /// Stable code.
    pub code: ErrorCode,
    /// Keys the error is about (the asset first), for programmatic use.
    pub keys: Vec<String>,
    /// The full message, naming the keys and saying how to fix it.
    pub message: String,
}

impl fmt::Display for PlannerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PlannerError {}

impl From<SelectionError> for PlannerError {
    fn from(e: SelectionError) -> Self {
        PlannerError {
            code: ErrorCode::Selection,
            keys: Vec::new(),
            message: e.to_string(),
        }
    }
}

fn err(code: ErrorCode, keys: Vec<String>, message: String) -> PlannerError {
    PlannerError {
        code,
        keys,
        message,
    }
}

/// A key that is empty or malformed. `position` is its index in the input.
pub fn invalid_key(key: &str, position: usize, reason: &str) -> PlannerError {
    err(
        ErrorCode::InvalidKey,
        vec![key.to_owned()],
        format!(
            "invalid asset key {key:?} (asset #{position}): {reason}. Keys are segments of letters, digits, '_', '-' and '.' joined by '/', e.g. \"raw/orders\""
        ),
    )
}

/// Two assets share a key.
pub fn duplicate_key(key: &str, first: usize, second: usize) -> PlannerError {
    err(
        ErrorCode::DuplicateKey,
        vec![key.to_owned()],
        format!("duplicate asset key \"{key}\" (assets #{first} and #{second}): every asset needs its own key; rename one of them"),
    )
}

/// A dependency id that names no asset.
pub fn unknown_dep(asset: &str, dep: u32, count: usize) -> PlannerError {
    err(
        ErrorCode::UnknownDep,
        vec![asset.to_owned()],
        format!("asset \"{asset}\" depends on asset #{dep}, but there are only {count} assets: add the dependency to the project, or remove it from \"{asset}\""),
    )
}

/// A dependency given by key that names no asset, with the closest key as a suggestion.
pub fn unknown_dep_key(asset: &str, dep: &str, closest: Option<&str>) -> PlannerError {
    let hint = match closest {
        Some(c) => format!(" (did you mean \"{c}\"?)"),
        None => String::new(),
    };
    err(
        ErrorCode::UnknownDep,
        vec![asset.to_owned(), dep.to_owned()],
        format!("asset \"{asset}\" depends on \"{dep}\", which is not an asset of this project{hint}: define it, or fix the dependency"),
    )
}

/// An asset that lists itself as a dependency.
pub fn self_dep(asset: &str) -> PlannerError {
    err(
        ErrorCode::SelfDep,
        vec![asset.to_owned()],
        format!(
            "asset \"{asset}\" depends on itself: remove \"{asset}\" from its own dependencies"
        ),
    )
}

/// A dependency cycle; `cycle` lists its keys in dependency order, without repeating the first.
pub fn cycle(cycle: Vec<String>) -> PlannerError {
    let mut path = cycle.join(" -> ");
    if let Some(first) = cycle.first() {
        path.push_str(" -> ");
        path.push_str(first);
    }
    let message = format!(
        "dependency cycle: {path} (\"a -> b\" means a depends on b): remove one of these dependencies to break the cycle"
    );
    err(ErrorCode::Cycle, cycle, message)
}

/// A source asset (observed, never built) that has dependencies.
pub fn source_with_deps(asset: &str) -> PlannerError {
    err(
        ErrorCode::SourceWithDeps,
        vec![asset.to_owned()],
        format!("source asset \"{asset}\" has dependencies: sources are observed, not built; make it a regular asset or drop its dependencies"),
    )
}

/// Malformed input arrays (a caller bug): says which array and what was expected.
pub fn invalid_input(what: impl Into<String>) -> PlannerError {
    err(
        ErrorCode::InvalidInput,
        Vec::new(),
        format!("invalid planner input: {}", what.into()),
    )
}

/// A partition mapping that does not fit the two index spaces. `assets` is `(downstream, upstream)`
/// when known; `kind` is the mapping kind (`window`, `coarsen`, ...); `reason` says what is wrong
/// and how to fix it.
pub fn invalid_mapping(assets: Option<(&str, &str)>, kind: &str, reason: &str) -> PlannerError {
    let (keys, place) = match assets {
        Some((down, up)) => (
            vec![down.to_owned(), up.to_owned()],
            format!(" from asset \"{down}\" to its dependency \"{up}\""),
        ),
        None => (Vec::new(), String::new()),
    };
    err(
        ErrorCode::InvalidMapping,
        keys,
        format!("invalid partition mapping \"{kind}\"{place}: {reason}"),
    )
}

/// A partition index or set outside an asset's partitions `[0, size)`.
pub fn partition_out_of_range(asset: &str, index: u64, size: u64) -> PlannerError {
    err(
        ErrorCode::PartitionOutOfRange,
        vec![asset.to_owned()],
        format!("partition #{index} of asset \"{asset}\" is out of range: the asset has {size} partitions; pass an index below {size}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages() {
        insta::assert_snapshot!(invalid_key("raw//orders", 3, "segment 2 is empty").to_string());
        insta::assert_snapshot!(duplicate_key("raw/orders", 0, 4).to_string());
        insta::assert_snapshot!(unknown_dep("features", 12, 10).to_string());
        insta::assert_snapshot!(
            unknown_dep_key("features", "raw/order", Some("raw/orders")).to_string()
        );
        insta::assert_snapshot!(self_dep("model").to_string());
        insta::assert_snapshot!(cycle(vec!["a".into(), "b".into(), "c".into()]).to_string());
        insta::assert_snapshot!(source_with_deps("raw/penguins").to_string());
        insta::assert_snapshot!(
            invalid_input("depOffsets has 3 entries, expected 5 (assets + 1)").to_string()
        );
        insta::assert_snapshot!(invalid_mapping(
            Some(("daily/features", "daily/events")),
            "window",
            "from (3) is greater than to (1); swap them"
        )
        .to_string());
        insta::assert_snapshot!(partition_out_of_range("daily/events", 40, 31).to_string());
    }
}
