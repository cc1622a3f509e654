//! Task JSON and the validation of request bodies, with FastAPI-shaped
//! 422 errors: `{"detail": [{"type", "loc", "msg"}]}`.

use serde::Serialize;
use serde_json::{Map, Value, json};

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 1000;

/// A task as stored and as sent to clients.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    pub id: String,
    pub user_id: String,
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// One problem with the request, as FastAPI reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub loc: Vec<Value>,
    pub msg: String,
}

impl Problem {
    pub fn new(kind: &'static str, loc: &[&str], msg: impl Into<String>) -> Self {
        Self {
            kind,
            loc: loc.iter().map(|part| Value::from(*part)).collect(),
            msg: msg.into(),
        }
    }
}

/// The body of a 422 answer.
pub fn unprocessable(problems: &[Problem]) -> Value {
    json!({ "detail": problems })
}

/// A validated `POST` body.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    pub title: String,
    pub description: Option<String>,
}

/// A validated `PUT` body: `None` leaves a field as it is. For the
/// description, `Some(None)` clears it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskChanges {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub completed: Option<bool>,
}

/// The body as a JSON object, or the 422 problem.
fn object(body: &[u8]) -> Result<Map<String, Value>, Vec<Problem>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(vec![Problem::new(
            "model_attributes_type",
            &["body"],
            "Input should be a valid dictionary or object",
        )]),
        Err(_) => Err(vec![Problem::new(
            "json_invalid",
            &["body"],
            "JSON decode error",
        )]),
    }
}

/// NUL cannot be stored in PostgreSQL text, so it is refused everywhere.
fn no_nul(loc: &[&str]) -> Problem {
    Problem::new(
        "string_pattern_mismatch",
        loc,
        "String should not contain NUL characters",
    )
}

/// Checks the path's user id: any text but NUL (the token's `sub` was
/// already matched against it).
pub fn user_id(text: &str) -> Result<(), Vec<Problem>> {
    if text.contains('\0') {
        Err(vec![no_nul(&["path", "user_id"])])
    } else {
        Ok(())
    }
}

fn title(value: &Value, problems: &mut Vec<Problem>) -> Option<String> {
    let Value::String(text) = value else {
        problems.push(Problem::new(
            "string_type",
            &["body", "title"],
            "Input should be a valid string",
        ));
        return None;
    };
    let trimmed = text.trim();
    let chars = trimmed.chars().count();
    if trimmed.contains('\0') {
        problems.push(no_nul(&["body", "title"]));
        None
    } else if chars == 0 {
        problems.push(Problem::new(
            "string_too_short",
            &["body", "title"],
            "String should have at least 1 character",
        ));
        None
    } else if chars > TITLE_MAX_CHARS {
        problems.push(Problem::new(
            "string_too_long",
            &["body", "title"],
            format!("String should have at most {TITLE_MAX_CHARS} characters"),
        ));
        None
    } else {
        Some(trimmed.to_owned())
    }
}

fn description(value: &Value, problems: &mut Vec<Problem>) -> Option<Option<String>> {
    match value {
        Value::Null => Some(None),
        Value::String(text) if text.chars().count() > DESCRIPTION_MAX_CHARS => {
            problems.push(Problem::new(
                "string_too_long",
                &["body", "description"],
                format!("String should have at most {DESCRIPTION_MAX_CHARS} characters"),
            ));
            None
        }
        Value::String(text) if text.contains('\0') => {
            problems.push(no_nul(&["body", "description"]));
            None
        }
        Value::String(text) => Some(Some(text.clone())),
        _ => {
            problems.push(Problem::new(
                "string_type",
                &["body", "description"],
                "Input should be a valid string",
            ));
            None
        }
    }
}

impl NewTask {
    /// Parses a `POST` body: `title` required, `description` optional.
    pub fn parse(body: &[u8]) -> Result<Self, Vec<Problem>> {
        let map = object(body)?;
        let mut problems = Vec::new();
        let title = match map.get("title") {
            Some(value) => title(value, &mut problems),
            None => {
                problems.push(Problem::new(
                    "missing",
                    &["body", "title"],
                    "Field required",
                ));
                None
            }
        };
        let description = map
            .get("description")
            .and_then(|value| description(value, &mut problems))
            .flatten();
        match (title, problems.is_empty()) {
            (Some(title), true) => Ok(Self { title, description }),
            _ => Err(problems),
        }
    }
}

impl TaskChanges {
    /// Parses a `PUT` body: every field optional; `null` leaves `title` and
    /// `completed` unchanged and clears `description`.
    pub fn parse(body: &[u8]) -> Result<Self, Vec<Problem>> {
        let map = object(body)?;
        let mut problems = Vec::new();
        let mut changes = Self::default();
        match map.get("title") {
            None | Some(Value::Null) => {}
            Some(value) => changes.title = title(value, &mut problems),
        }
        if let Some(value) = map.get("description") {
            changes.description = description(value, &mut problems);
        }
        match map.get("completed") {
            None | Some(Value::Null) => {}
            Some(Value::Bool(done)) => changes.completed = Some(*done),
            Some(_) => problems.push(Problem::new(
                "bool_type",
                &["body", "completed"],
                "Input should be a valid boolean",
            )),
        }
        if problems.is_empty() {
            Ok(changes)
        } else {
            Err(problems)
        }
    }
}

/// Parses a task id from the path: a UUID, answered 422 otherwise.
pub fn task_id(text: &str) -> Result<String, Vec<Problem>> {
    uuid::Uuid::parse_str(text)
        .map(|id| id.hyphenated().to_string())
        .map_err(|_| {
            vec![Problem::new(
                "uuid_parsing",
                &["path", "task_id"],
                "Input should be a valid UUID",
            )]
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(NewTask::parse(br#"{"title":"  a  "}"#).unwrap().title, "a");
        assert!(NewTask::parse(br#"{"title":"   "}"#).is_err());
        let long = format!(r#"{{"title":"{}"}}"#, "é".repeat(201));
        assert!(NewTask::parse(long.as_bytes()).is_err());
    }
}
