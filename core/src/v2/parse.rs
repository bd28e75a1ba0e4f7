//! Tolerant readers for v2 answers (see the module docs for the accepted shapes).

use serde_json::{Map, Value};

use super::model::{
    AutomationDetails, AutomationFeatures, AutomationStatus, Feature, FeatureState, GatewayIp, Task, V2Answer,
};
use crate::error::{Error, Result};
use crate::fault::{Forbidden403, api_error};
use crate::format::lossy_prefix;
use crate::format::text;
use crate::format::tree::{Doc, Step, child, index, scalar};
use crate::http::Response;

const STATUS_KEYS: &[&str] = &["automation_status"];
const TASK_LIST_KEYS: &[&str] = &["tasks", "server_tasks", "automation_tasks"];
const TASK_ITEM_KEYS: &[&str] = &["task", "server_task", "automation_task", "item"];
const FEATURE_LIST_KEYS: &[&str] = &["automation_features", "features"];
const FEATURE_ITEM_KEYS: &[&str] = &["feature", "automation_feature", "item"];
const NAME_KEYS: &[&str] = &["name", "task", "description"];
const STATE_KEYS: &[&str] = &["status", "state"];
const GATEWAY_KEYS: &[&str] = &["gateway_ip", "gateway"];

/// Handles the statuses that are outcomes rather than answers, then parses the body.
fn answer<T>(
    response: &Response,
    not_found_is_unassigned: bool,
    read: impl FnOnce(&[u8]) -> Result<T>,
) -> Result<V2Answer<T>> {
    match response.status {
        200..=299 => read(&response.body).map(V2Answer::Answer),
        403 => Ok(V2Answer::RateLimited {
            retry_after: response.header("Retry-After").and_then(|v| v.trim().parse().ok()),
            body: lossy_prefix(&response.body),
        }),
        404 if not_found_is_unassigned => Ok(V2Answer::NotAssigned),
        _ => Err(api_error(response, Forbidden403::RateLimit)),
    }
}

/// Reads the answer of `automation_status` (text, JSON or XML).
pub fn parse_automation_status(response: &Response) -> Result<V2Answer<AutomationStatus>> {
    answer(response, false, |body| match Doc::parse(body)? {
        None => text::parse_word(body).map(|w| AutomationStatus::parse(&w)),
        Some(doc) => status_of(&doc),
    })
}

/// Reads the answer of `automation_status/details` (JSON or XML; a bare text status is accepted
/// as details without tasks).
pub fn parse_details(response: &Response) -> Result<V2Answer<AutomationDetails>> {
    answer(response, false, |body| match Doc::parse(body)? {
        None => text::parse_word(body)
            .map(|w| AutomationDetails { automation_status: AutomationStatus::parse(&w), tasks: Vec::new() }),
        Some(doc) => {
            let automation_status = status_of(&doc)?;
            let tasks = match locate(&doc, TASK_LIST_KEYS) {
                None => Vec::new(),
                Some((value, path)) => items(&doc, value, &path, TASK_ITEM_KEYS, "task")?
                    .into_iter()
                    .map(|(name, status, extra)| Task { name, status, extra })
                    .collect(),
            };
            Ok(AutomationDetails { automation_status, tasks })
        }
    })
}

/// Reads the answer of `gateway_ip` (text, JSON or XML). A 404 is [`V2Answer::NotAssigned`].
pub fn parse_gateway_ip(response: &Response) -> Result<V2Answer<GatewayIp>> {
    answer(response, true, |body| match Doc::parse(body)? {
        None => text::parse_ipv4(body),
        Some(doc) => {
            let (value, path) = match &doc.root {
                Value::String(_) => (&doc.root, Vec::new()),
                _ => locate(&doc, GATEWAY_KEYS)
                    .ok_or_else(|| doc.error(&[], "a gateway_ip value, e.g. {\"gateway_ip\": \"10.1.2.1\"}"))?,
            };
            let text = scalar(value).ok_or_else(|| doc.error(&path, "an IPv4 address string"))?;
            text::parse_ipv4_text(&text).map_err(|(_, expected)| doc.error(&path, expected))
        }
    })
}

/// Reads the answer of `automation_features` (JSON or XML).
pub fn parse_automation_features(response: &Response) -> Result<V2Answer<AutomationFeatures>> {
    answer(response, false, |body| {
        let doc = Doc::parse(body)?.ok_or_else(|| {
            let (line, column) = (1, 1);
            Error::Text {
                line,
                column,
                expected: "a JSON or XML list of features".to_owned(),
                found: crate::error::shorten(String::from_utf8_lossy(body).trim()),
            }
        })?;
        let (value, path) = locate(&doc, FEATURE_LIST_KEYS)
            .ok_or_else(|| doc.error(&[], "automation_features holding a list of {name, status}"))?;
        let features = items(&doc, value, &path, FEATURE_ITEM_KEYS, "feature")?
            .into_iter()
            .map(|(name, status, extra)| Feature { name, status: FeatureState::parse(&status), extra })
            .collect();
        Ok(AutomationFeatures { features })
    })
}

/// The wrappers v2 answers are known to use (the XML details root, a JSON `response`): any other
/// (`{"error": {…}}`, `<html>`) is not read through, so an error page cannot pass for a status.
const WRAPPERS: &[&str] = &["automation_status_details", "details", "response"];

/// Finds the first of `keys` in the root object, or one level down in a known wrapper element.
fn locate<'a>(doc: &'a Doc, keys: &[&str]) -> Option<(&'a Value, Vec<Step>)> {
    let Value::Object(root) = &doc.root else {
        return None;
    };
    if let Some((k, v)) = keys.iter().find_map(|k| root.get_key_value(*k)) {
        return Some((v, vec![Step::Key(k.clone())]));
    }
    // One wrapper (`<automation_status_details>`, `{"response": {…}}`).
    for (wrapper, inner) in root.iter().filter(|(name, _)| WRAPPERS.contains(&name.as_str())) {
        if let Value::Object(inner) = inner
            && let Some((k, v)) = keys.iter().find_map(|k| inner.get_key_value(*k))
        {
            return Some((v, vec![Step::Key(wrapper.clone()), Step::Key(k.clone())]));
        }
    }
    None
}

fn status_of(doc: &Doc) -> Result<AutomationStatus> {
    const EXPECTED: &str = "automation_status holding a status such as DEPLOYED";
    let (value, path) = match &doc.root {
        Value::String(_) => (&doc.root, Vec::new()),
        _ => locate(doc, STATUS_KEYS).ok_or_else(|| doc.error(&[], EXPECTED))?,
    };
    // `<automation_status value="DEPLOYED"/>`: the status as an attribute.
    let text = scalar(value).or_else(|| match value {
        Value::Object(map) => ["value", "status", "state"].iter().find_map(|k| map.get(*k)).and_then(scalar),
        _ => None,
    });
    match text {
        Some(t) if !t.is_empty() && !t.chars().any(char::is_control) => Ok(AutomationStatus::parse(&t)),
        _ => Err(doc.error(&path, "a non-empty status string such as DEPLOYED")),
    }
}

type Item = (String, String, Map<String, Value>);

/// A list of {name, status} items: an array, a wrapper element holding one or many items, or a
/// name → status map.
fn items(doc: &Doc, value: &Value, path: &[Step], item_keys: &[&str], what: &str) -> Result<Vec<Item>> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::String(s) if s.trim().is_empty() => Ok(Vec::new()),
        Value::Array(list) => list.iter().enumerate().map(|(i, v)| item(doc, v, &index(path, i), what)).collect(),
        Value::Object(map) => {
            if map.len() == 1
                && let Some((k, inner)) = map.iter().next()
                && item_keys.contains(&k.as_str())
                && matches!(inner, Value::Array(_) | Value::Object(_))
            {
                let inner_path = child(path, k);
                return match inner {
                    Value::Array(list) => {
                        list.iter().enumerate().map(|(i, v)| item(doc, v, &index(&inner_path, i), what)).collect()
                    }
                    single => Ok(vec![item(doc, single, &inner_path, what)?]),
                };
            }
            // A name → status map.
            map.iter()
                .map(|(name, status)| {
                    let status = scalar(status)
                        .ok_or_else(|| doc.error(&child(path, name), &format!("the {what}'s status as a string")))?;
                    Ok((name.clone(), status, Map::new()))
                })
                .collect()
        }
        _ => Err(doc.error(path, &format!("a list of {what}s, <{what}> elements, or a map of {what} name to status"))),
    }
}

fn item(doc: &Doc, value: &Value, path: &[Step], what: &str) -> Result<Item> {
    let Value::Object(map) = value else {
        return Err(doc.error(path, &format!("a {what} object with a name and a status")));
    };
    let pick = |keys: &[&'static str]| keys.iter().find_map(|k| map.get(*k).and_then(scalar).map(|v| (*k, v)));
    let (name_key, name) =
        pick(NAME_KEYS).ok_or_else(|| doc.error(path, &format!("the {what}'s name (name, task or description)")))?;
    let (state_key, status) =
        pick(STATE_KEYS).ok_or_else(|| doc.error(path, &format!("the {what}'s status (status or state)")))?;
    let extra = map
        .iter()
        .filter(|(k, _)| k.as_str() != name_key && k.as_str() != state_key)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok((name, status, extra))
}
