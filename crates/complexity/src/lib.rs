//! What a region could grow next, computed: economic complexity of locations ×
//! activities ([`ecomplexity`]), as Stata's `ecomplexity` and the Atlas of Economic
//! Complexity compute it, and input–output analysis of sectors ([`io`]).
//!
//! Pure: no I/O, no clock, no database. Callers build a [`Table`] (or an IO table) and
//! read the results; the command line and the web app turn them into files and pages.

// Matrix code reads as its formulas with indices (i, j over rows and columns).
#![allow(clippy::needless_range_loop)]

pub mod ecomplexity;
mod eigen;
pub mod io;

pub use ecomplexity::{
    compute, Complexity, Diagonal, Error, Indices, Measure, Normalisation, Note, Options, Presence,
    Proximity, Table, TableError, MAX_CELLS,
};
pub use io::{
    analyse, Extraction, IoAnalysis, IoError, IoOptions, IoTable, LongError, SectorClass,
    MAX_CELLS as MAX_IO_CELLS, MAX_SECTORS,
};
