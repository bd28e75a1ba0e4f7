//! The description of every value that crosses to Python and JavaScript: one JSON Schema per
//! type, derived from the types themselves (their serde forms and their doc comments), plus the
//! result type of each operation and the public names of the generic ones. `tools/typegen` writes
//! Python's `rackconnect/types.py` and the npm package's `types.d.ts` from it, and its test fails
//! when either differs from what is checked in. Behind the `schema` feature: nothing that ships
//! carries it.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::http::{Request, Response};
use crate::ops::Operation;
use crate::{Result, client, ensure, identity, inventory, servers, v2, v3, wait};

/// The public names of generic instances (schemars would call them `V2Answer_for_…`), and the
/// name each one's `answer` variant goes by.
const V2_ANSWERS: [(&str, &str); 4] = [
    ("V2StatusAnswer", "V2StatusAnswered"),
    ("V2DetailsAnswer", "V2DetailsAnswered"),
    ("V2GatewayIpAnswer", "V2GatewayIpAnswered"),
    ("V2FeaturesAnswer", "V2FeaturesAnswered"),
];

/// The schema of what `parse` returns for an operation, read off the parse function's own type.
fn returns<T: JsonSchema>(generator: &mut SchemaGenerator, _parse: fn(&Response) -> Result<T>) -> Value {
    generator.subschema_for::<T>().to_value()
}

fn operation_result(generator: &mut SchemaGenerator, op: Operation) -> Value {
    use Operation::*;
    let g = generator;
    match op {
        V2AutomationStatus => returns(g, v2::parse_automation_status),
        V2Details => returns(g, v2::parse_details),
        V2GatewayIp => returns(g, v2::parse_gateway_ip),
        V2AutomationFeatures => returns(g, v2::parse_automation_features),
        ServersShow | ServersV1Show => returns(g, servers::parse_server),
        ServersMetadata => returns(g, servers::parse_metadata),
        ServersMetadataItem => returns(g, servers::parse_metadata_item),
        ServersListDetail => returns(g, servers::parse_servers_detail),
        ServersV1Auth => returns(g, servers::v1::parse_auth),
        IdentityToken | IdentityValidate => returns(g, identity::parse_token),
        IdentityRevoke => returns(g, identity::parse_revoke),
        V3ListNetworks => returns(g, v3::parse_networks),
        V3GetNetwork => returns(g, v3::parse_network),
        V3ListPools => returns(g, v3::parse_pools),
        V3GetPool => returns(g, v3::parse_pool),
        V3ListNodes | V3BulkAddNodes => returns(g, v3::parse_nodes),
        V3AddNode | V3GetNode => returns(g, v3::parse_node),
        V3ListNodeDetails => returns(g, v3::parse_node_details_list),
        V3GetNodeDetails => returns(g, v3::parse_node_details),
        V3ServerNodeDetails => returns(g, v3::parse_server_node_details),
        V3ListPublicIps => returns(g, v3::parse_public_ips),
        V3CreatePublicIp | V3GetPublicIp | V3UpdatePublicIp => returns(g, v3::parse_public_ip),
        V3RemoveNode | V3BulkRemoveNodes | V3DeletePublicIp => returns(g, v3::parse_no_content),
    }
}

/// The types a front door names besides the operations' results, in the order they are written.
fn roots(generator: &mut SchemaGenerator) {
    generator.subschema_for::<Request>();
    generator.subschema_for::<crate::Error>();
    generator.subschema_for::<crate::id::Region>();
    generator.subschema_for::<wait::Outcome>();
    generator.subschema_for::<wait::WaitResult>();
    generator.subschema_for::<client::NodesWait>();
    generator.subschema_for::<client::PublicIpWait>();
    generator.subschema_for::<client::MetadataWait>();
    generator.subschema_for::<wait::FleetWaitResult>();
    generator.subschema_for::<wait::Event>();
    generator.subschema_for::<ensure::MembershipResult>();
    generator.subschema_for::<ensure::PublicIpResult>();
    generator.subschema_for::<inventory::Inventory>();
    generator.subschema_for::<client::Fitness>();
    generator.subschema_for::<v2::BodySyntax>();
}

/// The whole description: `{"operations": {name: schema}, "types": {name: schema}}`, every
/// `$ref` pointing into `types` as `#/types/NAME`.
pub fn description() -> Value {
    let settings = SchemaSettings::draft2020_12().for_serialize().with(|s| s.definitions_path = "/types".into());
    let mut generator = SchemaGenerator::new(settings);
    let operations: Map<String, Value> =
        Operation::ALL.iter().map(|&op| (op.name().to_owned(), operation_result(&mut generator, op))).collect();
    roots(&mut generator);
    let types: Map<String, Value> = generator.take_definitions(true).into_iter().collect();
    let mut description = json!({"operations": operations, "types": types});
    name_generic_instances(&mut description);
    description
}

/// `V2Answer_for_AutomationStatus` → `V2StatusAnswer` (by the operation that returns it), and
/// each variant titled, so that every language names them alike.
fn name_generic_instances(description: &mut Value) {
    let ops = ["v2.automation_status", "v2.details", "v2.gateway_ip", "v2.automation_features"];
    let mut renames = Vec::new();
    for (op, (name, answered)) in ops.iter().zip(V2_ANSWERS) {
        if let Some(Value::String(reference)) = description["operations"][op].get("$ref") {
            let old = reference.trim_start_matches("#/types/").to_owned();
            renames.push((old, name.to_owned(), answered));
        }
    }
    for (old, new, answered) in renames {
        let Some(types) = description["types"].as_object_mut() else { return };
        let Some(mut schema) = types.remove(&old) else { continue };
        if let Some(Value::Array(variants)) = schema.get_mut("oneOf") {
            for variant in variants {
                let title = match variant["properties"]["outcome"]["const"].as_str() {
                    Some("answer") => answered,
                    Some("rate_limited") => "V2RateLimited",
                    Some("not_assigned") => "V2NotAssigned",
                    _ => continue,
                };
                variant["title"] = title.into();
            }
        }
        types.insert(new.clone(), schema);
        rename_refs(description, &format!("#/types/{old}"), &format!("#/types/{new}"));
    }
}

fn rename_refs(value: &mut Value, old: &str, new: &str) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if key == "$ref" && item.as_str() == Some(old) {
                    *item = new.into();
                } else {
                    rename_refs(item, old, new);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rename_refs(item, old, new)),
        _ => {}
    }
}

/// A schema, for tests.
#[doc(hidden)]
pub fn of<T: JsonSchema>() -> Schema {
    schemars::schema_for!(T)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_a_result() {
        let description = description();
        for op in Operation::ALL {
            assert!(description["operations"].get(op.name()).is_some(), "{}", op.name());
        }
        assert_eq!(description["operations"]["v3.list_pools"]["items"]["$ref"], "#/types/Pool");
        assert_eq!(description["operations"]["v2.gateway_ip"]["$ref"], "#/types/V2GatewayIpAnswer");
    }

    #[test]
    fn unknown_fields_are_one_optional_key() {
        let description = description();
        let pool = &description["types"]["Pool"];
        assert!(pool["properties"].get("extra").is_some(), "{pool}");
        let required = pool["required"].as_array().cloned().unwrap_or_default();
        assert!(!required.contains(&json!("extra")) && required.contains(&json!("status")), "{pool}");
    }
}
