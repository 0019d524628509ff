//! The kernel every node and link builds on: integer time, the event queue,
//! random streams, the run hash and a generational slab.

pub mod clock;
pub mod events;
pub mod hash;
pub mod idset;
pub mod loghist;
pub mod murmur2;
pub mod ordered;
pub mod rng;
pub mod slab;
pub mod ziggurat;
