//! Entry points that must answer alike: one request sent through an axum
//! router and an actix-web service, and answers compared on everything a
//! client reads of them.

use std::fmt::Debug;

use serde_json::Value;

use super::call::Answer;

/// What a client reads of an answer: the status, the `WWW-Authenticate`,
/// `Content-Type` and `Retry-After` headers, and the body.
pub fn seen(answer: &Answer) -> (u16, [Option<&str>; 3], &Value) {
    (
        answer.status,
        [
            answer.header("www-authenticate"),
            answer.header("content-type"),
            answer.header("retry-after"),
        ],
        &answer.body,
    )
}

/// How each named answer differs from the first one, as a client reads
/// them: one line per answer that differs, none when they all agree.
pub fn differences<N: Debug>(answers: &[(N, Answer)]) -> Vec<String> {
    let Some((first_name, first)) = answers.first() else {
        return vec![];
    };
    answers[1..]
        .iter()
        .filter(|(_, answer)| seen(answer) != seen(first))
        .map(|(name, answer)| {
            format!(
                "{name:?} answered {:?}, {first_name:?} {:?}",
                seen(answer),
                seen(first)
            )
        })
        .collect()
}

/// Asserts that every answer to `request` shows a client what the first
/// one shows; returns the first.
#[track_caller]
pub fn assert_same_answers<'a, N: Debug>(request: &str, answers: &'a [(N, Answer)]) -> &'a Answer {
    let differences = differences(answers);
    assert!(
        differences.is_empty(),
        "{request}: the entry points differ\n{}",
        differences.join("\n")
    );
    &answers.first().expect("at least one answer").1
}

/// `method path` with `headers`, through an axum router and through an
/// actix-web app (started here as a test service): both answers, named by
/// `names`.
#[cfg(all(feature = "axum", feature = "actix"))]
pub async fn both<T, B>(
    names: [&'static str; 2],
    axum: axum::Router,
    actix: actix_web::App<T>,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
) -> [(&'static str, Answer); 2]
where
    T: actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: actix_web::body::MessageBody,
{
    let [axum_name, actix_name] = names;
    let service = actix_web::test::init_service(actix).await;
    [
        (
            axum_name,
            super::call::axum(axum, method, path, headers).await,
        ),
        (
            actix_name,
            super::call::actix(&service, method, path, headers).await,
        ),
    ]
}
