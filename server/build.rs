//! With feature `embed-site`, the built site (`cargo xtask site`, in `$DEVLOG_EMBED_SITE` or
//! `target/site`) is compiled into the binary: `$OUT_DIR/embedded_site.rs` lists each file
//! with `include_bytes!` (read by `src/site.rs`). Without the feature this does nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=DEVLOG_EMBED_SITE");
    if std::env::var_os("CARGO_FEATURE_EMBED_SITE").is_none() {
        return;
    }
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let site = std::env::var_os("DEVLOG_EMBED_SITE")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir.join("../target/site"));
    // A folder: cargo rebuilds when any file below it changes.
    println!("cargo::rerun-if-changed={}", site.display());
    let build_id = std::fs::read_to_string(site.join("build-id")).unwrap_or_else(|_| {
        panic!(
            "feature embed-site: no site in {} (no build-id file): run `cargo xtask site` first",
            site.display()
        )
    });
    let mut files = Vec::new();
    collect(&site, &mut files);
    files.sort();
    let mut out = String::new();
    let _ = writeln!(out, "pub const BUILD_ID: &str = {:?};", build_id.trim());
    out.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
    for file in &files {
        let relative = file.strip_prefix(&site).unwrap_or(file);
        let absolute = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        let _ = writeln!(
            out,
            "    ({:?}, include_bytes!({:?})),",
            relative.to_string_lossy(),
            absolute.to_string_lossy()
        );
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(e) = std::fs::write(out_dir.join("embedded_site.rs"), out) {
        panic!("cannot write embedded_site.rs: {e}");
    }
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("feature embed-site: cannot read {}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
