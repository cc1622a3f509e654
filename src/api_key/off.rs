//! Without the `api-key` feature: the same interface as `keys.rs` and
//! `settings.rs`, with no API keys at all (no value of [`ApiKeys`] can
//! exist), so that the seam and the builder read the same either way.

use crate::error::config::ConfigError;
use crate::error::{Error, ErrorKind};
use crate::http::credentials::HeaderSource;
use crate::token::decode::DecodeClaims;
use crate::token::policy::Policy;

/// No API keys: uninhabited.
#[derive(Debug)]
pub(crate) enum ApiKeys {}

impl ApiKeys {
    pub(crate) fn key_in<'h, H: HeaderSource>(
        &self,
        _: &'h H,
    ) -> Result<Option<&'h str>, ErrorKind> {
        match *self {}
    }

    pub(crate) async fn verify<T: DecodeClaims>(&self, _: &str) -> Result<T, Error> {
        match *self {}
    }
}

/// No API key settings can be made without the feature.
#[derive(Debug, Default)]
pub(crate) struct ApiKeySettings {}

impl ApiKeySettings {
    pub(crate) fn is_set(&self) -> bool {
        false
    }

    pub(crate) fn build(self, _: &Policy) -> Result<Option<ApiKeys>, ConfigError> {
        Ok(None)
    }
}
