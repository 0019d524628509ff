//! Database fields of format version 1 (MODEL.md, "Databases and stale
//! reads"): a primary with read replicas fed by asynchronous replication,
//! and `write`/`read` links that carry the request's key.
//!
//! Every field is optional; a scenario without a database runs as before.

use super::defaults as d;
use super::dist::Dist;
use super::scenario::{NodeKind, NodeSpec};
use serde::{Deserialize, Serialize};

/// Where a `read` link reads from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadFrom {
    /// The primary: always the newest version it has.
    #[default]
    Primary,
    /// A read replica (picked at random): up to its replication lag behind.
    Replica,
    /// Read-your-writes: the primary for a key its reader wrote until that
    /// write reached every replica, a replica otherwise (Rails'
    /// `DatabaseSelector`, django-multidb-router's pinning).
    PrimaryAfterWrite,
}

impl ReadFrom {
    pub const NAMES: &'static [&'static str] = &["primary", "replica", "primary_after_write"];
    pub const ALL: [ReadFrom; 3] = [ReadFrom::Primary, ReadFrom::Replica, ReadFrom::PrimaryAfterWrite];

    pub fn as_str(self) -> &'static str {
        ReadFrom::NAMES[self as usize]
    }
}

/// A database's read replicas (0 for anything else).
pub fn read_replicas(n: &NodeSpec) -> u32 {
    if n.kind == NodeKind::Database {
        n.replicas.unwrap_or(d::DATABASE_REPLICAS)
    } else {
        0
    }
}

/// How long a committed write takes to reach a replica.
pub fn lag_of(n: &NodeSpec) -> Dist {
    n.replication_lag_ms.unwrap_or(Dist::Const(d::REPLICATION_LAG_MS))
}
