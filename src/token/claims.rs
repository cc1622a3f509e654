//! The verified payload of a token: [`Claims`], and how it is read.

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::de::{self, MapAccess, Visitor};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::error::ErrorKind;
use crate::token::strict_json::{MemberNames, Name, Scalar, StrictIgnore, StrictValue, duplicate};

/// A JWT NumericDate (RFC 7519 2): seconds since the Unix epoch, possibly fractional.
///
/// ```
/// let exp = jwtguard::NumericDate::from_unix(1_700_000_000.5);
/// assert_eq!(exp.unix_timestamp(), 1_700_000_000);
/// assert_eq!(exp.to_offset_date_time().unwrap().year(), 2023);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct NumericDate(f64);

impl NumericDate {
    /// Wraps a number of seconds since the epoch.
    ///
    /// ```
    /// assert_eq!(jwtguard::NumericDate::from_unix(3.0).as_secs_f64(), 3.0);
    /// ```
    pub fn from_unix(seconds: f64) -> Self {
        Self(seconds)
    }

    /// The seconds since the epoch, as sent.
    ///
    /// ```
    /// assert_eq!(jwtguard::NumericDate::from_unix(1.5).as_secs_f64(), 1.5);
    /// ```
    pub fn as_secs_f64(self) -> f64 {
        self.0
    }

    /// Whole seconds since the epoch (rounded down, saturating).
    ///
    /// ```
    /// assert_eq!(jwtguard::NumericDate::from_unix(-1.5).unix_timestamp(), -2);
    /// ```
    pub fn unix_timestamp(self) -> i64 {
        self.0.floor() as i64
    }

    /// The instant, or `None` when it lies outside the years `time` supports.
    ///
    /// ```
    /// assert!(jwtguard::NumericDate::from_unix(1e18).to_offset_date_time().is_none());
    /// ```
    pub fn to_offset_date_time(self) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp(self.unix_timestamp()).ok()
    }
}

/// The claims of a verified token.
///
/// `sub` is always a non-empty string; the registered time claims are numbers;
/// `iss` is a string; `aud` is a list of strings (a single string is a list of
/// one). Every other claim is kept as JSON.
///
/// ```
/// use jwtguard::Verifier;
/// # let secret = "a-shared-secret-of-at-least-32-bytes!";
/// # let token = jwtguard::testing::TokenMinter::new(secret).subject("user-1")
/// #     .claim("email", "a@example.com").sign();
/// let verifier = Verifier::builder().hs256_secret(secret).build()?;
/// let claims = verifier.verify(&token)?;
/// assert_eq!(claims.sub(), "user-1");
/// assert_eq!(claims.get("email").and_then(|v| v.as_str()), Some("a@example.com"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Cloning is cheap: the claims are shared, never copied. The registered
/// claims are read while the token is verified; the others are turned into
/// JSON values the first time [`get`](Self::get) or [`extra`](Self::extra)
/// asks (once per token, about the cost of parsing them), so a handler that
/// needs only the user id never pays for them.
#[derive(Clone)]
pub struct Claims(Arc<Fields>);

/// What [`Claims`] holds.
pub(crate) struct Fields {
    pub(crate) sub: String,
    pub(crate) exp: Option<NumericDate>,
    pub(crate) nbf: Option<NumericDate>,
    pub(crate) iat: Option<NumericDate>,
    /// `iss` and `aud`, read from the payload when first asked for: most
    /// handlers never ask, so a verification allocates neither.
    pub(crate) issuer_audience: OnceLock<IssuerAudience>,
    /// The verified payload, where the other claims are read from.
    pub(crate) payload: Box<[u8]>,
    pub(crate) extra: OnceLock<Map<String, Value>>,
    pub(crate) credential: Credential,
}

/// Which kind of credential a request was authenticated with.
///
/// ```
/// use jwtguard::Credential;
/// # let (verifier, token) = jwtguard::testing::doc_pair();
/// let claims = verifier.verify(&token)?;
/// assert_eq!(claims.credential(), Credential::Jwt);
/// # Ok::<(), jwtguard::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Credential {
    /// A JWT: HS256 with the shared secret, or the JWT plugin's, from its JWKS.
    Jwt,
    /// Better Auth's signed session token (the session cookie, or the bearer
    /// plugin's token), resolved by a session store.
    SessionToken,
    /// Better Auth's cookie cache (`session_data`), with a valid session token.
    CookieCache,
    /// An OAuth 2.1 access token of Better Auth's provider, for this
    /// resource (feature `oauth`), sent as `Bearer` or with its DPoP proof.
    AccessToken,
    /// An API key of Better Auth's `@better-auth/api-key` plugin (feature
    /// `api-key`), found in its database; the claims' subject is the key's
    /// owner (`referenceId`).
    ApiKey,
}

impl PartialEq for Claims {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.0, &other.0);
        (&a.sub, a.exp, a.nbf, a.iat, a.credential) == (&b.sub, b.exp, b.nbf, b.iat, b.credential)
            && (self.iss(), self.aud()) == (other.iss(), other.aud())
            && self.extra() == other.extra()
    }
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields = &self.0;
        f.debug_struct("Claims")
            .field("sub", &fields.sub)
            .field("exp", &fields.exp)
            .field("nbf", &fields.nbf)
            .field("iat", &fields.iat)
            .field("iss", &self.iss())
            .field("aud", &self.aud())
            .field("extra", self.extra())
            .field("credential", &fields.credential)
            .finish()
    }
}

impl Claims {
    pub(crate) fn new(fields: Fields) -> Self {
        Self(Arc::new(fields))
    }

    /// The verified payload these claims were read from.
    pub(crate) fn payload(&self) -> &[u8] {
        &self.0.payload
    }

    /// The subject: the user id.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// assert_eq!(verifier.verify(&token)?.sub(), "user-1");
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn sub(&self) -> &str {
        &self.0.sub
    }

    /// The session id, when the credential names one: `sid` of a session
    /// credential (Better Auth's `session.id`), or a token's `sid` claim.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// assert_eq!(verifier.verify(&token)?.sid(), None);
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn sid(&self) -> Option<&str> {
        self.get("sid").and_then(Value::as_str)
    }

    /// The organization plugin's active organization of the session
    /// (`activeOrganizationId`), when it has one.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// assert_eq!(verifier.verify(&token)?.active_organization_id(), None);
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn active_organization_id(&self) -> Option<&str> {
        self.get("activeOrganizationId").and_then(Value::as_str)
    }

    /// The organization plugin's active team of the session
    /// (`activeTeamId`), when it has one.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// assert_eq!(verifier.verify(&token)?.active_team_id(), None);
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn active_team_id(&self) -> Option<&str> {
        self.get("activeTeamId").and_then(Value::as_str)
    }

    /// The user's role in the session's active organization (the
    /// organization plugin's `member.role`, as stored: comma-separated,
    /// `owner`, `admin` or `member` by default), when the session has an
    /// active organization the user is a member of and the store read it
    /// (`SqlSessionStore`, feature `session-sql`, does);
    /// [`ClaimGuard::member_permission`](crate::ClaimGuard::member_permission)
    /// checks permissions against it.
    ///
    /// ```
    /// # let (verifier, _) = jwtguard::testing::doc_pair();
    /// # let token = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!")
    /// #     .subject("user-1").claim("memberRole", "admin,member").sign();
    /// assert_eq!(verifier.verify(&token)?.member_role(), Some("admin,member"));
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn member_role(&self) -> Option<&str> {
        self.get("memberRole").and_then(Value::as_str)
    }

    /// The admin who opened this session as the user (the admin plugin's
    /// `impersonatedBy`), when it is an impersonation;
    /// [`ClaimGuard::not_impersonated`](crate::ClaimGuard::not_impersonated)
    /// refuses such sessions.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// assert_eq!(verifier.verify(&token)?.impersonated_by(), None);
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn impersonated_by(&self) -> Option<&str> {
        self.get("impersonatedBy").and_then(Value::as_str)
    }

    /// The OAuth client the token was issued to: `client_id`, or else
    /// `azp` (an access token of Better Auth's provider has both).
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// assert_eq!(verifier.verify(&token)?.client_id(), None);
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn client_id(&self) -> Option<&str> {
        (self.get("client_id").and_then(Value::as_str))
            .or_else(|| self.get("azp").and_then(Value::as_str))
    }

    /// The scopes granted: the space-separated `scope` claim (or an array
    /// of strings in `scope` or `scp`), in order. Empty when
    /// there is none. [`ClaimGuard::scope`](crate::ClaimGuard::scope)
    /// checks one.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// assert_eq!(verifier.verify(&token)?.scopes().count(), 0);
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        let claim = self.get("scope").or_else(|| self.get("scp"));
        let (text, list) = match claim {
            Some(Value::String(text)) => (Some(text.as_str()), None),
            Some(Value::Array(items)) => (None, Some(items)),
            _ => (None, None),
        };
        let from_text = text.into_iter().flat_map(|text| text.split(' '));
        let from_list = list.into_iter().flatten().filter_map(Value::as_str);
        from_text.chain(from_list).filter(|scope| !scope.is_empty())
    }

    /// The kind of credential these claims came from.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// assert_eq!(verifier.verify(&token)?.credential(), jwtguard::Credential::Jwt);
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn credential(&self) -> Credential {
        self.0.credential
    }

    /// The same claims, from a credential of kind `credential`.
    pub(crate) fn with_credential(mut self, credential: Credential) -> Self {
        if self.0.credential == credential {
            return self;
        }
        match Arc::get_mut(&mut self.0) {
            Some(fields) => fields.credential = credential,
            None => {
                let fields = &self.0;
                self = Self::new(Fields {
                    sub: fields.sub.clone(),
                    exp: fields.exp,
                    nbf: fields.nbf,
                    iat: fields.iat,
                    issuer_audience: fields.issuer_audience.clone(),
                    payload: fields.payload.clone(),
                    extra: fields.extra.clone(),
                    credential,
                });
            }
        }
        self
    }

    /// When the token expires, if it says.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// assert!(verifier.verify(&token)?.exp().is_some());
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn exp(&self) -> Option<NumericDate> {
        self.0.exp
    }

    /// When the token becomes valid, if it says.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// assert!(verifier.verify(&token)?.nbf().is_none());
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn nbf(&self) -> Option<NumericDate> {
        self.0.nbf
    }

    /// When the token was issued, if it says.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// assert!(verifier.verify(&token)?.iat().is_some());
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn iat(&self) -> Option<NumericDate> {
        self.0.iat
    }

    /// The issuer, if the token names one.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// assert_eq!(verifier.verify(&token)?.iss(), None);
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn iss(&self) -> Option<&str> {
        self.issuer_audience().iss.as_deref()
    }

    /// The audiences; empty when the token names none.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// assert!(verifier.verify(&token)?.aud().is_empty());
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn aud(&self) -> &[String] {
        &self.issuer_audience().aud
    }

    /// `iss` and `aud`, read as [`Policy::check`](crate::token::policy::Policy)
    /// reads them, the first time they are asked for.
    fn issuer_audience(&self) -> &IssuerAudience {
        self.0.issuer_audience.get_or_init(|| {
            // The payload passed the strict parse when the token was
            // verified, so this cannot fail; nothing is a safe answer.
            RawClaims::parse(&self.0.payload, Keep::Nothing)
                .map(|raw| IssuerAudience::read(raw.iss, raw.aud))
                .unwrap_or_default()
        })
    }

    /// Any claim other than `sub`, `exp`, `nbf`, `iat`, `iss` and `aud`, as JSON.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// assert_eq!(verifier.verify(&token)?.get("name").unwrap(), "Ada");
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.extra().get(name)
    }

    /// The claim `name` (not a registered one), as [`get`](Self::get)
    /// gives it, read from the payload without building the map of every
    /// other claim: what claim guards ask for on every request. Uses the
    /// map when [`extra`](Self::extra) has built it already.
    pub(crate) fn find(&self, name: &str) -> Option<Value> {
        if let Some(extra) = self.0.extra.get() {
            return extra.get(name).cloned();
        }
        if REGISTERED.contains(&name) {
            return None;
        }
        // The payload passed the strict parse when the token was verified
        // (one object, no name twice), so a light pass finds the member.
        let mut deserializer = serde_json::Deserializer::from_slice(&self.0.payload);
        de::Deserializer::deserialize_map(&mut deserializer, FindMember { name })
            .ok()
            .flatten()
    }

    /// All claims other than the registered ones above.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// assert!(verifier.verify(&token)?.extra().contains_key("email"));
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn extra(&self) -> &Map<String, Value> {
        self.0.extra.get_or_init(|| {
            // The payload passed the strict parse when the token was
            // verified, so this cannot fail; an empty map is a safe answer.
            RawClaims::parse(&self.0.payload, Keep::Extras)
                .map(|raw| raw.extra)
                .unwrap_or_default()
        })
    }
}

/// A token's issuer and audiences.
#[derive(Clone, Default)]
pub(crate) struct IssuerAudience {
    iss: Option<String>,
    aud: Vec<String>,
}

impl IssuerAudience {
    /// A string `iss`; `aud` as one string or an array of strings (any
    /// other shape, which the rules refuse when they check it, is none).
    fn read(iss: Option<Scalar<'_>>, aud: Option<Scalar<'_>>) -> Self {
        Self {
            iss: match iss {
                Some(Scalar::Str(text)) => Some(text.into_owned()),
                _ => None,
            },
            aud: match aud {
                Some(Scalar::Str(aud)) => vec![aud.into_owned()],
                Some(Scalar::Strings(auds)) => auds,
                _ => Vec::new(),
            },
        }
    }
}

/// The registered claims, which [`Claims::get`] does not give.
const REGISTERED: [&str; 6] = ["sub", "exp", "nbf", "iat", "iss", "aud"];

/// Reads one member of a verified payload's object, skipping the others.
struct FindMember<'n> {
    name: &'n str,
}

impl<'de> Visitor<'de> for FindMember<'_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Value>, A::Error> {
        // serde_json wants the whole object read, even after the member.
        let mut found = None;
        while let Some(name) = map.next_key::<Name<'de>>()? {
            if found.is_none() && name.as_str() == self.name {
                found = Some(map.next_value()?);
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// The payload as read: registered claims in the shapes the rules check,
/// strings borrowed from the payload where possible.
#[derive(Default)]
pub(crate) struct RawClaims<'de> {
    pub(crate) sub: Option<Scalar<'de>>,
    pub(crate) exp: Option<Scalar<'de>>,
    pub(crate) nbf: Option<Scalar<'de>>,
    pub(crate) iat: Option<Scalar<'de>>,
    pub(crate) iss: Option<Scalar<'de>>,
    pub(crate) aud: Option<Scalar<'de>>,
    pub(crate) extra: Map<String, Value>,
}

impl<'de> RawClaims<'de> {
    /// Parses decoded payload bytes: one JSON object, no duplicate member
    /// names at any depth, nothing after it. `keep` says which members are
    /// also kept as JSON in `extra`.
    pub(crate) fn parse(bytes: &'de [u8], keep: Keep) -> Result<Self, ErrorKind> {
        // Checked as UTF-8 once, whole, rather than string by string.
        let text = std::str::from_utf8(bytes).map_err(|_| ErrorKind::Malformed)?;
        let mut deserializer = serde_json::Deserializer::from_str(text);
        // Filled in place: the claims are not moved through each layer's result.
        let mut raw = Self::default();
        de::Deserializer::deserialize_map(
            &mut deserializer,
            ClaimsSeed {
                keep,
                raw: &mut raw,
            },
        )
        .and_then(|()| deserializer.end())
        .map_err(|_| ErrorKind::Malformed)?;
        Ok(raw)
    }
}

impl RawClaims<'_> {
    /// Whether a registered claim was seen but not read as JSON (see
    /// [`Scalar::Unread`]).
    pub(crate) fn has_unread(&self) -> bool {
        [
            &self.sub, &self.exp, &self.nbf, &self.iat, &self.iss, &self.aud,
        ]
        .into_iter()
        .any(|claim| matches!(claim, Some(Scalar::Unread)))
    }
}

/// Which members [`RawClaims::parse`] keeps as JSON in `extra`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// The non-registered claims (for [`Claims`]).
    Extras,
    /// None: the registered claims are read and everything else is only
    /// checked for duplicate names (before a caller's own type is filled).
    Nothing,
}

struct ClaimsSeed<'r, 'de> {
    keep: Keep,
    raw: &'r mut RawClaims<'de>,
}

impl<'de> Visitor<'de> for ClaimsSeed<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let raw = self.raw;
        // Unregistered names, when they are not kept in `extra`.
        let mut names = MemberNames::default();
        while let Some(name) = map.next_key::<Name<'de>>()? {
            let slot = match name.as_str() {
                "sub" => Some(&mut raw.sub),
                "exp" => Some(&mut raw.exp),
                "nbf" => Some(&mut raw.nbf),
                "iat" => Some(&mut raw.iat),
                "iss" => Some(&mut raw.iss),
                "aud" => Some(&mut raw.aud),
                _ => None,
            };
            match slot {
                Some(slot) if slot.is_some() => return Err(duplicate()),
                Some(slot) => *slot = Some(map.next_value()?),
                None if self.keep == Keep::Extras => {
                    if raw.extra.contains_key(name.as_str()) {
                        return Err(duplicate());
                    }
                    let value = map.next_value_seed(StrictValue)?;
                    raw.extra.insert(name.into_string(), value);
                }
                None => {
                    names.insert(name)?;
                    map.next_value_seed(StrictIgnore)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_gives_what_get_gives_without_building_the_map() {
        let payload = br#"{"sub":"u","exp":1,"r\u006fle":"admin","scope":["a"],"n":null}"#;
        let raw = RawClaims::parse(payload, Keep::Nothing).unwrap();
        assert!(raw.extra.is_empty());
        let claims = Claims::new(Fields {
            sub: "u".into(),
            exp: None,
            nbf: None,
            iat: None,
            issuer_audience: OnceLock::new(),
            payload: payload.to_vec().into_boxed_slice(),
            extra: OnceLock::new(),
            credential: Credential::Jwt,
        });
        let names = ["role", "scope", "n", "sub", "exp", "missing", ""];
        let found: Vec<_> = names.iter().map(|name| claims.find(name)).collect();
        assert!(claims.0.extra.get().is_none(), "find built the map");
        for (name, found) in names.iter().zip(found) {
            assert_eq!(found.as_ref(), claims.get(name), "{name}");
        }
        assert_eq!(claims.find("role"), Some(Value::from("admin")));
    }

    #[test]
    fn registered_claims_are_separated_from_the_rest() {
        let raw = RawClaims::parse(br#"{"sub":"u","exp":1,"email":"e"}"#, Keep::Extras).unwrap();
        assert_eq!(raw.sub, Some(Scalar::Str("u".into())));
        assert_eq!(raw.exp, Some(Scalar::Num(1.0)));
        assert_eq!(raw.extra["email"], "e");
    }

    #[test]
    fn duplicates_are_rejected_whether_or_not_extras_are_kept() {
        for keep in [Keep::Extras, Keep::Nothing] {
            for json in [
                r#"{"sub":"a","sub":"b"}"#,
                r#"{"sub":"a","s\u0075b":"b"}"#,
                r#"{"email":"a","email":"b"}"#,
                r#"{"x":{"y":1,"y":2}}"#,
            ] {
                assert!(
                    RawClaims::parse(json.as_bytes(), keep).is_err(),
                    "{json} {keep:?}"
                );
            }
        }
    }

    #[test]
    fn non_objects_and_trailing_data_are_rejected() {
        for json in [
            "[]",
            "\"sub\"",
            "{} {}",
            "{",
            "",
            "{\"sub\":\"\u{0}\"",
            "null",
        ] {
            assert!(
                RawClaims::parse(json.as_bytes(), Keep::Extras).is_err(),
                "{json:?}"
            );
        }
        assert!(RawClaims::parse(b"{\"sub\":\"\xff\"}", Keep::Extras).is_err());
    }
}
