//! IMS's error shape: `{"error": "...", "error_description": "..."}` with the
//! statuses of docs/adobe-ims.md §1-2.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// An IMS error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImsErr {
    /// HTTP status.
    pub status: u16,
    /// `error`.
    pub error: &'static str,
    /// `error_description`.
    pub description: String,
}

impl ImsErr {
    /// Builds an error.
    pub fn new(status: u16, error: &'static str, description: impl Into<String>) -> Self {
        ImsErr {
            status,
            error,
            description: description.into(),
        }
    }
}

impl IntoResponse for ImsErr {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = serde_json::json!({"error": self.error, "error_description": self.description});
        (status, Json(body)).into_response()
    }
}

/// 404 for unknown paths, in IMS's shape.
pub async fn not_found() -> Response {
    ImsErr::new(404, "not_found", "no such IMS endpoint in the emulator").into_response()
}
