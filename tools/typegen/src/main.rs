fn main() {
    println!("{}", serde_json::to_string_pretty(&rackconnect::schema::description()).unwrap_or_default());
}
