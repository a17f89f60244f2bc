//! Supply–demand matchmaking: the bilingual analyzer, the listing index and the match
//! score with its reasons.
//!
//! No database here: callers turn listings into [`Entry`] values (from the store, or from
//! a spreadsheet) and give chain structure and enterprise tags through [`Atlas`].

pub mod analyzer;
pub mod eval;
mod index;
mod rank;

pub use index::{
    terms_of, Analysis, Batch, Entry, Filter, Hit, IndexError, ListingIndex, QueryText, Result,
    TextWeights, INDEX_TITLE_BOOST,
};
pub use rank::{
    fold_tag, is_live, rank, score, Atlas, Breakdown, Config, Match, NoAtlas, NodeRelation,
    PriceVisibility, Reason, RegionRelation, RegionValues, Weights, SETTINGS,
    VALIDITY_HORIZON_DAYS,
};

#[cfg(test)]
mod tests;
