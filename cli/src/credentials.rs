//! Where credentials come from, in order: `--username` with `--api-key`/`--password` (which
//! draw a warning: arguments are visible to every user of the machine), a file given with
//! `--credentials FILE`, the environment (`RAX_USERNAME` with `RAX_API_KEY` or `RAX_PASSWORD`),
//! then a file from `RAX_CREDS_FILE` or `~/.rackspace_cloud_credentials`, in the INI form pyrax
//! and Ansible's rax modules used (`password` may replace `api_key`):
//!
//! ```ini
//! [rackspace_cloud]
//! username = myuser
//! api_key = 0123456789abcdef
//! ```

use std::path::{Path, PathBuf};

use rackconnect::identity::Credentials;
use rackconnect::{ApiKey, Password};

/// Where the credentials were found (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Command-line arguments.
    Arguments,
    /// The environment.
    Environment,
    /// A credentials file.
    File(PathBuf),
}

/// What the command line said about credentials.
#[derive(Debug, Default, Clone)]
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

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn pair(username: String, api_key: Option<String>, password: Option<String>) -> Option<Credentials> {
    match (api_key, password) {
        (Some(key), _) => Some(Credentials::ApiKey { username, api_key: ApiKey::new(key) }),
        (None, Some(password)) => Some(Credentials::Password { username, password: Password::new(password) }),
        (None, None) => None,
    }
}

/// Reads the `[rackspace_cloud]` section of a pyrax-style credentials file.
pub fn read_file(path: &Path) -> Result<Credentials, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the credentials file {}: {e}", path.display()))?;
    let mut in_section = false;
    let (mut username, mut api_key, mut password) = (None, None, None);
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') {
            in_section = line.eq_ignore_ascii_case("[rackspace_cloud]");
            continue;
        }
        if !in_section {
            continue;
        }
        let Some((key, value)) = line.split_once('=').or_else(|| line.split_once(':')) else {
            return Err(format!("{}: line {}: expected key = value", path.display(), n + 1));
        };
        let value = value.trim().trim_matches('"').to_owned();
        match key.trim().to_ascii_lowercase().as_str() {
            "username" => username = Some(value),
            "api_key" | "apikey" => api_key = Some(value),
            "password" => password = Some(value),
            _ => {}
        }
    }
    let username =
        username.ok_or_else(|| format!("{}: expected a [rackspace_cloud] section with username", path.display()))?;
    pair(username, api_key, password)
        .ok_or_else(|| format!("{}: expected api_key or password under [rackspace_cloud]", path.display()))
}

/// When a credentials file can be read by its group or by others (as ssh warns of a private
/// key): the permission bits that allow it, e.g. `0o044`. Never on systems without Unix modes.
pub fn readable_by_others(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        let loose = mode & 0o044;
        (loose != 0).then_some(loose)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The warning for a credentials file others can read (it is used all the same).
pub fn loose_file_warning(path: &Path) -> Option<String> {
    let loose = readable_by_others(path)?;
    let who = match (loose & 0o040 != 0, loose & 0o004 != 0) {
        (true, true) => "its group and by others",
        (true, false) => "its group",
        _ => "others",
    };
    Some(format!(
        "the credentials file {} can be read by {who}; it is used, but `chmod 600 {}` keeps the secret yours",
        path.display(),
        path.display()
    ))
}

/// Resolves the credentials, and where they came from.
pub fn resolve(given: &Given) -> Result<(Credentials, Source), String> {
    if given.api_key.is_some() || given.password.is_some() {
        let username = given
            .username
            .clone()
            .or_else(|| env("RAX_USERNAME"))
            .ok_or("--api-key and --password need --username (or RAX_USERNAME)")?;
        let credentials = pair(username, given.api_key.clone(), given.password.clone()).ok_or("no secret given")?;
        return Ok((credentials, Source::Arguments));
    }
    // A file named on the command line is the most explicit choice after arguments.
    if let Some(path) = &given.file {
        return read_file(path).map(|c| (c, Source::File(path.clone())));
    }
    if let Some(username) = given.username.clone().or_else(|| env("RAX_USERNAME")) {
        if let Some(credentials) = pair(username.clone(), env("RAX_API_KEY"), env("RAX_PASSWORD")) {
            return Ok((credentials, Source::Environment));
        }
        if given.username.is_some() {
            return Err(format!("--username {username} needs RAX_API_KEY or RAX_PASSWORD (or --api-key / --password)"));
        }
    }
    let file = env("RAX_CREDS_FILE")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".rackspace_cloud_credentials")).filter(|p| p.exists()));
    match file {
        Some(path) => read_file(&path).map(|c| (c, Source::File(path))),
        None => Err("no credentials: set RAX_USERNAME with RAX_API_KEY or RAX_PASSWORD, or give --credentials FILE \
                     (or add --emulated to run against a local emulator)"
            .to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_pyrax_file_form() {
        let path = std::env::temp_dir().join(format!("rc-creds-{}", std::process::id()));
        std::fs::write(
            &path,
            "# comment\n[other]\nusername = no\n[rackspace_cloud]\nusername = demo\napi_key = k123\n",
        )
        .unwrap_or_default();
        let credentials = read_file(&path);
        let _removed = std::fs::remove_file(&path);
        match credentials {
            Ok(Credentials::ApiKey { username, api_key }) => {
                assert_eq!(username, "demo");
                assert_eq!(api_key.expose(), "k123");
            }
            other => panic!("{other:?}"),
        }
    }
}
