//! End-to-end tests of the command as a user meets it (issue 14.4): completions run through the
//! real shells, the manual page through `man`, the help's headings, the boolean options, errors on
//! stderr, the emulator's refusals, `server list`'s table, the one JSON shape of waits and
//! ensures, `demo --output json`, and the ensure's counting progress line. Real HTTP to the
//! emulator on 127.0.0.1, as in `cli.rs`.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{BIN, EmulatorProcess, TempDir, rc};
use serde_json::Value;

const WEB1: &str = "00000001-cccc-4ccc-8ccc-000000000001";
const WEB2: &str = "00000002-cccc-4ccc-8ccc-000000000002";
const UNMANAGED: &str = "0000000a-cccc-4ccc-8ccc-00000000000a";
const WEB_POOL: &str = "00000001-bbbb-4bbb-8bbb-dfw000000001";
const API_POOL: &str = "00000001-bbbb-4bbb-8bbb-dfw000000002";

/// Whether a program is on PATH (the shells and `man` are optional on a CI machine).
fn installed(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `shell -c script` with the binary's folder first on PATH: (exit code, stdout, stderr).
fn shell(shell: &str, flags: &[&str], script: &str, home: &Path) -> (i32, String, String) {
    let bin_dir = Path::new(BIN).parent().map(Path::to_path_buf).unwrap_or_default();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new(shell)
        .args(flags)
        .arg("-c")
        .arg(script)
        .env("PATH", path)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .stdin(Stdio::null())
        .output()
        .expect("run the shell");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// ------------------------------------------------------------------------------------------------
// completions and the manual page

#[test]
fn bash_completion_registers_and_completes_commands_and_options() {
    let home = TempDir::new("bash");
    let (code, out, err) = shell(
        "bash",
        &["--norc", "--noprofile"],
        "source <(rackconnect completions bash); complete -p rackconnect",
        &home.0,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("-F _rackconnect rackconnect"), "{out}{err}");

    // What a user gets pressing Tab after `rackconnect v3 pub` and `… public-ips list --`.
    let script = r#"source <(rackconnect completions bash)
COMP_WORDS=(rackconnect v3 pub); COMP_CWORD=2; _rackconnect rackconnect pub v3; echo "${COMPREPLY[*]}"
COMP_WORDS=(rackconnect v3 public-ips list --); COMP_CWORD=4; _rackconnect rackconnect -- list; echo "${COMPREPLY[*]}""#;
    let (code, out, err) = shell("bash", &["--norc", "--noprofile"], script, &home.0);
    assert_eq!(code, 0, "{out}{err}");
    let mut lines = out.lines();
    let first: Vec<&str> = lines.next().unwrap_or_default().split_whitespace().collect();
    assert_eq!(first, ["public-ips", "public-ip"], "{out}{err}");
    let options: Vec<&str> = lines.next().unwrap_or_default().split_whitespace().collect();
    for option in ["--retain", "--no-retain", "--server", "--output", "--verbose"] {
        assert!(options.contains(&option), "{option} not offered: {out}{err}");
    }
}

#[test]
fn zsh_completion_defines_its_function() {
    if !installed("zsh") {
        eprintln!("zsh is not installed: skipped");
        return;
    }
    let home = TempDir::new("zsh");
    let script = "autoload -U compinit; compinit -u -d \"$HOME/.zcompdump\"; \
                  source <(rackconnect completions zsh); print -r -- $_comps[rackconnect]; whence -w _rackconnect";
    let (code, out, err) = shell("zsh", &["-f"], script, &home.0);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("_rackconnect\n") && out.contains("_rackconnect: function"), "{out}{err}");
}

#[test]
fn fish_completion_completes_commands() {
    if !installed("fish") {
        eprintln!("fish is not installed: skipped");
        return;
    }
    let home = TempDir::new("fish");
    // clap_complete's fish script completes options two commands deep, not three.
    let script = "rackconnect completions fish | source; complete -C 'rackconnect v3 pub'; \
                  complete -C 'rackconnect server wait --man'; complete -C 'rackconnect v3 public-ips '";
    let (code, out, err) = shell("fish", &["--no-config"], script, &home.0);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("public-ips\tPublic IPs"), "{out}{err}");
    assert!(out.contains("public-ip\tA server's public IP, idempotently"), "{out}{err}");
    assert!(out.lines().any(|l| l.starts_with("--managed-only\t")), "{out}{err}");
    assert!(out.lines().any(|l| l.starts_with("list\tList public IPs")), "{out}{err}");
}

#[test]
fn man_page_reads_in_man_and_names_every_command_and_exit_code() {
    let out = rc(&["man"]).run();
    out.expect_code(0).expect_stdout(".TH rackconnect 1").expect_stdout(".SH \"GLOBAL OPTIONS\"");
    let text = if installed("man") {
        let dir = TempDir::new("man");
        let page = dir.join("rackconnect.1");
        std::fs::write(&page, &out.stdout).expect("write the page");
        let shown = Command::new("man")
            .arg("-l")
            .arg(&page)
            .env("MANWIDTH", "100")
            .env("MAN_KEEP_FORMATTING", "0")
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .output()
            .expect("run man");
        let warnings = String::from_utf8_lossy(&shown.stderr).into_owned();
        assert!(shown.status.success() && warnings.trim().is_empty(), "man -l: {warnings}");
        // Rendered text: overstrike bold/underline removed.
        let raw = String::from_utf8_lossy(&shown.stdout).into_owned();
        let mut text = String::new();
        for c in raw.chars() {
            if c == '\u{8}' {
                text.pop();
            } else {
                text.push(c);
            }
        }
        text
    } else {
        // No man here: every request line is one groff knows, and the text is between them.
        for line in out.stdout.lines().filter(|l| l.starts_with('.')) {
            let request = line.split_whitespace().next().unwrap_or_default();
            assert!(
                [
                    ".TH", ".SH", ".SS", ".TP", ".PP", ".IP", ".RS", ".RE", ".nf", ".fi", ".br", ".B", ".I", ".ie",
                    ".el", ".\\\""
                ]
                .contains(&request),
                "unknown roff request {line:?}"
            );
        }
        out.stdout.replace("\\-", "-")
    };
    for heading in
        ["NAME", "SYNOPSIS", "GLOBAL OPTIONS", "SUBCOMMANDS", "EXIT STATUS", "ERRORS", "ENVIRONMENT", "FILES"]
    {
        assert!(text.contains(heading), "no {heading}:\n{text}");
    }
    for command in ["v2", "server", "v3", "emulator", "demo", "completions", "man"] {
        assert!(text.contains(&format!("rackconnect-{command}(1)")), "{command} not listed:\n{text}");
    }
    for needle in ["--verbose", "130", "\"exit_code\"", "RAX_API_KEY", "chmod 600"] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }

    // --dir: one page per command.
    let dir = TempDir::new("mandir");
    let target = dir.join("pages");
    rc(&["man", "--dir", &target.to_string_lossy()]).run().expect_code(0);
    for page in
        ["rackconnect.1", "rackconnect-v3.1", "rackconnect-v3-pool-members-ensure.1", "rackconnect-completions.1"]
    {
        assert!(target.join(page).is_file(), "{page} not written");
    }
    let main = std::fs::read_to_string(target.join("rackconnect.1")).unwrap_or_default();
    assert!(main.contains("EXIT STATUS"), "the main page written is not the full one");
    let ensure = std::fs::read_to_string(target.join("rackconnect-v3-public-ip-ensure.1")).unwrap_or_default();
    assert!(ensure.contains("\\-\\-no\\-retain") && ensure.contains("\\-\\-retain"), "{ensure}");
}

// ------------------------------------------------------------------------------------------------
// help, booleans, errors

#[test]
fn global_options_have_their_own_heading_in_every_help() {
    for args in [vec!["--help"], vec!["v3", "public-ip", "ensure", "--help"], vec!["server", "list", "-h"]] {
        let out = rc(&args).run();
        out.expect_code(0);
        let (own, global) = out.stdout.split_once("Global options:").unwrap_or_else(|| panic!("{}", out.context()));
        assert!(global.contains("--region") && global.contains("--verbose"), "{}", out.context());
        assert!(!own.contains("--region") && !own.contains("--api-key"), "{}", out.context());
        assert!(own.contains("--help"), "{}", out.context());
    }
    let out = rc(&["v3", "public-ip", "ensure", "--help"]).run();
    let (own, _) = out.stdout.split_once("Global options:").unwrap_or_default();
    assert!(own.contains("--retain") && own.contains("--no-retain") && own.contains("--server"), "{}", out.context());
}

#[test]
fn retain_is_one_flag_pair_everywhere() {
    let emulator = EmulatorProcess::start(Some(10.0), None);
    let list = |flag: Option<&str>| {
        let mut args = vec!["-q", "--output", "json", "v3", "public-ips", "list"];
        args.extend(flag);
        let out = emulator.rc(&args).run();
        out.expect_code(0);
        out.json().as_array().cloned().unwrap_or_default()
    };
    let all = list(None);
    let retained = list(Some("--retain"));
    let not_retained = list(Some("--no-retain"));
    assert!(!retained.is_empty() && !not_retained.is_empty(), "{all:?}");
    assert!(retained.iter().all(|ip| ip["retain"] == true), "{retained:?}");
    assert!(not_retained.iter().all(|ip| ip["retain"] != true), "{not_retained:?}");
    assert_eq!(retained.len() + not_retained.len(), all.len());
    // The last one given wins, as with any clap flag pair.
    assert_eq!(
        emulator
            .rc(&["-q", "--output", "json", "v3", "public-ips", "list", "--no-retain", "--retain"])
            .run()
            .json()
            .as_array()
            .map(Vec::len),
        Some(retained.len())
    );

    // `add --retain` and `ensure --retain`: the same flag.
    let out = emulator.rc(&["-q", "--output", "json", "v3", "public-ips", "add", UNMANAGED, "--retain"]).run();
    out.expect_code(0);
    assert_eq!(out.json()["public_ip"]["retain"], true, "{}", out.context());
    let out = emulator
        .rc(&["-q", "--output", "json", "v3", "public-ip", "ensure", "--server", UNMANAGED, "--no-retain"])
        .run();
    out.expect_code(0);
    assert_eq!(out.json()["public_ip"]["retain"], false, "{}", out.context());
    // Neither: left as it is.
    let out = emulator.rc(&["-q", "--output", "json", "v3", "public-ip", "ensure", "--server", UNMANAGED]).run();
    out.expect_code(0);
    assert_eq!(out.json()["changed"], false, "{}", out.context());

    // The old form is refused by name.
    for args in [["v3", "public-ips", "list", "--retain", "true"], ["v3", "public-ip", "ensure", "--retain", "false"]] {
        let out = rc(&args).run();
        out.expect_code(2).expect_stderr("unexpected argument");
    }
}

#[test]
fn errors_go_to_stderr_in_both_formats_and_results_to_stdout() {
    let out = rc(&["--emulated", "-q", "v3", "pools", "show", "no-such-pool"]).run();
    assert_ne!(out.code, 0, "{}", out.context());
    assert!(out.stdout.is_empty(), "{}", out.context());
    out.expect_stderr("error: ");

    let out = rc(&[
        "--emulated",
        "-q",
        "--output",
        "json",
        "v3",
        "nodes",
        "show",
        WEB_POOL,
        "00000000-0000-4000-8000-000000000000",
    ])
    .run();
    out.expect_code(1);
    assert!(out.stdout.is_empty(), "{}", out.context());
    let error = out.error_json();
    assert_eq!(error["exit_code"], 1, "{}", out.context());
    assert_eq!(error["error"]["kind"], "not_found", "{}", out.context());
    assert_eq!(error["error"]["class"], "NotFoundError", "{}", out.context());
    assert!(error["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", out.context());

    // A failure of the command itself (no core error): the same shape, a kind of its own.
    let out = rc(&["--output", "json", "v2", "status"]).run();
    out.expect_code(2);
    let error = out.error_json();
    assert_eq!(error["error"]["kind"], "usage", "{}", out.context());
    assert!(error["error"]["message"].as_str().is_some_and(|m| m.contains("--region")), "{}", out.context());

    // A wait that ends badly is a result: stdout, with its exit code.
    let out = rc(&["--emulated", "-q", "--source-address", "127.0.0.4", "--output", "json", "v2", "wait"]).run();
    out.expect_code(1);
    assert_eq!(out.json()["outcome"], "failed", "{}", out.context());
}

// ------------------------------------------------------------------------------------------------
// the emulator and the demo: what does not apply is refused

#[test]
fn emulator_needs_public_to_listen_beyond_loopback() {
    let out = rc(&["emulator", "--listen", "0.0.0.0:0"]).run();
    out.expect_code(2).expect_stderr("not a loopback address").expect_stderr("--public");
    assert!(out.stdout.is_empty(), "{}", out.context());

    // With --public: a warning, then it listens (stopped here once it says so).
    let (mut child, url) = spawn_emulator(&["--listen", "0.0.0.0:0", "--public"], Stdio::piped());
    let _killed = child.kill();
    let output = child.wait_with_output().expect("wait for the emulator");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(url.starts_with("http://0.0.0.0:"), "{url} {stderr}");
    assert!(stderr.contains("warning: listening on 0.0.0.0:") && stderr.contains("--public"), "{stderr}");
    assert_eq!(stderr.matches("warning:").count(), 1, "{stderr}");
}

/// `rackconnect emulator` with `args` (which say where to listen); its URL from its first line.
fn spawn_emulator(args: &[&str], stderr: Stdio) -> (std::process::Child, String) {
    let mut child = Command::new(BIN)
        .arg("emulator")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("start the emulator");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    let _read = std::io::BufRead::read_line(&mut stdout, &mut line);
    let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("{line:?}")).to_owned();
    (child, url)
}

#[test]
fn emulator_stops_on_the_first_ctrl_c_or_sigterm_without_a_state_file() {
    for signal in ["-INT", "-TERM"] {
        let (mut child, url) = spawn_emulator(&["--listen", "127.0.0.1:0"], Stdio::null());
        let (status, _) = common::http(&url, "GET", "/__emulator/", None);
        assert_eq!(status, 200, "{signal}");
        let signalled = Command::new("kill").args([signal, &child.id().to_string()]).status().expect("kill");
        assert!(signalled.success());
        // One signal is enough (the first SIGINT used to be swallowed): given 10 s to end.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let status = loop {
            if let Some(status) = child.try_wait().expect("the emulator's status") {
                break Some(status);
            }
            if std::time::Instant::now() > deadline {
                let _killed = child.kill();
                let _reaped = child.wait();
                break None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert!(status.is_some_and(|s| s.success()), "{signal}: {status:?} (none: still running after 10 s)");
    }
}

#[test]
fn emulator_keeps_its_state_across_a_restart_and_takes_a_seed() {
    let dir = TempDir::new("emulator-state");
    let file = dir.join("world.json");
    let path = file.to_str().expect("a UTF-8 path");
    let (first, url) = spawn_emulator(&["--listen", "127.0.0.1:0", "--seed", "5", "--state", path], Stdio::null());
    let (status, built) = common::http(&url, "POST", "/__emulator/servers", Some(r#"{"name": "kept"}"#));
    assert_eq!(status, 201, "{built}");
    let built: Value = serde_json::from_str(&built).expect("JSON");
    let signalled = Command::new("kill").args(["-TERM", &first.id().to_string()]).status().expect("kill");
    assert!(signalled.success());
    let exit = first.wait_with_output().expect("the emulator ends");
    assert!(exit.status.success(), "{exit:?}");
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("written on SIGTERM")).expect("JSON");
    assert_eq!(saved["seed"], 5, "{saved}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("the state file").permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by its owner only: {mode:o}");
    }
    let (mut second, url) = spawn_emulator(&["--listen", "127.0.0.1:0", "--state", path], Stdio::null());
    let (_, summary) = common::http(&url, "GET", "/__emulator/", None);
    let _killed = second.kill();
    let _reaped = second.wait();
    assert!(summary.contains(built["id"].as_str().expect("an id")), "the server built before the restart: {summary}");
}

#[test]
fn options_that_do_not_apply_are_refused() {
    for (args, named) in [
        (vec!["emulator", "--region", "dfw"], "--region"),
        (vec!["--output", "json", "emulator"], "--output"),
        (vec!["emulator", "--emulated", "--api-key", "k"], "--emulated, --api-key"),
        (vec!["emulator", "--print-scenario", "-q"], "--quiet"),
        (vec!["completions", "bash", "--region", "dfw"], "--region"),
        (vec!["man", "--verbose"], "--verbose"),
        (vec!["demo", "--region", "iad"], "--region"),
        (vec!["--username", "me", "demo"], "--username"),
        // RackConnect v2 is asked from the server itself; the account's APIs are not v2.
        (vec!["--username", "demo", "v2", "status", "--v2-url", "http://127.0.0.1:9"], "--username"),
        (vec!["--tenant", "1", "v2", "gateway-ip", "--v2-url", "http://127.0.0.1:9"], "--tenant"),
        (vec!["--source-address", "127.0.0.2", "v3", "pools", "list"], "--source-address"),
        (vec!["--v2-url", "http://127.0.0.1:9", "server", "list"], "--v2-url"),
    ] {
        let out = rc(&args).run();
        out.expect_code(2).expect_stderr(&format!("does not take {named}"));
        assert!(out.stdout.is_empty(), "{}", out.context());
    }
    // --emulated would send its demo account to a URL given beside it; a speed needs an emulator.
    for (args, said) in [
        (
            vec!["--emulated", "--identity-url", "uk", "v3", "pools", "list"],
            "--emulated talks to its own emulator, so --identity-url cannot apply",
        ),
        (
            vec!["--emulated", "--v2-url", "http://127.0.0.1:9", "v2", "status"],
            "--emulated talks to its own emulator, so --v2-url cannot apply",
        ),
        (vec!["--emulated-speed", "5", "v3", "pools", "list"], "--emulated-speed applies only with --emulated"),
    ] {
        let out = rc(&args).run();
        out.expect_code(2).expect_stderr(said);
        assert!(out.stdout.is_empty() && !out.stderr.contains("emulated: a local"), "{}", out.context());
    }
}

#[test]
fn the_environments_mistakes_are_named_and_two_secrets_are_refused() {
    let out = rc(&["v3", "pools", "list"]).env("RAX_REGION", "dwf").run();
    out.expect_code(2).expect_stderr("invalid RAX_REGION: expected one of dfw");
    let out = rc(&["v3", "pools", "list", "--username", "demo", "--api-key", "k", "--password", "p"]).run();
    out.expect_code(2).expect_stderr("expected one of --api-key / --password, not both");
    assert!(!out.stderr.contains("\"k\"") && !out.stderr.contains("\"p\""), "{}", out.context());
}

#[test]
fn demo_output_json_is_one_document_and_the_story_goes_to_stderr() {
    let out = rc(&["demo", "--output", "json"]).run();
    out.expect_code(0).expect_stderr("== 1. A new cloud server is built");
    let story = out.json();
    assert_eq!(story["ok"], true, "{}", out.context());
    assert_eq!(story["v2_wait"]["outcome"], "done", "{}", out.context());
    assert_eq!(story["v2_wait"]["status"], "DEPLOYED", "{}", out.context());
    assert_eq!(story["gateway_ip"]["value"], "10.1.2.1", "{}", out.context());
    assert_eq!(story["managed_wait"]["ok"], true, "{}", out.context());
    assert!(story["managed_wait"]["reachable_ipv4"].is_string(), "{}", out.context());
    let runs = story["runs"].as_array().cloned().unwrap_or_default();
    assert_eq!(runs.len(), 2, "{}", out.context());
    assert_eq!(runs[0]["pool_members"]["changed"], true, "{}", out.context());
    assert_eq!(runs[0]["public_ip"]["changed"], true, "{}", out.context());
    assert_eq!(runs[1]["pool_members"]["changed"], false, "{}", out.context());
    assert_eq!(runs[1]["public_ip"]["changed"], false, "{}", out.context());
    assert_eq!(story["changed_on_second_run"], false, "{}", out.context());

    // --quiet: the document alone.
    let out = rc(&["demo", "--output", "json", "--quiet"]).run();
    out.expect_code(0);
    assert_eq!(out.json()["ok"], true, "{}", out.context());
    assert!(out.stderr.trim().is_empty(), "{}", out.context());
}

// ------------------------------------------------------------------------------------------------
// server list, the JSON shape, the counting line

#[test]
fn server_list_has_a_header_and_aligned_columns_and_says_when_a_region_is_empty() {
    let out = rc(&["--emulated", "-q", "server", "list"]).run();
    out.expect_code(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let header = lines.first().copied().unwrap_or_default();
    assert!(header.starts_with("ID ") && header.ends_with("NAME"), "{}", out.context());
    // Every column starts where its heading does, on every line.
    for heading in ["RACKCONNECT", "MANAGED", "ACCESS IPV4", "NAME"] {
        let at = header.find(heading).unwrap_or_else(|| panic!("no {heading}{}", out.context()));
        for line in &lines[1..] {
            assert!(line.len() > at, "{line:?}{}", out.context());
            assert!(
                line.as_bytes()[at - 1] == b' ' && line.as_bytes()[at] != b' ',
                "{heading} not aligned in {line:?}{}",
                out.context()
            );
        }
    }
    assert!(
        lines.iter().any(|l| l.starts_with(WEB1) && l.contains("DEPLOYED") && l.ends_with("web1")),
        "{}",
        out.context()
    );

    let out = rc(&["--emulated", "-q", "--region", "syd", "server", "list"]).run();
    out.expect_code(0);
    assert_eq!(out.stdout.trim(), "no servers in SYD", "{}", out.context());
    let out = rc(&["--emulated", "-q", "--region", "syd", "--output", "json", "server", "list"]).run();
    assert_eq!(out.json(), Value::Array(Vec::new()), "{}", out.context());
}

#[test]
fn every_wait_and_ensure_prints_one_json_shape() {
    let emulator = EmulatorProcess::start(Some(10.0), None);
    let shaped = |args: &[&str], beside: &[&str]| {
        let mut all = vec!["-q", "--output", "json"];
        all.extend(args);
        let out = emulator.rc(&all).run();
        let value = out.json();
        for field in ["ok", "outcome", "summary", "requests", "elapsed_ms"] {
            assert!(value.get(field).is_some(), "no {field} at the top{}", out.context());
        }
        for field in beside {
            assert!(value.get(*field).is_some(), "no {field} beside the result{}", out.context());
        }
        value
    };
    let added = shaped(&["v3", "nodes", "add", API_POOL, WEB1], &["node"]);
    let node = added["node"]["id"].as_str().unwrap_or_default().to_owned();
    // What was acted on, as it is at the end: the node ACTIVE, as the verdict says.
    assert_eq!(added["node"]["status"], "ACTIVE", "{added:#}");
    shaped(&["v3", "nodes", "remove", API_POOL, &node], &["removed"]);
    let ip = shaped(&["v3", "public-ips", "add", UNMANAGED], &["public_ip"]);
    let ip_id = ip["public_ip"]["id"].as_str().unwrap_or_default().to_owned();
    shaped(&["v3", "public-ips", "remove", &ip_id], &["removed"]);
    shaped(&["v3", "pool-members", "ensure", "--server", UNMANAGED, "--pool", WEB_POOL], &["plan"]);
    shaped(&["v3", "public-ip", "ensure", "--server", UNMANAGED], &["public_ip"]);
    shaped(&["server", "wait", WEB1, "--managed"], &["reachable_ipv4"]);
    let v2 = emulator.v2("127.0.0.2", &["-q", "--output", "json", "v2", "wait"]).run();
    v2.expect_code(0);
    assert_eq!(v2.json()["ok"], true, "{}", v2.context());
}

#[test]
fn an_ensure_counts_its_pairs_on_the_progress_line() {
    let emulator = EmulatorProcess::start(Some(10.0), None);
    let out = emulator
        .rc(&[
            "v3",
            "pool-members",
            "ensure",
            "--server",
            &format!("{UNMANAGED},{WEB2}"),
            "--pool",
            &format!("{WEB_POOL},{API_POOL}"),
        ])
        .run();
    out.expect_code(0);
    let counted: Vec<&str> = out.stderr.lines().filter(|l| l.contains(" ACTIVE · node ")).collect();
    assert!(!counted.is_empty(), "{}", out.context());
    // Every line counts the whole set (4 pairs), never a part of it, and the last has them all.
    for line in &counted {
        assert!(line.contains("/4 ACTIVE"), "{line:?}{}", out.context());
    }
    assert!(counted.last().is_some_and(|l| l.contains("4/4 ACTIVE")), "{}", out.context());

    let out = emulator
        .rc(&[
            "v3",
            "pool-members",
            "ensure",
            "--absent",
            "--server",
            &format!("{UNMANAGED},{WEB2}"),
            "--pool",
            &format!("{WEB_POOL},{API_POOL}"),
        ])
        .run();
    out.expect_code(0);
    assert!(out.stderr.lines().any(|l| l.contains("4/4 GONE")), "{}", out.context());
}

#[test]
fn version_is_the_releases_one() {
    // The crate inherits the workspace's one version (scripts/set-version --check makes sure);
    // `--version` and `-V` print it as `rackconnect X.Y.Z`, on stdout, exit 0.
    for flag in ["--version", "-V"] {
        let out = rc(&[flag]).run();
        out.expect_code(0);
        assert_eq!(out.stdout, format!("rackconnect {}\n", env!("CARGO_PKG_VERSION")), "{flag}");
    }
}

/// Output that cannot be written is reported, never a panic: a full disk fails the command
/// (its result is lost), a reader that went away (`| head`) ends it quietly.
#[test]
#[cfg(target_os = "linux")]
fn output_that_cannot_be_written_fails_clearly_and_a_closed_pipe_quietly() {
    let emulator = EmulatorProcess::start(None, None);
    let command = |args: &[&str]| {
        let mut command = Command::new(BIN);
        command.args(args).stdin(Stdio::null()).stderr(Stdio::piped());
        for (name, value) in
            [("RAX_IDENTITY_URL", emulator.url.as_str()), ("RAX_USERNAME", "demo"), ("RAX_API_KEY", "demo-api-key")]
        {
            command.env(name, value);
        }
        command
    };
    for args in [
        &["completions", "bash"][..],
        &["man"],
        &["emulator", "--print-scenario"],
        &["server", "list", "--region", "dfw"],
        &["--output", "json", "server", "list", "--region", "dfw"],
    ] {
        let full = std::fs::File::create("/dev/full").expect("/dev/full");
        let out = command(args).stdout(full).output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("cannot write the output: No space left on device"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");

        let mut child = command(args).stdout(Stdio::piped()).spawn().expect("run");
        drop(child.stdout.take()); // the reader goes away before a byte is read
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("error"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_wait_with_a_timeout_of_zero_checks_once() {
    let done = rc(&["--emulated", "-q", "server", "wait", "web1", "--timeout", "0"]).run();
    done.expect_code(0).expect_stdout("done: DEPLOYED");
    let pending = rc(&["--emulated", "-q", "server", "wait", "web2", "--timeout", "0s"]).run();
    pending.expect_code(3).expect_stdout("timed out after 0 s");
    // No grace: a key not written yet is not applicable at once.
    let no_grace = rc(&["--emulated", "-q", "server", "wait", "web2", "--timeout", "0", "--grace", "0"]).run();
    no_grace.expect_code(0).expect_stdout("not applicable: rackconnect_automation_status never appeared");
    let refused = rc(&["--emulated", "v3", "public-ip", "ensure", "--server", "web1", "--timeout", "0"]).run();
    refused.expect_code(2).expect_stderr("expected a duration above zero");
}
