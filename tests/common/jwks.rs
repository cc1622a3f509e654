//! Asymmetric keys generated in the test, the tokens they sign, and a
//! loopback HTTP server that serves their JWKS.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs1v15;
use rsa::pss;
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

/// A private key of one of the five algorithms Better Auth offers.
#[derive(Clone)]
pub enum TestKey {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
    Rs256(rsa::RsaPrivateKey),
    Ps256(rsa::RsaPrivateKey),
}

/// One RSA key per test binary: generating them is slow.
fn rsa_key() -> rsa::RsaPrivateKey {
    static KEY: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap())
        .clone()
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

impl TestKey {
    pub fn ed25519() -> Self {
        Self::Ed25519(ed25519_dalek::SigningKey::generate(&mut rand::thread_rng()))
    }
    pub fn p256() -> Self {
        Self::P256(p256::ecdsa::SigningKey::random(&mut rand::thread_rng()))
    }
    pub fn p521() -> Self {
        Self::P521(p521::ecdsa::SigningKey::random(&mut rand::thread_rng()))
    }
    pub fn rs256() -> Self {
        Self::Rs256(rsa_key())
    }
    pub fn ps256() -> Self {
        Self::Ps256(rsa_key())
    }

    /// All five algorithms.
    pub fn every_algorithm() -> Vec<Self> {
        vec![
            Self::ed25519(),
            Self::p256(),
            Self::p521(),
            Self::rs256(),
            Self::ps256(),
        ]
    }

    pub fn alg(&self) -> &'static str {
        match self {
            Self::Ed25519(_) => "EdDSA",
            Self::P256(_) => "ES256",
            Self::P521(_) => "ES512",
            Self::Rs256(_) => "RS256",
            Self::Ps256(_) => "PS256",
        }
    }

    /// The public JWK, as Better Auth publishes it (with `alg` and `kid`).
    pub fn jwk(&self, kid: &str) -> Value {
        match self {
            Self::Ed25519(key) => json!({
                "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "kid": kid,
                "x": b64(key.verifying_key().as_bytes()),
            }),
            Self::P256(key) => {
                let point = key.verifying_key().to_encoded_point(false);
                json!({
                    "kty": "EC", "crv": "P-256", "alg": "ES256", "kid": kid,
                    "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap()),
                })
            }
            Self::P521(key) => {
                let point = p521::ecdsa::VerifyingKey::from(key).to_encoded_point(false);
                json!({
                    "kty": "EC", "crv": "P-521", "alg": "ES512", "kid": kid,
                    "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap()),
                })
            }
            Self::Rs256(key) | Self::Ps256(key) => json!({
                "kty": "RSA", "alg": self.alg(), "kid": kid,
                "n": b64(key.n().to_bytes_be()), "e": b64(key.e().to_bytes_be()),
            }),
        }
    }

    /// Signs `header` and `claims` as given (nothing added).
    pub fn sign_raw(&self, header: &Value, claims: &Value) -> String {
        self.sign_text(&header.to_string(), &claims.to_string())
    }

    /// Signs JSON text as given (duplicate members and all).
    pub fn sign_text(&self, header: &str, claims: &str) -> String {
        let input = format!("{}.{}", b64(header), b64(claims));
        let signature: Vec<u8> = match self {
            Self::Ed25519(key) => key.sign(input.as_bytes()).to_bytes().to_vec(),
            Self::P256(key) => {
                let sig: p256::ecdsa::Signature = key.sign(input.as_bytes());
                sig.to_bytes().to_vec()
            }
            Self::P521(key) => {
                let sig: p521::ecdsa::Signature = key.sign(input.as_bytes());
                sig.to_bytes().to_vec()
            }
            Self::Rs256(key) => pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone())
                .sign(input.as_bytes())
                .to_vec(),
            Self::Ps256(key) => pss::SigningKey::<sha2::Sha256>::new(key.clone())
                .sign_with_rng(&mut rand::thread_rng(), input.as_bytes())
                .to_vec(),
        };
        format!("{input}.{}", b64(signature))
    }

    /// A token with header `{"alg", "kid"}` and `claims`.
    pub fn sign(&self, kid: &str, claims: &Value) -> String {
        self.sign_raw(&json!({"alg": self.alg(), "kid": kid}), claims)
    }
}

/// A JWKS document of `keys`, each under its kid.
pub fn jwks(keys: &[(&str, &TestKey)]) -> String {
    let keys: Vec<Value> = keys.iter().map(|(kid, key)| key.jwk(kid)).collect();
    json!({ "keys": keys }).to_string()
}

/// Claims for `sub`, valid for 15 minutes from the real clock (the JWKS
/// tests use the system clock, as a server would).
pub fn claims(sub: &str) -> Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    json!({"sub": sub, "iat": now, "exp": now + 900, "email": "ada@example.com"})
}

/// A JWKS endpoint on 127.0.0.1 whose document, and whether it is down,
/// the test changes while a verifier uses it.
pub struct JwksServer {
    pub url: String,
    document: Arc<Mutex<String>>,
    down: Arc<AtomicBool>,
    fetches: Arc<AtomicUsize>,
}

impl JwksServer {
    pub fn start(document: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://127.0.0.1:{}/api/auth/jwks",
            listener.local_addr().unwrap().port()
        );
        let server = Self {
            url,
            document: Arc::new(Mutex::new(document)),
            down: Arc::new(AtomicBool::new(false)),
            fetches: Arc::new(AtomicUsize::new(0)),
        };
        let (document, down, fetches) = (
            Arc::clone(&server.document),
            Arc::clone(&server.down),
            Arc::clone(&server.fetches),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                    line.clear();
                }
                fetches.fetch_add(1, Ordering::SeqCst);
                let response = if down.load(Ordering::SeqCst) {
                    "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                        .to_owned()
                } else {
                    let body = document.lock().unwrap().clone();
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    )
                };
                let _ = stream.write_all(response.as_bytes());
            }
        });
        server
    }

    pub fn serve(&self, document: String) {
        *self.document.lock().unwrap() = document;
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// How many requests the server has answered.
    pub fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}
