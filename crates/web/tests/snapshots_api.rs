//! What API clients see, reviewed on purpose: a change to the OpenAPI document shows up
//! as a changed snapshot (`crates/web/tests/snapshots/`) in the diff.

#[test]
fn the_openapi_document() {
    insta::assert_snapshot!(chainatlas_web::openapi_json());
}
