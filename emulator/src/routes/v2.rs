//! RackConnect v2.0: the server is known by the request's source address; 30 requests per minute
//! per server (emulated minutes), then 403 until the minute turns. Text, JSON and XML in the
//! project's conventional shapes; the default format is text for status and gateway IP, JSON for
//! details and features.

use serde_json::json;

use super::Call;
use crate::reply::Reply;
use crate::world::World;

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Text,
    Json,
    Xml,
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Answers `/v1/…`, for the server the source address maps to.
pub fn route(world: &mut World, call: &Call, rest: &[&str]) -> Reply {
    let (offered, default): (&[Format], Format) = match rest {
        ["automation_status"] | ["gateway_ip"] => (&[Format::Text, Format::Json, Format::Xml], Format::Text),
        ["automation_status", "details"] | ["automation_features"] => (&[Format::Json, Format::Xml], Format::Json),
        _ => return Reply::text(404, "Not Found"),
    };
    if call.method != "GET" {
        return Reply::text(405, "Method Not Allowed").with_header("Allow", "GET");
    }
    let format = match call.query("format").map(str::to_ascii_lowercase).as_deref() {
        None => default,
        Some("text") => Format::Text,
        Some("json") => Format::Json,
        Some("xml") => Format::Xml,
        Some(_) => return Reply::text(400, "Bad Request: format must be text, json or xml"),
    };
    if !offered.contains(&format) {
        return Reply::text(400, "Bad Request: this resource is offered in json and xml");
    }
    // Unknown callers are refused like a server without RackConnect: 403, the same status as
    // the rate limit (which is why clients must not treat a single 403 as final).
    let Some(server) = world.server_by_source(&call.source_ip).cloned() else {
        return Reply::text(403, "Forbidden");
    };
    let v2_account = world.account(&server.spec.tenant).is_some_and(|a| a.rackconnect_v2);
    if !v2_account {
        return Reply::text(403, "Forbidden");
    }
    if !world.count_v2(&server.spec.id) {
        return Reply::text(403, "Rate limit exceeded: 30 requests per minute");
    }
    let progress = world.progress(&server);
    match rest {
        ["automation_status"] => match format {
            Format::Text => Reply::text(200, &format!("{}\n", progress.status)),
            Format::Json => Reply::json(200, &json!({"automation_status": progress.status})),
            Format::Xml => Reply::xml(200, format!("<automation_status>{}</automation_status>", progress.status)),
        },
        ["automation_status", "details"] => {
            let tasks: Vec<_> =
                progress.tasks.iter().map(|(name, status)| json!({"name": name, "status": status})).collect();
            match format {
                Format::Xml => {
                    let tasks: String = progress
                        .tasks
                        .iter()
                        .map(|(n, s)| format!("<task><name>{}</name><status>{s}</status></task>", xml_escape(n)))
                        .collect();
                    Reply::xml(
                        200,
                        format!(
                            "<automation_status_details><automation_status>{}</automation_status><tasks>{tasks}</tasks></automation_status_details>",
                            progress.status
                        ),
                    )
                }
                _ => Reply::json(200, &json!({"automation_status": progress.status, "tasks": tasks})),
            }
        }
        ["gateway_ip"] => match &progress.gateway_ip {
            None => Reply::text(404, "Not Found"),
            Some(ip) => match format {
                Format::Text => Reply::text(200, &format!("{ip}\n")),
                Format::Json => Reply::json(200, &json!({"gateway_ip": ip})),
                Format::Xml => Reply::xml(200, format!("<gateway_ip>{ip}</gateway_ip>")),
            },
        },
        _ => {
            let state = if server.spec.automation.features_enabled { "ENABLED" } else { "DISABLED" };
            let names = ["configure_network_stack", "manage_software_firewall", "provision_public_ip"];
            match format {
                Format::Xml => {
                    let features: String = names
                        .iter()
                        .map(|n| format!("<feature><name>{n}</name><status>{state}</status></feature>"))
                        .collect();
                    Reply::xml(200, format!("<automation_features>{features}</automation_features>"))
                }
                _ => Reply::json(
                    200,
                    &json!({"automation_features": names.iter().map(|n| json!({"name": n, "status": state})).collect::<Vec<_>>()}),
                ),
            }
        }
    }
}
