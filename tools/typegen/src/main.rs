//! `cargo run -p rackconnect-typegen`: writes `python/rackconnect/types.py` and
//! `wasm/npm/types.d.ts` from the core's description. `--check` writes nothing and fails when
//! either file differs (what `cargo test -p rackconnect-typegen` checks too).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--check") => true,
        Some(other) => {
            eprintln!("rackconnect-typegen: unknown argument {other:?}; expected nothing or --check");
            return ExitCode::from(2);
        }
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let files = match rackconnect_typegen::Model::load().and_then(|model| {
        Ok([
            (rackconnect_typegen::PYTHON_PATH, rackconnect_typegen::python(&model)?),
            (rackconnect_typegen::TYPESCRIPT_PATH, rackconnect_typegen::typescript(&model)?),
        ])
    }) {
        Ok(files) => files,
        Err(message) => {
            eprintln!("rackconnect-typegen: {message}");
            return ExitCode::FAILURE;
        }
    };
    let mut stale = false;
    for (path, text) in files {
        let target = root.join(path);
        let current = std::fs::read_to_string(&target).unwrap_or_default();
        if current == text {
            continue;
        }
        if check {
            eprintln!("{path} is not what the core's description gives: run `cargo run -p rackconnect-typegen`");
            stale = true;
        } else if let Err(error) = std::fs::write(&target, text) {
            eprintln!("rackconnect-typegen: cannot write {}: {error}", target.display());
            return ExitCode::FAILURE;
        } else {
            eprintln!("wrote {path}");
        }
    }
    if stale { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
