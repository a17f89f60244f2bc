//! Forms the pages post, deserialised into typed input: the same structs the API reads as
//! JSON, so a field has one definition and one rule. The CSRF token the form carries is
//! taken out first (the guard has checked it already), so inputs that refuse unknown
//! fields still refuse every other stray field. A field sent more than once (checkboxes
//! of one name) arrives as one value, its values joined by `;`, the list separator the
//! inputs use (`listings: "12;15"`).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// A page's form as `T`.
pub struct PageForm<T>(pub T);

/// The form's fields without the CSRF token, %-decoded, repeated ones joined by `;`.
fn fields(body: &[u8]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for (name, value) in form_urlencoded::parse(body).into_owned() {
        if name == "csrf_token" {
            continue;
        }
        match fields.iter_mut().find(|(n, _)| *n == name) {
            Some((_, joined)) => {
                joined.push(';');
                joined.push_str(&value);
            }
            None => fields.push((name, value)),
        }
    }
    fields
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = crate::core::error::request_lang(request.headers());
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields(&body))
            .finish();
        serde_urlencoded::from_str(&encoded)
            .map(PageForm)
            .map_err(|e| {
                let refused = chainatlas_app::AppError::new(
                    chainatlas_app::ErrorCode::InvalidBody,
                    chainatlas_app::text!("表单无法读取：{e}", "the form cannot be read: {e}"),
                );
                (
                    StatusCode::BAD_REQUEST,
                    refused.public_message(lang).to_string(),
                )
                    .into_response()
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Input {
        title: String,
        #[serde(default)]
        note: String,
    }

    #[test]
    fn the_csrf_token_is_taken_out_and_nothing_else() {
        let encoded = |body: &[u8]| {
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields(body))
                .finish()
        };
        let input: Input =
            serde_urlencoded::from_str(&encoded(b"csrf_token=abc&title=%E6%A0%AA+1")).unwrap();
        assert_eq!(
            input,
            Input {
                title: "株 1".into(),
                note: String::new()
            }
        );
        let stray = serde_urlencoded::from_str::<Input>(&encoded(b"title=x&admin=1"));
        assert!(stray.is_err(), "an unknown field is still refused");
        let ticked: Input =
            serde_urlencoded::from_str(&encoded(b"title=x&note=12&note=15")).unwrap();
        assert_eq!(ticked.note, "12;15", "checkboxes of one name join");
    }
}
