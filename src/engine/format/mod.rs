//! The scenario format: the public contract that files and share links carry.

pub mod amqp;
pub mod changes;
pub mod database;
pub mod defaults;
pub mod dist;
pub mod fanout;
pub mod groups;
pub mod json;
pub mod json_strings;
pub mod load;
pub mod migrate;
pub mod regions;
pub mod scale;
pub mod scenario;
pub mod shape;
pub mod validate;
pub mod whole;
pub mod wiring;

pub use dist::Dist;
pub use load::{from_value, from_value_checked, load, parse, LoadError};
pub use scenario::*;
pub use validate::{validate, Place, Problem, Severity};
