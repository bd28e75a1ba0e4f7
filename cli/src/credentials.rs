//! Where credentials come from: the core's one order and wording
//! (`rackconnect::blocking::settings`, which Python's `Session.from_env` reads too), given the
//! command line's `--username`, `--api-key`, `--password` and `--credentials FILE`.

use std::path::PathBuf;

use rackconnect::blocking::settings::{self, CLI_NAMES, CredentialSource, GivenCredentials};
use rackconnect::identity::Credentials;

/// What the command line said about credentials (no `Debug`: it holds secrets).
#[derive(Default, Clone)]
pub struct Given {
    /// `--username`.
    pub username: Option<String>,
    /// `--api-key`.
    pub api_key: Option<String>,
    /// `--password`.
    pub password: Option<String>,
    /// `--credentials`.
    pub file: Option<PathBuf>,
}

/// The credentials, where they came from, and the warning a credentials file others can read
/// draws (said once by the caller).
pub fn resolve(given: &Given) -> Result<(Credentials, Option<String>), String> {
    let given = GivenCredentials {
        username: given.username.clone(),
        api_key: given.api_key.clone(),
        password: given.password.clone(),
        file: given.file.clone(),
    };
    let (credentials, source) = settings::credentials(&given, CLI_NAMES, &settings::process_env)
        .map_err(|e| format!("{e} (or add --emulated to run against a local emulator)"))?;
    let warning = match &source {
        CredentialSource::File(path) => settings::credentials_file_warning(path),
        CredentialSource::Given | CredentialSource::Environment => None,
    };
    Ok((credentials, warning))
}
