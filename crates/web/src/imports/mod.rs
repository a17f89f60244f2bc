//! Imports: upload a workbook or a zip of CSV files, preview what it changes, commit it;
//! the page at `/imports` and `/api/v1/imports`, over `chainatlas_app::imports`.

pub mod api;
pub mod pages;

pub(crate) use crate::core::upload::receive;
