//! Build script of the desktop app: runs tauri-build against the repository-root `tauri.conf.json`.
//!
//! Cargo runs this script with the package root (the repository root, where the root `Cargo.toml` and
//! `tauri.conf.json` live) as its working directory, so tauri-build finds the configuration there by
//! default. Only the capabilities are moved: they live next to the crate's sources in
//! `src-tauri/capabilities/` instead of a top-level `capabilities/` folder.

const CAPABILITIES_DIR: &str = "src-tauri/capabilities";

fn main() {
    println!("cargo:rerun-if-changed={CAPABILITIES_DIR}");
    let attributes =
        tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/*.json");
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure through its exit status; the message goes to cargo's output.
        eprintln!("tauri-build failed: {error:#}");
        std::process::exit(1);
    }
}
