//! What survives a reload (localStorage): the saved work, the work a share link or an
//! edit replaced (one step back), the theme, and a guard that keeps a restore that never
//! finished from running again.

/// The autosave, as JSON (`work::to_json`).
pub const WORK: &str = "aclplay.work.v1";
/// The saved work before a share link's rules became the saved work.
pub const PREVIOUS: &str = "aclplay.work.previous.v1";
pub const THEME: &str = "aclplay.theme";
/// Set while restoring the saved work, cleared once the page has shown it: still set at
/// the next start means that restore never finished (the page hung or crashed).
pub const RESTORING: &str = "aclplay.restoring";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

pub fn set(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

pub fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}
