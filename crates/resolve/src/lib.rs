//! Entity resolution of enterprises: which record of a list is which enterprise of the
//! atlas (or of another list), from all the evidence two records share.
//!
//! - [`names`]: the name model of Chinese enterprise names (place, brand, industry,
//!   form; short names; folding).
//! - [`record`]: a record as lists write it, and what is computed from it once.
//! - [`block`]: candidates by shared rare characters and bigrams, and by credit code.
//! - [`model`]: comparison levels per field and the Fellegi–Sunter weights, learned
//!   without labels (u from random pairs, m and the prior by expectation–maximisation).
//! - [`resolve`]: the decisions, match, review or new, with every weight explained.
//!
//! No I/O: callers read lists and the atlas and pass records in.

pub mod block;
pub mod eval;
pub mod model;
pub mod names;
pub mod record;
pub mod resolve;

pub use model::{Field, Weights};
pub use record::{region_of_text, Prepared, Record};
pub use resolve::{
    prepare, Candidate, Contribution, Decision, Resolution, Resolver, MATCH_AT, REVIEW_AT,
};
