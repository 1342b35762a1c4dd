//! The rules of `landed`, pure: no IO, no clock, no database types.
//!
//! Every surface (CLI, API, web) asks this crate whether a goal is a plan, what a dependency
//! amounts to, and what to do next; none computes a rule itself. Time is always an argument.

pub mod authz;
pub mod capacity;
pub mod capture;
pub mod checkin;
pub mod deps;
pub mod event;
pub mod forecast;
pub mod hash;
pub mod health;
pub mod impact;
pub mod model;
pub mod needs;
pub mod next;
pub mod plan;
pub mod review;
pub mod rules;
pub mod slip;
pub mod stats;
pub mod suggest;
pub mod validate;
pub mod week;
pub mod when;

pub use model::*;
pub use rules::Rule;
