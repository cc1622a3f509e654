//! An API key of Better Auth's `@better-auth/api-key` plugin as a request
//! credential (`crate::api_key`): the one value of its header (`x-api-key`
//! by default), found and counted in the plugin's database, so always
//! verified on the async path.

use crate::api_key::ApiKeys;
use crate::error::{Error, ErrorKind};
use crate::http::credentials::HeaderSource;
use crate::token::decode::DecodeClaims;

/// The key in the request's API key headers, if any.
pub(super) fn from_headers<'r, H: HeaderSource>(
    keys: &ApiKeys,
    headers: &'r H,
) -> Result<Option<&'r str>, ErrorKind> {
    keys.key_in(headers)
}

/// The key's claims, from its store.
pub(super) async fn verify<T: DecodeClaims>(keys: &ApiKeys, key: &str) -> Result<T, Error> {
    keys.verify(key).await
}
