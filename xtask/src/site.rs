//! The release site: what `cargo leptos build --release --split --precompress` made, by the
//! same libraries, in the order they run.
//!
//! 1. `cargo build` of `frontend` for wasm32 in the `wasm-release` profile, linked with
//!    relocations (`--emit-relocs`), which the splitter reads;
//! 2. split into the main module and one chunk per lazy route (+ shared chunks), with the
//!    manifest of which chunks each route preloads;
//! 3. wasm-bindgen (`--target web`) on the main module;
//! 4. wasm-opt `-Oz` on every module (npm's binaryen, as a library: Debian's breaks the wasm);
//! 5. the stylesheet and `public/` copied;
//! 6. every file of `pkg/` moved into `pkg/<build id>/`, the id a hash of their contents, and
//!    precompressed (`.br`, `.gz`).
//!
//! Content-addressed by folder, not by file name: the files keep the names the wasm, the JS
//! and the manifest refer to each other by, so nothing is rewritten after the fact, and every
//! URL under `/pkg/<id>/` can be cached forever. The server reads the id from
//! [`BUILD_ID_FILE`] in the site root.

use crate::{Error, cargo, run, workspace_root};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The file of the site root naming the folder of `pkg/` its assets are in.
pub const BUILD_ID_FILE: &str = "build-id";
/// The name Leptos's `HydrationScripts` asks for: `devlog.js`, `devlog.wasm`, `devlog.css`.
/// (Leptos compiled with `LEPTOS_OUTPUT_NAME` set, as in every build here, names the wasm
/// `devlog.wasm`, as cargo-leptos writes it; wasm-bindgen's own name is `devlog_bg.wasm`.)
const OUTPUT_NAME: &str = "devlog";
/// The link name the splitter gives the chunks' loader; the loader keeps it (no hashing).
const SPLIT_LOADER: &str = "./__wasm_split.______________________.js";

/// Builds the site into `out` (replacing it once the new one is whole).
pub fn build(out: &Path) -> Result<(), Error> {
    let root = workspace_root();
    let wasm = build_wasm(&root)?;
    // What the site is made of: when none of it changed since the last build of `out`, the
    // minutes of splitting and optimising would give the same bytes again.
    // This program is one of them: a change to the pipeline makes the site again.
    let mut inputs = vec![wasm.clone(), root.join("style/main.css")];
    inputs.extend(std::env::current_exe().ok());
    let mut public = files_in(&root.join("public"))?;
    public.sort();
    inputs.extend(public);
    let stamp_file = root.join("target/xtask/site-input");
    let stamp = format!("{}\n{}\n", out.display(), fingerprint(&root, &inputs)?);
    if out.join(BUILD_ID_FILE).is_file()
        && fs::read_to_string(&stamp_file).ok() == Some(stamp.clone())
    {
        println!("site: {} is up to date", out.display());
        return Ok(());
    }
    let staging = out.with_extension("staging");
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(Error::io(&staging))?;
    }
    let pkg = staging.join("pkg");
    fs::create_dir_all(&pkg).map_err(Error::io(&pkg))?;

    let main_split = root
        .join("target/xtask")
        .join(format!("{OUTPUT_NAME}_split.wasm"));
    fs::create_dir_all(main_split.parent().unwrap_or(&root)).map_err(Error::io(&root))?;
    let chunks = step("split the wasm per route", || {
        split(&wasm, &pkg, &main_split)
    })?;
    step("wasm-bindgen", || bindgen(&main_split, &pkg))?;
    let main_wasm = pkg.join(format!("{OUTPUT_NAME}.wasm"));
    let bindgen_wasm = pkg.join(format!("{OUTPUT_NAME}_bg.wasm"));
    fs::rename(&bindgen_wasm, &main_wasm).map_err(Error::io(&bindgen_wasm))?;
    let mut modules = vec![main_wasm];
    modules.extend(chunks);
    step(&format!("wasm-opt on {} modules", modules.len()), || {
        optimize_all(&modules)
    })?;

    copy(
        &root.join("style/main.css"),
        &pkg.join(format!("{OUTPUT_NAME}.css")),
    )?;
    let id = build_id(&pkg)?;
    let addressed = staging.join("pkg").join(&id);
    let moved = staging.join("pkg-addressed");
    fs::rename(&pkg, &moved).map_err(Error::io(&pkg))?;
    fs::create_dir_all(&pkg).map_err(Error::io(&pkg))?;
    fs::rename(&moved, &addressed).map_err(Error::io(&addressed))?;
    step("brotli and gzip", || {
        crate::compress::precompress_dir(&addressed)
    })?;
    copy_dir(&root.join("public"), &staging)?;
    fs::write(staging.join(BUILD_ID_FILE), format!("{id}\n")).map_err(Error::io(&staging))?;

    if out.exists() {
        fs::remove_dir_all(out).map_err(Error::io(out))?;
    }
    fs::rename(&staging, out).map_err(Error::io(out))?;
    fs::write(&stamp_file, stamp).map_err(Error::io(&stamp_file))?;
    println!("site: {} (build {id})", out.display());
    Ok(())
}

/// Runs one step of the site's minutes, saying what it does and how long it took.
fn step<T>(what: &str, f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    println!("site: {what}…");
    let started = std::time::Instant::now();
    let result = f();
    println!("site: {what}: {:.1} s", started.elapsed().as_secs_f64());
    result
}

/// `cargo build` of the front end; the path of its wasm.
fn build_wasm(root: &Path) -> Result<PathBuf, Error> {
    let mut build = Command::new(cargo());
    build
        .current_dir(root)
        .args(["build", "--package=frontend", "--lib"])
        .args(["--target=wasm32-unknown-unknown", "--profile=wasm-release"]);
    // The splitter needs the wasm's relocations, which .cargo/config.toml asks for; a
    // RUSTFLAGS of the user's replaces that config, so it gets them added. (With `--target`,
    // RUSTFLAGS reach the wasm crates only, not build scripts or macros.)
    if let Ok(user) = std::env::var("RUSTFLAGS") {
        build.env("RUSTFLAGS", format!("{user} -Clink-args=--emit-relocs"));
    }
    run(&mut build)?;
    Ok(root.join("target/wasm32-unknown-unknown/wasm-release/frontend.wasm"))
}

/// The splitter's chunks, written to `pkg` (with the manifest and the chunks' loader); the
/// main module to `main_out`.
fn split(wasm: &Path, pkg: &Path, main_out: &Path) -> Result<Vec<PathBuf>, Error> {
    let input = fs::read(wasm).map_err(Error::io(wasm))?;
    let main_module = format!("./{OUTPUT_NAME}.js");
    let mut options = wasm_split_cli_support::Options::new(&input);
    options.output_dir = pkg;
    options.main_out_path = main_out;
    options.main_module = &main_module;
    options.link_name = SPLIT_LOADER;
    let split = wasm_split_cli_support::transform(options)
        .map_err(|e| Error::Tool("wasm-split", format!("{e:#}")))?;
    let manifest = pkg.join("__wasm_split_manifest.json");
    let json = serde_json::to_string(&split.prefetch_map)
        .map_err(|e| Error::Tool("wasm-split", e.to_string()))?;
    fs::write(&manifest, json).map_err(Error::io(&manifest))?;
    Ok(split.split_modules)
}

/// `devlog.js` and `devlog_bg.wasm` in `pkg`, for `--target web` (the wasm renamed after).
fn bindgen(main_module: &Path, pkg: &Path) -> Result<(), Error> {
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .input_path(main_module)
        .out_name(OUTPUT_NAME)
        .typescript(false)
        // The splitter's chunks call the main module by its linker's export names.
        .keep_lld_exports(true)
        .demangle(false);
    bindgen
        .web(true)
        .and_then(|b| b.generate(pkg))
        .map_err(|e| Error::Tool("wasm-bindgen", format!("{e:#}")))
}

/// wasm-opt `-Oz` on every module: npm's binaryen, loaded once per worker by
/// `end2end/optimize-wasm.mjs` (as a command, binaryen.js starts in ~1.4 s a module: 161 s for
/// the 121 modules, against ~13 s this way), the modules shared out by size over the cores.
fn optimize_all(modules: &[PathBuf]) -> Result<(), Error> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let batches = share_out(modules, workers);
    let script = workspace_root().join("end2end/optimize-wasm.mjs");
    std::thread::scope(|scope| {
        let handles: Vec<_> = batches
            .iter()
            .filter(|batch| !batch.is_empty())
            .map(|batch| scope.spawn(|| optimize(&script, batch)))
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or(Err(Error::Tool("wasm-opt", "a worker panicked".into())))
        })
    })
}

/// `modules` in `workers` batches of about equal bytes: the largest first, each to the batch
/// with the fewest bytes so far.
fn share_out(modules: &[PathBuf], workers: usize) -> Vec<Vec<PathBuf>> {
    let mut sized: Vec<(u64, &PathBuf)> = modules
        .iter()
        .map(|m| (fs::metadata(m).map_or(0, |meta| meta.len()), m))
        .collect();
    sized.sort_by_key(|(size, _)| std::cmp::Reverse(*size));
    let mut batches: Vec<(u64, Vec<PathBuf>)> = vec![(0, Vec::new()); workers.max(1)];
    for (size, module) in sized {
        if let Some(lightest) = batches.iter_mut().min_by_key(|(bytes, _)| *bytes) {
            lightest.0 += size;
            lightest.1.push(module.clone());
        }
    }
    batches.into_iter().map(|(_, batch)| batch).collect()
}

/// One worker's modules, rewritten in place; its output is shown only when it fails.
fn optimize(script: &Path, modules: &[PathBuf]) -> Result<(), Error> {
    let output = Command::new("node")
        .arg(script)
        .args(modules)
        .output()
        .map_err(|e| {
            Error::Tool(
                "wasm-opt",
                format!("{e}: node must be on PATH, with npm's binaryen (`make node-deps`)"),
            )
        })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(Error::Tool(
            "wasm-opt",
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ))
    }
}

/// A hash of every file's name and bytes below `dir`, in name order.
fn build_id(dir: &Path) -> Result<String, Error> {
    let mut files = files_in(dir)?;
    files.sort();
    fingerprint(dir, &files)
}

/// A hash of `files`' names (relative to `dir`) and bytes: 16 characters of base64url.
fn fingerprint(dir: &Path, files: &[PathBuf]) -> Result<String, Error> {
    let mut hasher = Sha256::new();
    for file in files {
        let name = file.strip_prefix(dir).unwrap_or(file).to_string_lossy();
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(fs::read(file).map_err(Error::io(file))?);
    }
    let digest = hasher.finalize();
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..12]))
}

/// Every file below `dir`.
pub fn files_in(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).map_err(Error::io(&folder))? {
            let path = entry.map_err(Error::io(&folder))?.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    Ok(files)
}

fn copy(from: &Path, to: &Path) -> Result<(), Error> {
    fs::copy(from, to).map(|_| ()).map_err(Error::io(from))
}

/// `from`'s files into `to`, keeping their relative paths.
fn copy_dir(from: &Path, to: &Path) -> Result<(), Error> {
    for file in files_in(from)? {
        let target = to.join(file.strip_prefix(from).unwrap_or(&file));
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(Error::io(parent))?;
        }
        copy(&file, &target)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_id_changes_with_any_file_and_only_then() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path();
        fs::write(dir.join("a.js"), "one").unwrap();
        fs::create_dir(dir.join("sub")).unwrap();
        fs::write(dir.join("sub/b.wasm"), [0u8, 1, 2]).unwrap();
        let first = build_id(dir).unwrap();
        assert_eq!(first.len(), 16);
        assert!(
            first
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(build_id(dir).unwrap(), first, "the same files, the same id");
        fs::write(dir.join("sub/b.wasm"), [0u8, 1, 3]).unwrap();
        let second = build_id(dir).unwrap();
        assert_ne!(second, first, "a changed byte changes the id");
        fs::rename(dir.join("a.js"), dir.join("c.js")).unwrap();
        assert_ne!(
            build_id(dir).unwrap(),
            second,
            "a renamed file changes the id"
        );
    }

    #[test]
    fn modules_are_shared_out_by_size_largest_first() {
        let temp = tempfile::tempdir().unwrap();
        let sizes = [900usize, 100, 500, 400, 50];
        let modules: Vec<PathBuf> = sizes
            .iter()
            .enumerate()
            .map(|(i, size)| {
                let path = temp.path().join(format!("m{i}.wasm"));
                fs::write(&path, vec![0u8; *size]).unwrap();
                path
            })
            .collect();
        let batches = share_out(&modules, 2);
        let bytes = |batch: &[PathBuf]| -> u64 {
            batch.iter().map(|m| fs::metadata(m).unwrap().len()).sum()
        };
        assert_eq!(batches.len(), 2);
        // 900 | 500, 400 | then 100 to the first of two equal batches, 50 to the other.
        assert_eq!(batches[0], [modules[0].clone(), modules[1].clone()]);
        assert_eq!((bytes(&batches[0]), bytes(&batches[1])), (1000, 950));
        let all: usize = batches.iter().map(Vec::len).sum();
        assert_eq!(all, modules.len(), "every module once");
        assert_eq!(share_out(&modules, 1)[0].len(), 5);
    }

    #[test]
    fn copy_dir_keeps_relative_paths() {
        let (from, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (from, to) = (from.path(), to.path());
        fs::create_dir_all(from.join("icons")).unwrap();
        fs::write(from.join("favicon.svg"), "<svg/>").unwrap();
        fs::write(from.join("icons/a.png"), "png").unwrap();
        copy_dir(from, to).unwrap();
        assert_eq!(
            fs::read_to_string(to.join("favicon.svg")).unwrap(),
            "<svg/>"
        );
        assert_eq!(fs::read_to_string(to.join("icons/a.png")).unwrap(), "png");
    }
}
