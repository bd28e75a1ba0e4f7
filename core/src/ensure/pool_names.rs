//! Pools as people name them: by id, or by the name the pool has in the region. Operators know
//! their pools as `web-80`, not as UUIDs; the API only takes ids. A name must match exactly one
//! pool (exactly first, then ignoring case), otherwise the error lists what there is.

use crate::error::{Error, Result};
use crate::v3::Pool;

/// Whether `text` has the shape of a pool id: a UUID's 8-4-4-4-12 groups (of letters and digits,
/// not only hex, so that made-up ids such as the emulator's pass too). Names are free text and
/// practically never have this shape, so anything else is taken as a name.
pub fn looks_like_id(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_alphanumeric(),
        })
}

/// Whether any of `pools` is a name, so that the region's pools must be listed to resolve it.
pub fn needs_pool_list(pools: &[String]) -> bool {
    pools.iter().any(|p| !looks_like_id(p))
}

/// The ids of `pools`, each an id (kept as given) or the name of one of `known` (the region's
/// pools). `field` names the input in errors, e.g. `pools` gives `pools[1]`.
pub fn resolve_pool_names(pools: &[String], known: &[Pool], field: &str) -> Result<Vec<String>> {
    pools.iter().enumerate().map(|(i, wanted)| resolve_pool_name(wanted, known, &format!("{field}[{i}]"))).collect()
}

/// The id of one pool, given as an id (kept as given) or as the name of one of `known`;
/// `field` names the input in errors as it is (e.g. `pool_id`, `--pool`).
pub fn resolve_pool_name(wanted: &str, known: &[Pool], field: &str) -> Result<String> {
    let candidates: Vec<(&str, Option<&str>)> = known.iter().map(|p| (p.id.as_str(), p.name.as_deref())).collect();
    resolve_by_name(wanted, &candidates, field, "pool", || names(known))
}

/// The one rule for things named by people (pools, servers): an id-shaped `wanted` is taken as
/// the id; else the one candidate `(id, name)` named exactly so, then ignoring case. None lists
/// what there is (`listing`); several list their ids.
pub(super) fn resolve_by_name(
    wanted: &str,
    candidates: &[(&str, Option<&str>)],
    field: &str,
    kind: &str,
    listing: impl FnOnce() -> String,
) -> Result<String> {
    if looks_like_id(wanted) {
        return Ok(wanted.to_owned());
    }
    let named = |exact: bool| -> Vec<&str> {
        candidates
            .iter()
            .filter(|(_, name)| name.is_some_and(|n| if exact { n == wanted } else { n.eq_ignore_ascii_case(wanted) }))
            .map(|(id, _)| *id)
            .collect()
    };
    let exact = named(true);
    let matches = if exact.is_empty() { named(false) } else { exact };
    match matches.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => Err(Error::invalid(
            field,
            format!("a {kind} id, or the name of a {kind} in the region ({})", listing()),
            wanted,
        )),
        many => Err(Error::invalid(
            field,
            format!(
                "a name that only one {kind} has ({} {kind}s are named so: {}; give the id)",
                many.len(),
                many.join(", ")
            ),
            wanted,
        )),
    }
}

fn names(known: &[Pool]) -> String {
    if known.is_empty() {
        return "there are none".to_owned();
    }
    let listed: Vec<&str> = known.iter().map(|p| p.name.as_deref().unwrap_or(p.id.as_str())).collect();
    format!("there are: {}", listed.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(id: &str, name: &str) -> Pool {
        serde_json::from_value(serde_json::json!({"id": id, "name": name})).expect("a pool")
    }

    const WEB: &str = "00000001-bbbb-4bbb-8bbb-dfw000000001";
    const API: &str = "00000001-BBBB-4bbb-8bbb-dfw000000002";

    fn known() -> Vec<Pool> {
        vec![
            pool(WEB, "dfw-web-80"),
            pool(API, "dfw-api-443"),
            pool("00000002-bbbb-4bbb-8bbb-dfw000000003", "twin"),
            pool("00000003-bbbb-4bbb-8bbb-dfw000000004", "twin"),
            pool("00000004-bbbb-4bbb-8bbb-dfw000000005", "Case"),
            pool("00000005-bbbb-4bbb-8bbb-dfw000000006", "case"),
        ]
    }

    #[test]
    fn ids_pass_through_and_names_resolve() {
        let wanted = vec![API.to_owned(), "dfw-web-80".to_owned(), "DFW-API-443".to_owned(), "Case".to_owned()];
        assert!(needs_pool_list(&wanted));
        assert!(!needs_pool_list(&[WEB.to_owned()]));
        let ids = resolve_pool_names(&wanted, &known(), "pools").expect("resolved");
        assert_eq!(ids, vec![API, WEB, API, "00000004-bbbb-4bbb-8bbb-dfw000000005"]);
    }

    #[test]
    fn unknown_and_ambiguous_names_say_what_there_is() {
        let unknown = resolve_pool_names(&[WEB.to_owned(), "web".to_owned()], &known(), "--pool").expect_err("unknown");
        let text = unknown.to_string();
        assert!(text.contains("--pool[1]") && text.contains("dfw-web-80, dfw-api-443"), "{text}");
        let twin = resolve_pool_names(&["twin".to_owned()], &known(), "pools").expect_err("ambiguous").to_string();
        assert!(twin.contains("2 pools") && twin.contains("dfw000000003") && twin.contains("give the id"), "{twin}");
        let none = resolve_pool_names(&["web".to_owned()], &[], "pools").expect_err("no pools").to_string();
        assert!(none.contains("there are none"), "{none}");
    }

    #[test]
    fn id_shape() {
        assert!(looks_like_id(WEB) && looks_like_id(API));
        assert!(looks_like_id("d95ae0c4-6ab8-4873-b82f-f8433840cff2"));
        assert!(!looks_like_id("dfw-web-80") && !looks_like_id("") && !looks_like_id(&WEB.replace('-', "_")));
    }
}
