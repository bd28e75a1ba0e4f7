//! `docs/emulator.md`'s command-line snippet runs as written (its port made a free one), with the
//! `rackconnect` built here first on PATH, in an empty folder and home.

mod common;

use std::path::Path;
use std::process::Command;

use common::{BIN, TempDir};

#[test]
fn the_command_line_way_in_runs_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("../docs/emulator.md")).expect("docs/emulator.md");
    let (_, section) = page.split_once("## The command line").expect("the section");
    let (_, script) = section.split_once("```sh\n").expect("a shell block");
    let (script, _) = script.split_once("```").expect("its end");
    assert!(script.contains("127.0.0.1:8080"), "{script}");

    let port =
        std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address").port();
    let script = format!("set -euo pipefail\n{}", script.replace("8080", &port.to_string()));
    let dir = TempDir::new("docs-cli");
    let bin_dir = Path::new(BIN).parent().expect("the binary's folder");
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut bash = Command::new("bash");
    bash.arg("-c").arg(&script).current_dir(&dir.0).env("PATH", path).env("HOME", &dir.0);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("RAX_") {
            bash.env_remove(name);
        }
    }
    let out = bash.output().expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the snippet failed ({:?})\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains("dfw-web-80"), "the pools listed: {stdout}");
    let world = std::fs::read_to_string(dir.join("world.json")).expect("SIGTERM wrote world.json");
    assert!(world.contains("\"seed\": 7"), "{world}");
}
