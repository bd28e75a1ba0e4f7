//! Settings a program did not give, from the `RAX_*` environment and a pyrax-style credentials
//! file: one order and one wording for every front door that reads them (the CLI, Python's
//! `Session.from_env`, …). Reading the environment and a file is I/O, so it lives with the
//! blocking driver; what a setting means stays the core's.
//!
//! Credentials, in order: a username with an API key or password given by the caller; a file the
//! caller names; `RAX_USERNAME` with `RAX_API_KEY` or `RAX_PASSWORD`; then the file of
//! `RAX_CREDS_FILE`, or `~/.rackspace_cloud_credentials` when it exists, in the INI form pyrax
//! and Ansible's rax modules used (`password` may replace `api_key`):
//!
//! ```ini
//! [rackspace_cloud]
//! username = myuser
//! api_key = 0123456789abcdef
//! ```

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::id::{BaseUrl, Region};
use crate::identity::{Credentials, IdentityEndpoint};
use crate::secret::{ApiKey, Password};
use crate::v2::V2Endpoint;

/// How a front door reads one environment variable (blank counts as unset). Tests pass their own.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process's environment, a blank value counting as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The first of `names` that is set, blank counting as unset: for a front door whose host looks
/// the environment up itself (an Ansible option's fallback), so that it reads it as the others do.
pub fn first_set(names: &[&str], env: Env<'_>) -> Option<String> {
    names.iter().find_map(|name| env(name))
}

/// Where credentials were found (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// Given by the caller (arguments, keyword arguments).
    Given,
    /// The environment.
    Environment,
    /// A credentials file.
    File(PathBuf),
}

/// How a front door spells its options, for messages that tell the user what to set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionNames {
    /// The user name (`--username`, `username=`).
    pub username: &'static str,
    /// The API key or password (`--api-key / --password`).
    pub secret: &'static str,
    /// A credentials file (`--credentials FILE`, `credentials_file=`).
    pub file: &'static str,
}

/// The command line's spelling.
pub const CLI_NAMES: OptionNames =
    OptionNames { username: "--username", secret: "--api-key / --password", file: "--credentials FILE" };

/// Python's spelling.
pub const PYTHON_NAMES: OptionNames =
    OptionNames { username: "username=", secret: "api_key= / password=", file: "credentials_file=" };

/// What the caller said about credentials. Its `Debug` form hides the secrets.
#[derive(Clone, Default)]
pub struct GivenCredentials {
    /// A user name.
    pub username: Option<String>,
    /// An API key.
    pub api_key: Option<String>,
    /// A password.
    pub password: Option<String>,
    /// A credentials file.
    pub file: Option<PathBuf>,
}

impl std::fmt::Debug for GivenCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |secret: &Option<String>| secret.as_ref().map(|_| crate::secret::REDACTED);
        f.debug_struct("GivenCredentials")
            .field("username", &self.username)
            .field("api_key", &hidden(&self.api_key))
            .field("password", &hidden(&self.password))
            .field("file", &self.file)
            .finish()
    }
}

fn pair(username: String, api_key: Option<String>, password: Option<String>) -> Option<Credentials> {
    match (api_key, password) {
        (Some(key), _) => Some(Credentials::ApiKey { username, api_key: ApiKey::new(key) }),
        (None, Some(password)) => Some(Credentials::Password { username, password: Password::new(password) }),
        (None, None) => None,
    }
}

/// Reads the `[rackspace_cloud]` section of a pyrax-style credentials file.
pub fn read_credentials_file(path: &Path) -> Result<Credentials> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::invalid("credentials file", format!("a readable file ({e})"), &shown))?;
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
            // The line may hold a secret: only its number is shown.
            return Err(Error::invalid(&format!("{shown}: line {}", n + 1), "key = value", "another line"));
        };
        let value = value.trim().trim_matches('"').to_owned();
        match key.trim().to_ascii_lowercase().as_str() {
            "username" => username = Some(value),
            "api_key" | "apikey" => api_key = Some(value),
            "password" => password = Some(value),
            _ => {}
        }
    }
    let username = username
        .ok_or_else(|| Error::invalid(&shown, "a [rackspace_cloud] section with username", "no username there"))?;
    pair(username, api_key, password)
        .ok_or_else(|| Error::invalid(&shown, "api_key or password under [rackspace_cloud]", "neither"))
}

/// The warning for a credentials file its group or others can read (as ssh warns of a private
/// key); `None` when only its owner can, or on systems without Unix permissions. The file is
/// still used: the caller warns, once.
pub fn credentials_file_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        let who = match (mode & 0o040 != 0, mode & 0o004 != 0) {
            (true, true) => "its group and by others",
            (true, false) => "its group",
            (false, true) => "others",
            (false, false) => return None,
        };
        Some(format!(
            "the credentials file {} can be read by {who}; it is used, but `chmod 600 {}` keeps the secret yours",
            path.display(),
            path.display()
        ))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The credentials, and where they came from (see the module's order). Every failure is a
/// configuration error naming what to set, in the caller's spelling.
pub fn credentials(
    given: &GivenCredentials,
    names: OptionNames,
    env: Env<'_>,
) -> Result<(Credentials, CredentialSource)> {
    if given.api_key.is_some() && given.password.is_some() {
        // Which one the caller meant is not ours to guess.
        return Err(Error::invalid("credentials", format!("one of {}, not both", names.secret), "both"));
    }
    if given.api_key.is_some() || given.password.is_some() {
        let username = given.username.clone().or_else(|| env("RAX_USERNAME")).ok_or_else(|| {
            Error::invalid("username", format!("{} (or RAX_USERNAME) with {}", names.username, names.secret), "none")
        })?;
        let credentials = pair(username, given.api_key.clone(), given.password.clone())
            .ok_or_else(|| Error::invalid("credentials", "an API key or a password", "none"))?;
        return Ok((credentials, CredentialSource::Given));
    }
    // A file the caller names is the most explicit choice after a secret.
    if let Some(path) = &given.file {
        return read_credentials_file(path).map(|c| (c, CredentialSource::File(path.clone())));
    }
    let env_username = env("RAX_USERNAME");
    if let Some(username) = given.username.clone().or_else(|| env_username.clone()) {
        if let Some(credentials) = pair(username, env("RAX_API_KEY"), env("RAX_PASSWORD")) {
            return Ok((credentials, CredentialSource::Environment));
        }
        if given.username.is_some() {
            return Err(Error::invalid(
                "credentials",
                format!("RAX_API_KEY or RAX_PASSWORD (or {}) with {}", names.secret, names.username),
                "no secret",
            ));
        }
    }
    let file = env("RAX_CREDS_FILE")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".rackspace_cloud_credentials")).filter(|p| p.exists()));
    match file {
        Some(path) => read_credentials_file(&path).map(|c| (c, CredentialSource::File(path))),
        None => Err(Error::invalid(
            "credentials",
            format!(
                "RAX_USERNAME with RAX_API_KEY or RAX_PASSWORD, a credentials file (RAX_CREDS_FILE, \
                 ~/.rackspace_cloud_credentials) or {}",
                names.file
            ),
            if env_username.is_some() { "RAX_USERNAME alone, without RAX_API_KEY or RAX_PASSWORD" } else { "none" },
        )),
    }
}

/// Identity as written: the caller's, else `RAX_IDENTITY_URL`, else the default (`us`).
pub fn identity_url(given: Option<&str>, env: Env<'_>) -> String {
    given
        .map(str::to_owned)
        .or_else(|| env("RAX_IDENTITY_URL"))
        .unwrap_or_else(|| crate::client::defaults::IDENTITY.to_owned())
}

/// Identity (see [`identity_url`]).
pub fn identity_endpoint(given: Option<&str>, env: Env<'_>) -> Result<IdentityEndpoint> {
    IdentityEndpoint::parse(&identity_url(given, env))
}

/// The region: the caller's, else `RAX_REGION`; `None` leaves it to the user's default region.
pub fn region(given: Option<&str>, env: Env<'_>) -> Result<Option<Region>> {
    if let Some(given) = given {
        return Region::parse(given).map(Some);
    }
    // A mistake in the environment is named as such: the caller gave no region.
    env("RAX_REGION")
        .map(|r| Region::parse(&r).map_err(|_| Error::invalid("RAX_REGION", "one of dfw, hkg, iad, lon, ord, syd", &r)))
        .transpose()
}

/// The tenant to scope tokens to: the caller's, else `RAX_TENANT`.
pub fn tenant(given: Option<&str>, env: Env<'_>) -> Option<String> {
    given.map(str::to_owned).or_else(|| env("RAX_TENANT"))
}

/// Where RackConnect v2 is: a base URL (the caller's, else `RAX_RACKCONNECT_V2_URL`), else the
/// region's endpoint (the caller's region, else `RAX_REGION`); neither is a configuration error
/// naming both.
pub fn v2_endpoint(base_url: Option<&str>, region_given: Option<&str>, env: Env<'_>) -> Result<V2Endpoint> {
    if let Some(url) = base_url.map(str::to_owned).or_else(|| env("RAX_RACKCONNECT_V2_URL")) {
        return Ok(V2Endpoint::BaseUrl(BaseUrl::new("base_url", &url)?));
    }
    match region(region_given, env)? {
        Some(region) => Ok(V2Endpoint::Region(region)),
        None => {
            Err(Error::invalid("base_url", "a base URL (RAX_RACKCONNECT_V2_URL) or a region (RAX_REGION)", "neither"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }

    fn file_with(text: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("rc-settings-{}-{}", std::process::id(), text.len()));
        std::fs::write(&path, text).expect("a temporary file");
        path
    }

    #[test]
    fn the_order_is_given_then_file_then_environment_then_default_file() {
        let env = env_of(&[("RAX_USERNAME", "envuser"), ("RAX_API_KEY", "envkey")]);
        let given = GivenCredentials { api_key: Some("k".into()), ..GivenCredentials::default() };
        let (found, source) = credentials(&given, CLI_NAMES, &env).expect("given");
        assert_eq!((found.username(), source), ("envuser", CredentialSource::Given));
        let (found, source) = credentials_from_env(&env);
        assert_eq!((found.username(), source), ("envuser", CredentialSource::Environment));
        let path = file_with("# c\n[other]\nusername = no\n[rackspace_cloud]\nusername = fileuser\npassword = p\n");
        let given = GivenCredentials { file: Some(path.clone()), ..GivenCredentials::default() };
        let found = credentials(&given, CLI_NAMES, &env);
        let _removed = std::fs::remove_file(&path);
        let (found, source) = found.expect("a file");
        assert_eq!((found.username(), source), ("fileuser", CredentialSource::File(path)));
    }

    fn credentials_from_env(env: &dyn Fn(&str) -> Option<String>) -> (Credentials, CredentialSource) {
        credentials(&GivenCredentials::default(), PYTHON_NAMES, env).expect("from the environment")
    }

    #[test]
    fn missing_pieces_are_named_in_the_callers_spelling() {
        let none = env_of(&[]);
        let error = credentials(&GivenCredentials::default(), PYTHON_NAMES, &none).expect_err("none").to_string();
        assert!(error.contains("RAX_USERNAME") && error.contains("credentials_file="), "{error}");
        let key_only = GivenCredentials { api_key: Some("k".into()), ..GivenCredentials::default() };
        let error = credentials(&key_only, CLI_NAMES, &none).expect_err("no user").to_string();
        assert!(error.contains("--username"), "{error}");
        let user_only = GivenCredentials { username: Some("u".into()), ..GivenCredentials::default() };
        let error = credentials(&user_only, CLI_NAMES, &none).expect_err("no secret").to_string();
        assert!(error.contains("RAX_API_KEY") && error.contains("--api-key"), "{error}");
        let both = GivenCredentials {
            api_key: Some("the-key".into()),
            password: Some("the-password".into()),
            ..user_only.clone()
        };
        let shown = format!("{both:?}");
        assert!(!shown.contains("the-key") && !shown.contains("the-password") && shown.contains("\"u\""), "{shown}");
        let error = credentials(&both, CLI_NAMES, &none).expect_err("both").to_string();
        assert_eq!(error, "invalid credentials: expected one of --api-key / --password, not both, found \"both\"");
        let env_user_only = env_of(&[("RAX_USERNAME", "u")]);
        let error = credentials(&GivenCredentials::default(), PYTHON_NAMES, &env_user_only).expect_err("no secret");
        assert!(error.to_string().contains("found \"RAX_USERNAME alone, without RAX_API_KEY or RAX_PASSWORD\""));
        let error = v2_endpoint(None, None, &none).expect_err("neither").to_string();
        assert!(error.contains("RAX_RACKCONNECT_V2_URL") && error.contains("RAX_REGION"), "{error}");
    }

    #[test]
    fn a_bad_line_in_the_file_is_named_without_its_content() {
        let path = file_with("[rackspace_cloud]\nusername = u\nsecret-key-without-equals\n");
        let error = read_credentials_file(&path).expect_err("a bad line").to_string();
        let _removed = std::fs::remove_file(&path);
        assert!(error.contains("line 3") && !error.contains("secret-key"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_draws_a_warning() {
        use std::os::unix::fs::PermissionsExt;
        let path = file_with("[rackspace_cloud]\nusername = u\napi_key = k\n\n");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let loose = credentials_file_warning(&path);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let private = credentials_file_warning(&path);
        let _removed = std::fs::remove_file(&path);
        assert!(loose.is_some_and(|w| w.contains("its group and by others") && w.contains("chmod 600")));
        assert_eq!(private, None);
    }

    #[test]
    fn region_tenant_identity_and_v2_from_the_environment() {
        let env = env_of(&[("RAX_REGION", "LON"), ("RAX_TENANT", "42"), ("RAX_IDENTITY_URL", "uk")]);
        assert_eq!(region(None, &env).expect("a region"), Some(Region::Lon));
        assert_eq!(region(Some("dfw"), &env).expect("a region"), Some(Region::Dfw));
        assert_eq!(tenant(None, &env).as_deref(), Some("42"));
        assert_eq!(identity_endpoint(None, &env).expect("identity"), IdentityEndpoint::Uk);
        assert_eq!(v2_endpoint(None, None, &env).expect("v2"), V2Endpoint::Region(Region::Lon));
        let mars = region(None, &env_of(&[("RAX_REGION", "mars")])).expect_err("not a region").to_string();
        assert!(mars.starts_with("invalid RAX_REGION: expected one of dfw"), "{mars}");
        let given = region(Some("mars"), &env_of(&[("RAX_REGION", "dfw")])).expect_err("not a region").to_string();
        assert!(given.starts_with("invalid region: "), "{given}");
    }
}
