//! Operation names: one name per emulated API call, so faults (and the request log) can pick
//! calls by what they do rather than by path. The one table, [`OPERATIONS`], is documented in
//! `emulator/README.md`.

/// `(method, path pattern, name)`: `*` in a pattern stands for one path segment (an id, a
/// region, a tenant). The first match wins, so specific patterns come before general ones.
pub const OPERATIONS: &[(&str, &str, &str)] = &[
    ("GET", "/", "identity.versions"),
    ("GET", "/v2.0", "identity.version"),
    ("POST", "/v2.0/tokens", "identity.authenticate"),
    ("DELETE", "/v2.0/tokens", "identity.revoke"),
    ("GET", "/v2.0/tokens/*", "identity.validate"),
    ("GET", "/v1.0", "identity.v1_authenticate"),
    ("GET", "/v1.0/*/servers/*", "v1.servers.get"),
    ("GET", "/v1/automation_status", "v2.status"),
    ("GET", "/v1/automation_status/details", "v2.status_details"),
    ("GET", "/v1/gateway_ip", "v2.gateway_ip"),
    ("GET", "/v1/automation_features", "v2.features"),
    ("GET", "/servers/*/v2/*/servers", "servers.list"),
    ("GET", "/servers/*/v2/*/servers/detail", "servers.detail"),
    ("GET", "/servers/*/v2/*/servers/*", "servers.get"),
    ("DELETE", "/servers/*/v2/*/servers/*", "servers.delete"),
    ("GET", "/servers/*/v2/*/servers/*/metadata", "servers.metadata"),
    ("GET", "/servers/*/v2/*/servers/*/metadata/*", "servers.metadata_item"),
    ("GET", "/servers/*/v2/*/flavors", "flavors.list"),
    ("GET", "/servers/*/v2/*/flavors/detail", "flavors.detail"),
    ("GET", "/servers/*/v2/*/flavors/*", "flavors.get"),
    ("GET", "/servers/*/v2/*/images", "images.list"),
    ("GET", "/servers/*/v2/*/images/detail", "images.detail"),
    ("GET", "/servers/*/v2/*/images/*", "images.get"),
    ("GET", "/rackconnect/*/v3/*/cloud_networks", "v3.networks.list"),
    ("GET", "/rackconnect/*/v3/*/cloud_networks/*", "v3.networks.get"),
    ("GET", "/rackconnect/*/v3/*/load_balancer_pools", "v3.pools.list"),
    ("POST", "/rackconnect/*/v3/*/load_balancer_pools/nodes", "v3.pool_nodes.add_many"),
    ("DELETE", "/rackconnect/*/v3/*/load_balancer_pools/nodes", "v3.pool_nodes.remove_many"),
    ("GET", "/rackconnect/*/v3/*/load_balancer_pools/nodes/details", "v3.pool_nodes.by_server"),
    ("GET", "/rackconnect/*/v3/*/load_balancer_pools/*", "v3.pools.get"),
    ("GET", "/rackconnect/*/v3/*/load_balancer_pools/*/nodes", "v3.pool_nodes.list"),
    ("POST", "/rackconnect/*/v3/*/load_balancer_pools/*/nodes", "v3.pool_nodes.add"),
    ("GET", "/rackconnect/*/v3/*/load_balancer_pools/*/nodes/details", "v3.pool_nodes.list_details"),
    ("GET", "/rackconnect/*/v3/*/load_balancer_pools/*/nodes/*", "v3.pool_nodes.get"),
    ("DELETE", "/rackconnect/*/v3/*/load_balancer_pools/*/nodes/*", "v3.pool_nodes.remove"),
    ("GET", "/rackconnect/*/v3/*/load_balancer_pools/*/nodes/*/details", "v3.pool_nodes.get_details"),
    ("GET", "/rackconnect/*/v3/*/public_ips", "v3.public_ips.list"),
    ("POST", "/rackconnect/*/v3/*/public_ips", "v3.public_ips.add"),
    ("GET", "/rackconnect/*/v3/*/public_ips/*", "v3.public_ips.get"),
    ("PATCH", "/rackconnect/*/v3/*/public_ips/*", "v3.public_ips.update"),
    ("DELETE", "/rackconnect/*/v3/*/public_ips/*", "v3.public_ips.remove"),
];

/// `(the client's name, this table's name)`: the operation names of the `rackconnect` core
/// (`Operation`'s, which its errors list and its users know) for the calls they make, so a fault
/// can name a call either way. The emulator's own names cover more calls (flavors, images,
/// other clients'), so they stay the table's.
pub const CLIENT_NAMES: &[(&str, &str)] = &[
    ("identity.token", "identity.authenticate"),
    ("v2.automation_status", "v2.status"),
    ("v2.details", "v2.status_details"),
    ("v2.automation_features", "v2.features"),
    ("servers.show", "servers.get"),
    ("servers.list_detail", "servers.detail"),
    ("servers.v1_auth", "identity.v1_authenticate"),
    ("servers.v1_show", "v1.servers.get"),
    ("v3.list_networks", "v3.networks.list"),
    ("v3.get_network", "v3.networks.get"),
    ("v3.list_pools", "v3.pools.list"),
    ("v3.get_pool", "v3.pools.get"),
    ("v3.list_nodes", "v3.pool_nodes.list"),
    ("v3.add_node", "v3.pool_nodes.add"),
    ("v3.list_node_details", "v3.pool_nodes.list_details"),
    ("v3.get_node", "v3.pool_nodes.get"),
    ("v3.remove_node", "v3.pool_nodes.remove"),
    ("v3.get_node_details", "v3.pool_nodes.get_details"),
    ("v3.bulk_add_nodes", "v3.pool_nodes.add_many"),
    ("v3.bulk_remove_nodes", "v3.pool_nodes.remove_many"),
    ("v3.server_node_details", "v3.pool_nodes.by_server"),
    ("v3.list_public_ips", "v3.public_ips.list"),
    ("v3.create_public_ip", "v3.public_ips.add"),
    ("v3.get_public_ip", "v3.public_ips.get"),
    ("v3.update_public_ip", "v3.public_ips.update"),
    ("v3.delete_public_ip", "v3.public_ips.remove"),
];

/// The table's name for `name`: itself, or the operation a client's name stands for.
pub fn canonical(name: &str) -> &str {
    CLIENT_NAMES.iter().find(|(client, _)| *client == name).map_or(name, |(_, table)| table)
}

/// The name of the operation a request calls, if it calls one of [`OPERATIONS`].
pub fn operation(method: &str, path: &str) -> Option<&'static str> {
    // Segment by segment, without allocating: this runs for every request.
    let fits = |pattern: &str| {
        let mut wanted = pattern.trim_matches('/').split('/');
        let mut segments = path.trim_matches('/').split('/');
        loop {
            match (wanted.next(), segments.next()) {
                (None, None) => return true,
                (Some(w), Some(s)) if w == "*" || w == s => {}
                _ => return false,
            }
        }
    };
    OPERATIONS.iter().find(|(m, pattern, _)| m.eq_ignore_ascii_case(method) && fits(pattern)).map(|(_, _, name)| *name)
}

/// Whether `name` is an operation in the table, or a prefix of some ending in `.`
/// (`v3.pool_nodes.` picks every pool-node call).
pub fn is_known(name: &str) -> bool {
    OPERATIONS.iter().any(|(_, _, n)| *n == name || (name.ends_with('.') && n.starts_with(name)))
}

/// Whether a fault's `operation` picks the operation `name`: the same name, or a prefix of it
/// ending in `.`.
pub fn picks(wanted: &str, name: &str) -> bool {
    wanted == name || (wanted.ends_with('.') && name.starts_with(wanted))
}

#[cfg(test)]
mod tests {
    use super::{CLIENT_NAMES, OPERATIONS, canonical, is_known, operation};

    #[test]
    fn every_operation_of_the_client_names_a_call_of_the_table() {
        for op in rackconnect::ops::Operation::ALL {
            let name = canonical(op.name());
            assert!(is_known(name) && !name.ends_with('.'), "{} -> {name}", op.name());
        }
        // Every alias is the client's and stands for one call of the table.
        for (client, table) in CLIENT_NAMES {
            assert!(rackconnect::ops::Operation::ALL.iter().any(|op| op.name() == *client), "{client}");
            assert!(OPERATIONS.iter().any(|(_, _, n)| n == table), "{table}");
        }
        assert_eq!(canonical("v3.get_pool"), "v3.pools.get");
        assert_eq!(canonical("v3.pools.get"), "v3.pools.get");
    }

    #[test]
    fn every_name_is_unique_and_specific_paths_win() {
        let mut names: Vec<&str> = OPERATIONS.iter().map(|(_, _, n)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), OPERATIONS.len());
        assert_eq!(
            operation("POST", "/rackconnect/DFW/v3/1/load_balancer_pools/nodes"),
            Some("v3.pool_nodes.add_many")
        );
        assert_eq!(operation("POST", "/rackconnect/DFW/v3/1/load_balancer_pools/p/nodes"), Some("v3.pool_nodes.add"));
        assert_eq!(operation("GET", "/servers/DFW/v2/1/servers/detail"), Some("servers.detail"));
        assert_eq!(operation("GET", "/servers/DFW/v2/1/servers/abc/metadata"), Some("servers.metadata"));
        assert_eq!(operation("GET", "/v1/automation_status"), Some("v2.status"));
        assert_eq!(operation("POST", "/v2.0/tokens"), Some("identity.authenticate"));
        assert_eq!(operation("PUT", "/v2.0/tokens"), None);
    }
}
