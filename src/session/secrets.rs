//! Better Auth's secrets: `BETTER_AUTH_SECRET`, or `BETTER_AUTH_SECRETS`
//! (`"2:new,1:old"`) during a rotation, read as Better Auth reads them
//! (`context/secret-utils.mjs`).
//!
//! The first entry of `BETTER_AUTH_SECRETS` is the current secret: Better
//! Auth signs session cookies and the cookie cache with it alone, and checks
//! them with it alone, so a rotation signs users out of cookie sessions (as
//! Better Auth itself does). Every entry, and the legacy
//! `BETTER_AUTH_SECRET`, still decrypts a `jwe` cookie cache, and every one
//! is accepted as an HS256 secret by [`Verifier::from_env`](crate::Verifier::from_env).

use zeroize::Zeroizing;

use crate::error::config::ConfigError;

/// One versioned secret of `BETTER_AUTH_SECRETS`; zeroed on drop.
pub(crate) struct VersionedSecret {
    pub(crate) version: u64,
    pub(crate) value: Zeroizing<String>,
}

/// Parses `BETTER_AUTH_SECRETS`: comma-separated `<version>:<secret>`
/// entries, the current one first, versions unique non-negative integers.
/// Errors never contain a secret.
pub(crate) fn parse_secrets(
    var: &'static str,
    value: &str,
) -> Result<Vec<VersionedSecret>, ConfigError> {
    let invalid = |expected: &'static str| ConfigError::InvalidEnv { var, expected };
    let mut secrets: Vec<VersionedSecret> = Vec::new();
    for entry in value.split(',') {
        let entry = entry.trim();
        let (version, secret) = entry.split_once(':').ok_or(invalid(
            "comma-separated <version>:<secret> entries, the current first",
        ))?;
        let version: u64 = version
            .trim()
            .parse()
            .map_err(|_| invalid("entries whose version is a non-negative integer"))?;
        let secret = secret.trim();
        if secret.is_empty() {
            return Err(invalid("entries with a non-empty secret"));
        }
        if secrets.iter().any(|known| known.version == version) {
            return Err(invalid("entries with distinct versions"));
        }
        secrets.push(VersionedSecret {
            version,
            value: Zeroizing::new(secret.to_owned()),
        });
    }
    Ok(secrets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_better_auths_rotation_format_current_first() {
        let secrets = parse_secrets("S", " 2:new-secret , 1:old:secret").unwrap();
        let read: Vec<(u64, &str)> = secrets
            .iter()
            .map(|s| (s.version, s.value.as_str()))
            .collect();
        assert_eq!(read, [(2, "new-secret"), (1, "old:secret")]);
    }

    #[test]
    fn refuses_what_better_auth_refuses_without_echoing_a_secret() {
        for bad in [
            "",
            "secret",
            "x:secret",
            "-1:secret",
            "1:",
            "1: ",
            "1:a,1:b",
            "2:a,,1:b",
        ] {
            let err = parse_secrets("S", bad).err().expect(bad);
            assert!(!err.to_string().contains("secret\""), "{bad:?}");
            assert!(
                matches!(err, ConfigError::InvalidEnv { var: "S", .. }),
                "{bad:?}"
            );
        }
    }
}
