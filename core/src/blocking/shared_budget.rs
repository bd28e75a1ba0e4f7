//! RackConnect v2's budget shared by every process on the machine: 30 requests a minute is the
//! service's limit per server, not per process, so two waiters (a CLI and a Python script, or
//! four CLIs) must draw from one budget. It lives in a small file under the user's runtime
//! directory, read and written under an exclusive lock around each poll; when the file cannot
//! be used, the process keeps its own budget (the limit then holds per process only).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::wait::{BudgetRecord, RateBudget};

/// The shared budget of one server (one v2 endpoint, asked from one source address).
#[derive(Debug)]
pub struct SharedBudget {
    path: PathBuf,
}

/// Where the budgets live: `$RACKCONNECT_STATE_DIR` when set, else
/// `$XDG_RUNTIME_DIR/rackconnect`, else a private folder in the temporary directory.
fn folder() -> PathBuf {
    if let Some(dir) = std::env::var_os("RACKCONNECT_STATE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir).join("rackconnect"),
        None => {
            let user = std::env::var("USER").unwrap_or_else(|_| "user".to_owned());
            let user: String = user.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
            std::env::temp_dir().join(format!("rackconnect-{user}"))
        }
    }
}

fn create_private(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        let meta = fs::metadata(dir)?;
        // A folder others may write to is not used (one another user owns cannot be opened).
        if !meta.is_dir() || meta.permissions().mode() & 0o022 != 0 {
            return Err(std::io::Error::other("the budget folder is not private"));
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir)
    }
}

/// A stable file name for `key` (FNV-1a: no dependency, no secret in the name).
fn file_name(key: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("v2-budget-{hash:016x}.json")
}

impl SharedBudget {
    /// The shared budget of the server known by `key` (the endpoint and the source address), or
    /// `None` when no private folder can be had.
    pub fn for_server(key: &str) -> Option<Self> {
        Self::in_folder(&folder(), key)
    }

    /// The same, in `dir` (tests use their own).
    pub fn in_folder(dir: &Path, key: &str) -> Option<Self> {
        create_private(dir).ok()?;
        Some(Self { path: dir.join(file_name(key)) })
    }

    /// Runs `step` with `budget` holding everything every process has spent, under the lock,
    /// then saves what `step` left in it. Without the file, `step` runs on the budget alone.
    pub fn around<R>(&self, budget: &mut RateBudget, step: impl FnOnce(&mut RateBudget) -> R) -> R {
        let Ok(mut file) = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&self.path)
        else {
            return step(budget);
        };
        if file.lock().is_err() {
            return step(budget);
        }
        if let Some(record) = read(&mut file) {
            budget.adopt(&record);
        }
        let result = step(budget);
        let _saved = write(&mut file, &budget.spent());
        let _unlocked = file.unlock();
        result
    }
}

fn read(file: &mut File) -> Option<BudgetRecord> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(64 * 1024).read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

fn write(file: &mut File, record: &BudgetRecord) -> std::io::Result<()> {
    let text = serde_json::to_string(record).map_err(std::io::Error::other)?;
    file.seek(SeekFrom::Start(0))?;
    file.set_len(0)?;
    file.write_all(text.as_bytes())?;
    file.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_budgets_on_one_file_share_the_limit() {
        let dir = std::env::temp_dir().join(format!("rackconnect-budget-test-{}", std::process::id()));
        let shared = SharedBudget::in_folder(&dir, "https://rc.example.test 127.0.0.2").expect("a folder");
        let (mut a, mut b) = (RateBudget::v2(), RateBudget::v2());
        let mut now = 1_800_000_000_000;
        let mut sent = 0;
        for turn in 0..200 {
            let budget = if turn % 2 == 0 { &mut a } else { &mut b };
            let went = shared.around(budget, |budget| {
                if budget.next_allowed(now) <= now {
                    budget.record(now);
                    true
                } else {
                    false
                }
            });
            sent += usize::from(went);
            now += 100;
        }
        // 20 s of two pollers: never more than the one budget's 30.
        assert_eq!(sent, 30);
        let _ = fs::remove_dir_all(&dir);
    }
}
