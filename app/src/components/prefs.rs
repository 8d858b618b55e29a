//! This browser's remembered preferences (notifications, sound, theme) in localStorage: choices,
//! never secrets. On the server nothing is remembered.

/// The value remembered under `key`.
pub fn get(key: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    return storage()?.get_item(key).ok().flatten();
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key;
        None
    }
}

/// Remembers `value` under `key`, or forgets it with `None`. A browser that refuses storage
/// (private mode, full disk) keeps the choice for this page only.
pub fn set(key: &str, value: Option<&str>) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = storage() {
        let _ = match value {
            Some(value) => storage.set_item(key, value),
            None => storage.remove_item(key),
        };
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, value);
}

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}
