//! API keys kept in Redis by the real `@better-auth/api-key` plugin
//! (`storage: "secondary-storage"` on `@better-auth/redis-storage`:
//! `tests/fixtures/better-auth/apikey-server.mjs` with `BA_REDIS_URL`),
//! verified and counted through `RedisApiKeyStore`.

use std::process::Command;
use std::sync::Arc;

use http::HeaderMap;
use jwtguard::{
    ApiKeySettings, Claims, Clock, Credential, ErrorKind, RedisApiKeyStore, RedisSessionStore,
    RequestParts, Verifier,
};
use jwtguard_test_support::RedisServer;
use serde_json::Value;

use super::connect;

/// The plaintext keys the plugin made (by name) and their owner, written
/// to `redis` under `prefix` (`None`: the default `better-auth:`).
struct Made {
    user_id: String,
    keys: Value,
}

impl Made {
    fn key(&self, name: &str) -> &str {
        self.keys[name].as_str().unwrap()
    }
}

fn make_keys(redis: &RedisServer, prefix: Option<&str>) -> Made {
    jwtguard_test_support::install();
    let mut command = Command::new("node");
    command
        .arg("apikey-server.mjs")
        .current_dir(jwtguard_test_support::fixture_dir())
        .env("BA_REDIS_URL", redis.url());
    if let Some(prefix) = prefix {
        command.env("BA_REDIS_PREFIX", prefix);
    }
    let output = command
        .output()
        .expect("cannot run node: install Node.js 20+");
    assert!(
        output.status.success(),
        "apikey-server.mjs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["version"], "1.7.5");
    assert_eq!(printed["rows"], serde_json::json!([]), "keys in Redis only");
    Made {
        user_id: printed["userId"].as_str().unwrap().to_owned(),
        keys: printed["keys"].clone(),
    }
}

/// The record the plugin keeps for its key `name` under `prefix`, by hash
/// and by id, and the hash key's time to live in ms.
async fn stored(redis: &RedisServer, prefix: &str, name: &str) -> (Value, Value, i64) {
    let mut connection = connect(redis).await;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}api-key:*"))
        .query_async(&mut connection)
        .await
        .unwrap();
    for key in keys.iter().filter(|key| !key.contains(":by-")) {
        let text: String = redis::cmd("GET")
            .arg(key)
            .query_async(&mut connection)
            .await
            .unwrap();
        let record: Value = serde_json::from_str(&text).unwrap();
        if record["name"] == name {
            let by_id: String = redis::cmd("GET")
                .arg(format!(
                    "{prefix}api-key:by-id:{}",
                    record["id"].as_str().unwrap()
                ))
                .query_async(&mut connection)
                .await
                .unwrap();
            let ttl: i64 = redis::cmd("PTTL")
                .arg(key)
                .query_async(&mut connection)
                .await
                .unwrap();
            return (record, serde_json::from_str(&by_id).unwrap(), ttl);
        }
    }
    panic!("no key {name} in Redis");
}

fn verifier(store: RedisApiKeyStore, clock: Clock) -> Verifier {
    Verifier::builder()
        .clock(clock)
        .api_keys(|keys: ApiKeySettings| keys.store(store))
        .build()
        .unwrap()
}

async fn send(verifier: &Verifier, key: &str) -> Result<Claims, ErrorKind> {
    let mut headers = HeaderMap::new();
    headers.insert("x-api-key", key.parse().unwrap());
    verifier
        .verify_request::<Claims, _>(&RequestParts::new("GET", None, &headers))
        .await
        .map_err(|error| error.kind())
}

fn in_seconds(seconds: i64) -> Clock {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    Clock::fixed_unix(now + seconds)
}

#[tokio::test]
async fn plugin_keys_in_redis_are_checked_and_counted() {
    let redis = RedisServer::start();
    let made = make_keys(&redis, None);
    let store = RedisApiKeyStore::new(redis.url()).unwrap();
    let now = verifier(store.clone(), in_seconds(0));

    let claims = send(&now, made.key("plain")).await.unwrap();
    assert_eq!(claims.sub(), made.user_id);
    assert_eq!(claims.credential(), Credential::ApiKey);
    let (plain, _, _) = stored(&redis, "better-auth:", "plain").await;
    assert_eq!(claims.get("apiKeyId"), Some(&plain["id"]));
    let permitted = send(&now, made.key("permitted")).await.unwrap();
    assert_eq!(
        permitted.get("permissions"),
        Some(&serde_json::json!({"files": ["read"]}))
    );

    assert_eq!(
        send(&now, made.key("disabled")).await.unwrap_err(),
        ErrorKind::ApiKeyDisabled
    );
    assert_eq!(
        send(&now, &format!("{}x", made.key("plain")))
            .await
            .unwrap_err(),
        ErrorKind::InvalidApiKey
    );
    assert!(send(&now, made.key("expiring")).await.is_ok());
    let (_, _, ttl) = stored(&redis, "better-auth:", "expiring").await;
    assert!(ttl > 0, "the plugin gives an expiring key a time to live");
    let later = verifier(store.clone(), in_seconds(2 * 86_400));
    assert_eq!(
        send(&later, made.key("expiring")).await.unwrap_err(),
        ErrorKind::ApiKeyExpired
    );

    // Each use is written to both copies, the plugin's way.
    assert!(send(&now, made.key("counted")).await.is_ok());
    let (by_hash, by_id, _) = stored(&redis, "better-auth:", "counted").await;
    assert_eq!(by_hash["remaining"], 1);
    assert_eq!(by_hash, by_id);
    assert_eq!(by_hash["rateLimitMax"], 10, "other fields are kept");
    assert!(send(&now, made.key("counted")).await.is_ok());
    assert_eq!(
        send(&now, made.key("counted")).await.unwrap_err(),
        ErrorKind::ApiKeyExhausted
    );
    assert_eq!(
        stored(&redis, "better-auth:", "counted").await.0["remaining"],
        0
    );

    // Read only: checked, never written.
    let read_only = Verifier::builder()
        .api_keys(|keys| keys.store(store.clone()).read_only())
        .build()
        .unwrap();
    for _ in 0..3 {
        assert!(send(&read_only, made.key("refilled")).await.is_ok());
    }
    assert_eq!(
        stored(&redis, "better-auth:", "refilled").await.0["remaining"],
        2
    );

    // A refill, due after its minute: the amount again, one used.
    assert!(send(&now, made.key("refilled")).await.is_ok());
    assert!(send(&now, made.key("refilled")).await.is_ok());
    assert_eq!(
        send(&now, made.key("refilled")).await.unwrap_err(),
        ErrorKind::ApiKeyExhausted
    );
    let refill = verifier(store.clone(), in_seconds(61));
    assert!(send(&refill, made.key("refilled")).await.is_ok());
    let (refilled, _, _) = stored(&redis, "better-auth:", "refilled").await;
    assert_eq!(refilled["remaining"], 1);
    assert!(refilled["lastRefillAt"].is_string());
}

#[tokio::test]
async fn concurrent_uses_in_redis_never_exceed_remaining() {
    let redis = RedisServer::start();
    let made = make_keys(&redis, Some("myapp:"));
    let sessions = RedisSessionStore::new(redis.url())
        .unwrap()
        .key_prefix("myapp:");
    let verifier = Arc::new(verifier(
        RedisApiKeyStore::sharing(&sessions),
        in_seconds(0),
    ));
    let key: Arc<str> = Arc::from(made.key("counted"));
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let (verifier, key) = (verifier.clone(), key.clone());
            tokio::spawn(async move { send(&verifier, &key).await })
        })
        .collect();
    let mut accepted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(kind) => assert_eq!(kind, ErrorKind::ApiKeyExhausted),
        }
    }
    assert_eq!(accepted, 2);
    let (by_hash, by_id, _) = stored(&redis, "myapp:", "counted").await;
    assert_eq!(by_hash["remaining"], 0);
    assert_eq!(by_id["remaining"], 0);
}

#[tokio::test]
async fn a_stopped_redis_is_a_503() {
    let mut redis = RedisServer::start();
    let made = make_keys(&redis, None);
    let verifier = verifier(RedisApiKeyStore::new(redis.url()).unwrap(), in_seconds(0));
    assert!(send(&verifier, made.key("plain")).await.is_ok());
    redis.stop();
    let error = send(&verifier, made.key("plain")).await.unwrap_err();
    assert_eq!(error, ErrorKind::ApiKeyStoreUnavailable);
    assert_eq!(jwtguard::Error::from(error).status(), 503);
}
