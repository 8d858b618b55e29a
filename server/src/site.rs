//! The site the server sends (wasm, JS, CSS, icons): which folder, and in which layout.
//!
//! `cargo xtask build` (the release build) makes a content-addressed site: its assets are in
//! `pkg/<build id>/`, the id named by the root's `build-id` file, so every asset URL can be
//! cached forever. That site is embedded in the release binary (feature `embed-site`) and, as
//! Leptos reads the split manifest from disk, written once into the data folder
//! (`<data-dir>/site/<build id>/`) when the binary starts without `--site-root`. `make dev`'s
//! cargo-leptos writes `pkg/` directly, revalidated on every use.

use std::fs;
use std::path::{Path, PathBuf};

/// The file of a content-addressed site's root naming the folder of `pkg/` its assets are in.
pub const BUILD_ID_FILE: &str = "build-id";

/// Where a site's assets are, relative to its root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteLayout {
    /// `pkg/<build id>` or `pkg`: Leptos's `site_pkg_dir`, also the URL path of the assets.
    pub pkg_dir: String,
    /// True when `pkg_dir` changes with any byte of the assets: they may be cached forever.
    pub content_addressed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("no built site in {0}: run `make build`, or pass --site-root")]
    Missing(PathBuf),
    #[error("{0}: not a build id (letters, digits, - and _ only)")]
    BadBuildId(PathBuf),
    #[error("cannot write the site into {path}: {source}")]
    Unpack {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl SiteLayout {
    /// The layout of the site in `root`.
    pub fn of(root: &Path) -> Result<SiteLayout, SiteError> {
        match build_id(root)? {
            Some(id) => Ok(SiteLayout {
                pkg_dir: format!("pkg/{id}"),
                content_addressed: true,
            }),
            None if root.join("pkg").is_dir() => Ok(SiteLayout {
                pkg_dir: "pkg".into(),
                content_addressed: false,
            }),
            None => Err(SiteError::Missing(root.to_path_buf())),
        }
    }
}

/// The build id in `root`'s `build-id` file, if it has one.
fn build_id(root: &Path) -> Result<Option<String>, SiteError> {
    let file = root.join(BUILD_ID_FILE);
    let Ok(text) = fs::read_to_string(&file) else {
        return Ok(None);
    };
    let id = text.trim();
    if is_build_id(id) {
        Ok(Some(id.to_string()))
    } else {
        Err(SiteError::BadBuildId(file))
    }
}

fn is_build_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The site this binary carries, if it was built with one.
pub fn embedded() -> Option<EmbeddedSite> {
    #[cfg(feature = "embed-site")]
    {
        Some(EmbeddedSite {
            build_id: embedded_files::BUILD_ID,
            files: embedded_files::FILES,
        })
    }
    #[cfg(not(feature = "embed-site"))]
    None
}

#[cfg(feature = "embed-site")]
mod embedded_files {
    include!(concat!(env!("OUT_DIR"), "/embedded_site.rs"));
}

/// A site compiled into the binary: each file's path below the site root, and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedSite {
    pub build_id: &'static str,
    pub files: &'static [(&'static str, &'static [u8])],
}

impl EmbeddedSite {
    /// The site's root under `dir` (`dir/<build id>`), written there unless a previous start
    /// already did. Written beside and renamed into place, so a root that exists is whole;
    /// the sites of other builds in `dir` are removed.
    pub fn unpack_into(&self, dir: &Path) -> Result<PathBuf, SiteError> {
        let unpack_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| SiteError::Unpack { path, source }
        };
        let root = dir.join(self.build_id);
        if !root.join(BUILD_ID_FILE).is_file() {
            let partial = dir.join(format!(".{}-{}", self.build_id, std::process::id()));
            let _ = fs::remove_dir_all(&partial);
            for (path, bytes) in self.files {
                let file = partial.join(path);
                if let Some(parent) = file.parent() {
                    fs::create_dir_all(parent).map_err(unpack_error(parent))?;
                }
                fs::write(&file, bytes).map_err(unpack_error(&file))?;
            }
            if let Err(e) = fs::rename(&partial, &root) {
                let _ = fs::remove_dir_all(&partial);
                // Another server, started at the same moment, put the same site there first.
                if !root.join(BUILD_ID_FILE).is_file() {
                    return Err(unpack_error(&root)(e));
                }
            }
        }
        if let Ok(entries) = fs::read_dir(dir) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let other_build = name
                    .to_str()
                    .is_some_and(|n| n != self.build_id && is_build_id(n));
                if other_build && entry.path().is_dir() {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
        Ok(root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_addressed_site_has_its_assets_under_its_build_id() {
        let site = tempfile::tempdir().unwrap();
        fs::write(site.path().join(BUILD_ID_FILE), "abc-DEF_123\n").unwrap();
        assert_eq!(
            SiteLayout::of(site.path()).unwrap(),
            SiteLayout {
                pkg_dir: "pkg/abc-DEF_123".into(),
                content_addressed: true
            }
        );
    }

    #[test]
    fn a_cargo_leptos_site_has_pkg_and_no_build_id() {
        let site = tempfile::tempdir().unwrap();
        fs::create_dir(site.path().join("pkg")).unwrap();
        assert_eq!(
            SiteLayout::of(site.path()).unwrap(),
            SiteLayout {
                pkg_dir: "pkg".into(),
                content_addressed: false
            }
        );
    }

    #[test]
    fn no_site_or_a_build_id_that_could_leave_pkg_is_refused() {
        let site = tempfile::tempdir().unwrap();
        let missing = SiteLayout::of(site.path()).unwrap_err();
        assert!(
            missing.to_string().contains("run `make build`"),
            "{missing}"
        );
        for bad in ["../etc", "", "a b", "a/b"] {
            fs::write(site.path().join(BUILD_ID_FILE), bad).unwrap();
            assert!(
                matches!(SiteLayout::of(site.path()), Err(SiteError::BadBuildId(_))),
                "{bad:?}"
            );
        }
    }

    fn site(build_id: &'static str) -> EmbeddedSite {
        static FILES: &[(&str, &[u8])] = &[
            ("build-id", b"one\n"),
            ("favicon.svg", b"<svg/>"),
            ("pkg/one/devlog.js", b"js"),
        ];
        EmbeddedSite {
            build_id,
            files: FILES,
        }
    }

    #[test]
    fn an_embedded_site_is_written_once_and_other_builds_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old-build");
        fs::create_dir_all(old.join("pkg")).unwrap();
        let keep = dir.path().join("agents.toml.d");
        fs::create_dir(&keep).unwrap();
        fs::write(keep.join("x"), "").unwrap();

        let root = site("one").unpack_into(dir.path()).unwrap();
        assert_eq!(root, dir.path().join("one"));
        assert_eq!(fs::read(root.join("pkg/one/devlog.js")).unwrap(), b"js");
        assert_eq!(SiteLayout::of(&root).unwrap().pkg_dir, "pkg/one");
        assert!(!old.exists(), "another build's site is removed");
        assert!(keep.exists(), "what is not a build's folder stays");

        // A second start finds it whole and leaves it as it is.
        fs::write(root.join("favicon.svg"), "touched").unwrap();
        site("one").unpack_into(dir.path()).unwrap();
        assert_eq!(fs::read(root.join("favicon.svg")).unwrap(), b"touched");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(
            names.iter().all(|n| !n.to_string_lossy().starts_with('.')),
            "{names:?}"
        );
    }
}
