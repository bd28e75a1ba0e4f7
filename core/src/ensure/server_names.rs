//! Servers as people name them: by id, or by a name that only one server of the region has
//! (the pools' rules: exactly first, then ignoring case). Nova lets two servers share a name, so
//! an ambiguous name lists the candidates' ids instead of guessing.

use super::pool_names::{looks_like_id, resolve_by_name};
use crate::error::Result;
use crate::servers::Server;

/// The most servers an error lists by name before "and N more".
const LISTED: usize = 8;

/// Whether any of `servers` is a name, so that the region's servers must be listed.
pub fn needs_server_list(servers: &[String]) -> bool {
    servers.iter().any(|s| !looks_like_id(s))
}

/// The id of one server, given as an id (kept as given) or as the name of one of `known` (the
/// region's servers). `field` names the input in errors as it is (e.g. `--server`).
pub fn resolve_server_name(wanted: &str, known: &[Server], field: &str) -> Result<String> {
    let candidates: Vec<(&str, Option<&str>)> =
        known.iter().filter_map(|s| Some((s.id.as_deref()?, s.name.as_deref()))).collect();
    resolve_by_name(wanted, &candidates, field, "server", || names_of(known))
}

/// The ids of `servers`, each resolved as [`resolve_server_name`] does; `field` gives `field[i]`.
/// Every name no server has is named in the one error, so that one run shows all the typos.
pub fn resolve_server_names(servers: &[String], known: &[Server], field: &str) -> Result<Vec<String>> {
    let resolved: Vec<Result<String>> = servers
        .iter()
        .enumerate()
        .map(|(i, wanted)| resolve_server_name(wanted, known, &format!("{field}[{i}]")))
        .collect();
    let unknown: Vec<(usize, &str)> = servers
        .iter()
        .enumerate()
        .filter(|(_, wanted)| !looks_like_id(wanted))
        .filter(|(_, wanted)| !known.iter().any(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(wanted))))
        .map(|(i, wanted)| (i, wanted.as_str()))
        .collect();
    if unknown.len() > 1 {
        let fields: Vec<String> = unknown.iter().map(|(i, _)| format!("{field}[{i}]")).collect();
        let names: Vec<&str> = unknown.iter().map(|(_, wanted)| *wanted).collect();
        return Err(crate::Error::invalid(
            &fields.join(", "),
            format!("server ids, or the names of servers in the region ({})", names_of(known)),
            &names.join(", "),
        ));
    }
    resolved.into_iter().collect()
}

fn names_of(known: &[Server]) -> String {
    let listed: Vec<&str> = known.iter().filter_map(|s| s.name.as_deref()).collect();
    match listed.len() {
        0 => "there are none".to_owned(),
        n if n <= LISTED => format!("there are: {}", listed.join(", ")),
        n => format!("there are: {} and {} more", listed[..LISTED].join(", "), n - LISTED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(id: &str, name: &str) -> Server {
        let json = serde_json::json!({"id": id, "name": name});
        Server::from_json(&json, "").expect("a server")
    }

    #[test]
    fn ids_pass_names_resolve_and_ambiguity_lists_the_ids() {
        let a = "00000001-cccc-4ccc-8ccc-000000000001";
        let b = "00000002-cccc-4ccc-8ccc-000000000002";
        let c = "00000003-cccc-4ccc-8ccc-000000000003";
        let known = [server(a, "web1"), server(b, "twin"), server(c, "twin")];
        assert_eq!(resolve_server_name(a, &[], "--server").expect("id"), a);
        assert_eq!(resolve_server_name("web1", &known, "--server").expect("exact"), a);
        assert_eq!(resolve_server_name("WEB1", &known, "--server").expect("any case"), a);
        let twin = resolve_server_name("twin", &known, "--server").expect_err("ambiguous").to_string();
        assert!(twin.contains(b) && twin.contains(c) && twin.contains("--server"), "{twin}");
        let none = resolve_server_name("db9", &known, "servers[0]").expect_err("unknown").to_string();
        assert!(none.contains("servers[0]") && none.contains("web1, twin, twin"), "{none}");
        // Every unknown name at once; a single one keeps its own wording.
        let wanted = ["web1", "db9", a, "db10"].map(String::from);
        let both = resolve_server_names(&wanted, &known, "servers").expect_err("unknown").to_string();
        assert!(both.contains("invalid servers[1], servers[3]: ") && both.contains(r#"found "db9, db10""#), "{both}");
        let one = resolve_server_names(&wanted[..3], &known, "servers").expect_err("unknown").to_string();
        assert_eq!(one, none.replace("servers[0]", "servers[1]"));
    }
}
