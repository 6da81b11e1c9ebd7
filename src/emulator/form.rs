//! Request parameters the way IMS takes them: urlencoded or multipart form
//! bodies (`@adobe/jwt-auth` sends multipart), query-string parameters, and
//! HTTP Basic client authentication (standard OAuth clients default to it).

use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Request};
use base64::Engine as _;

use super::errors::ImsErr;

/// The parameters of one request; body fields win over query fields.
#[derive(Debug, Default, Clone)]
pub struct Params(pub HashMap<String, String>);

impl Params {
    /// A non-empty parameter.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str).filter(|v| !v.is_empty())
    }
}

/// Reads query, Basic auth and body parameters.
pub async fn read(req: Request) -> Result<Params, ImsErr> {
    let mut p = HashMap::new();
    if let Some(q) = req.uri().query() {
        p.extend(url::form_urlencoded::parse(q.as_bytes()).into_owned());
    }
    let headers = req.headers().clone();
    if let Some((id, secret)) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(basic)
    {
        p.insert("client_id".into(), id);
        p.insert("client_secret".into(), secret);
    }
    let ctype = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ctype.starts_with("multipart/form-data") {
        let mut mp = Multipart::from_request(req, &())
            .await
            .map_err(|_| bad("malformed multipart body"))?;
        while let Some(field) = mp
            .next_field()
            .await
            .map_err(|_| bad("malformed multipart body"))?
        {
            let name = field.name().unwrap_or_default().to_string();
            let value = field
                .text()
                .await
                .map_err(|_| bad("malformed multipart field"))?;
            p.insert(name, value);
        }
    } else {
        let body = axum::body::to_bytes(req.into_body(), 1 << 20)
            .await
            .map_err(|_| bad("body too large"))?;
        p.extend(url::form_urlencoded::parse(&body).into_owned());
    }
    Ok(Params(p))
}

fn bad(msg: &str) -> ImsErr {
    ImsErr::new(400, "invalid_request", msg)
}

/// Decodes `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 2.3.1).
pub fn basic(header: &str) -> Option<(String, String)> {
    let (scheme, value) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    let dec = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8()
            .map(|c| c.into_owned())
            .ok()
    };
    Some((dec(id)?, dec(secret)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_is_decoded_and_unescaped() {
        let v = base64::engine::general_purpose::STANDARD.encode("my%20id:p8e-a%2Bb");
        assert_eq!(
            basic(&format!("Basic {v}")),
            Some(("my id".into(), "p8e-a+b".into()))
        );
        assert_eq!(basic("Bearer abc"), None);
    }
}
