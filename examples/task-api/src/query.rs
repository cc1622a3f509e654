//! The list route's query string: `completed`, `limit`, `offset`.

use crate::model::Problem;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 100;

/// A validated list query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListQuery {
    pub completed: Option<bool>,
    pub limit: i64,
    pub offset: i64,
}

impl ListQuery {
    /// Parses a raw query string (without `?`). Unknown parameters are
    /// ignored; a repeated one takes its last value, as FastAPI does.
    pub fn parse(raw: &str) -> Result<Self, Vec<Problem>> {
        let mut query = Self {
            completed: None,
            limit: DEFAULT_LIMIT,
            offset: 0,
        };
        let mut problems = Vec::new();
        let (mut completed, mut limit, mut offset) = (None, None, None);
        for pair in raw.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value);
            match percent_decode(name).as_str() {
                "completed" => completed = Some(value),
                "limit" => limit = Some(value),
                "offset" => offset = Some(value),
                _ => {}
            }
        }
        if let Some(value) = completed {
            match value.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => query.completed = Some(true),
                "false" | "0" | "no" | "off" => query.completed = Some(false),
                _ => problems.push(Problem::new(
                    "bool_parsing",
                    &["query", "completed"],
                    "Input should be a valid boolean, unable to interpret input",
                )),
            }
        }
        if let Some(value) = limit {
            match bounded(&value, "limit", 1, Some(MAX_LIMIT)) {
                Ok(limit) => query.limit = limit,
                Err(problem) => problems.push(problem),
            }
        }
        if let Some(value) = offset {
            match bounded(&value, "offset", 0, None) {
                Ok(offset) => query.offset = offset,
                Err(problem) => problems.push(problem),
            }
        }
        if problems.is_empty() {
            Ok(query)
        } else {
            Err(problems)
        }
    }
}

fn bounded(value: &str, name: &str, min: i64, max: Option<i64>) -> Result<i64, Problem> {
    let number: i64 = value.trim().parse().map_err(|_| {
        Problem::new(
            "int_parsing",
            &["query", name],
            "Input should be a valid integer, unable to parse string as an integer",
        )
    })?;
    if number < min {
        return Err(Problem::new(
            "greater_than_equal",
            &["query", name],
            format!("Input should be greater than or equal to {min}"),
        ));
    }
    match max {
        Some(max) if number > max => Err(Problem::new(
            "less_than_equal",
            &["query", name],
            format!("Input should be less than or equal to {max}"),
        )),
        _ => Ok(number),
    }
}

/// Decodes `+` and `%XX` escapes; invalid escapes are kept as they are.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
