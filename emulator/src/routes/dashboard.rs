//! `GET /__emulator/` asked for by a browser (`Accept: text/html`): one self-contained page (no
//! script, style sheet or image from elsewhere) showing the world as it is at that moment:
//! servers with their automation and Managed status, pools and their members, public IPs, and
//! the request log with the v2 requests per server. Other clients still get the JSON summary.

use std::fmt::Write;

use serde_json::Value;

use super::control;
use crate::clock::iso_millis;
use crate::reply::Reply;
use crate::world::World;

/// The most recent requests the page lists.
const RECENT_REQUESTS: usize = 100;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A table with a caption, a header row and rows of cells (escaped here).
fn table(out: &mut String, id: &str, caption: &str, head: &[&str], rows: &[Vec<String>]) {
    let _ = write!(out, "<section id=\"{id}\"><h2>{}</h2>", escape(caption));
    if rows.is_empty() {
        out.push_str("<p class=\"none\">None.</p></section>");
        return;
    }
    out.push_str("<table><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></section>");
}

fn or_dash(value: Option<&str>) -> String {
    value.unwrap_or("–").to_owned()
}

/// The page.
pub fn page(world: &World) -> Reply {
    let mut out = String::with_capacity(16 * 1024);
    out.push_str(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>RackConnect emulator</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>\
         body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.5em}\
         table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left}\
         th{background:#f3f3f3}td{font-family:ui-monospace,monospace;font-size:.9em}.none{color:#777}\
         </style></head><body><h1>RackConnect emulator</h1>",
    );
    let _ = write!(
        out,
        "<p id=\"clock\">Emulated time {} (speed {}×). Reload the page to refresh; <code>/__emulator/</code> with any other \
         <code>Accept</code> answers JSON.</p>",
        escape(&iso_millis(world.now())),
        world.clock.speed()
    );
    let requests = control::requests(world);
    let counts = requests.get("servers").and_then(Value::as_object).cloned().unwrap_or_default();
    let count =
        |id: &str, key: &str| counts.get(id).and_then(|c| c.get(key)).and_then(Value::as_u64).unwrap_or(0).to_string();
    let servers: Vec<Vec<String>> = world
        .servers
        .iter()
        .filter(|s| !s.deleted)
        .map(|s| {
            let metadata = world.metadata(s);
            vec![
                s.spec.name.clone(),
                s.spec.id.clone(),
                s.spec.tenant.clone(),
                s.spec.region.clone(),
                or_dash(s.spec.source_ip.as_deref()),
                world.progress(s).status.to_owned(),
                or_dash(metadata.get("rax_service_level_automation").and_then(Value::as_str)),
                world.access_ipv4(s),
                count(&s.spec.id, "v2_requests"),
                count(&s.spec.id, "max_in_any_60s"),
            ]
        })
        .collect();
    table(
        &mut out,
        "servers",
        "Servers",
        &[
            "Name",
            "Id",
            "Tenant",
            "Region",
            "Source address (v2)",
            "Automation",
            "Managed",
            "accessIPv4",
            "v2 requests",
            "Most v2 requests in 60 s",
        ],
        &servers,
    );
    let server_name = |id: &str| {
        world
            .servers
            .iter()
            .find(|s| s.spec.id.eq_ignore_ascii_case(id))
            .map_or_else(|| id.to_owned(), |s| s.spec.name.clone())
    };
    let pools: Vec<Vec<String>> = world
        .pools
        .iter()
        .map(|p| {
            let members: Vec<String> = world
                .nodes
                .iter()
                .filter(|n| n.pool_id.eq_ignore_ascii_case(&p.spec.id))
                .map(|n| format!("{} ({})", server_name(&n.server_id), n.status))
                .collect();
            vec![
                p.spec.name.clone(),
                p.spec.id.clone(),
                p.spec.region.clone(),
                p.spec.status.clone(),
                if members.is_empty() { "–".to_owned() } else { members.join(", ") },
            ]
        })
        .collect();
    table(&mut out, "pools", "Load-balancer pools", &["Name", "Id", "Region", "Status", "Members"], &pools);
    let ips: Vec<Vec<String>> = world
        .ips
        .iter()
        .map(|ip| {
            vec![
                or_dash(ip.address.as_deref()),
                ip.id.clone(),
                ip.region.clone(),
                ip.status.clone(),
                ip.server_id.as_deref().map_or_else(|| "–".to_owned(), server_name),
                if ip.retain { "yes".to_owned() } else { "no".to_owned() },
            ]
        })
        .collect();
    table(&mut out, "public-ips", "Public IPs", &["Address", "Id", "Region", "Status", "Server", "Retained"], &ips);
    let log: Vec<Vec<String>> = world
        .log
        .iter()
        .rev()
        .take(RECENT_REQUESTS)
        .map(|e| {
            vec![
                e.seq.to_string(),
                iso_millis(e.emulated_ms),
                e.method.clone(),
                e.path.clone(),
                or_dash(e.operation),
                e.status.to_string(),
                e.source_ip.clone(),
                e.server_id.as_deref().map_or_else(|| "–".to_owned(), server_name),
                or_dash(e.fault.as_deref()),
            ]
        })
        .collect();
    let caption = format!("Requests (the latest {} of {}, newest first)", log.len(), world.log.len());
    table(
        &mut out,
        "requests",
        &caption,
        &["#", "Emulated time", "Method", "Path", "Operation", "Status", "From", "Server (v2)", "Fault"],
        &log,
    );
    out.push_str("</body></html>\n");
    Reply::html(200, out)
}
