//! Editing the atlas in the browser and through the API: chains, nodes, node inputs,
//! enterprises, an enterprise's nodes and supply relations, one record at a time, over
//! [`chainatlas_app::editing`] (the import's own checks, audited, orphans refused).

pub mod api;
pub mod pages;

use chainatlas_model::RecordKind;

use crate::core::error::{AppError, ErrorCode};

/// The kind a path names by its bundle file (`enterprises`, `supply_relations`).
pub(crate) fn kind_of(path: &str) -> Result<RecordKind, AppError> {
    chainatlas_bundle::edit::EDITABLE
        .iter()
        .copied()
        .find(|k| k.as_str() == path)
        .ok_or_else(|| {
            let known = chainatlas_bundle::edit::EDITABLE
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            AppError::new(
                ErrorCode::NotFound,
                chainatlas_app::text!(
                    "“{path}”不是可编辑的记录类型：应为 {known} 之一",
                    "'{path}' is not a kind of record that can be edited: expected one of {known}"
                ),
            )
        })
}
