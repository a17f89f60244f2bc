//! The shape of the code, checked: in the web crate a feature imports only `core` and the
//! application layer, never another feature, and `core` imports no feature; the
//! application crate's modules form no cycle; and every path ARCHITECTURE.md's code map
//! names exists.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The modules of this crate that `text` names as `crate::NAME` (comments included: a
/// doc link to another feature is a dependency too).
fn crate_references(text: &str) -> BTreeSet<String> {
    crate_paths(text)
        .into_iter()
        .filter_map(|path| path.into_iter().next())
        .collect()
}

fn web_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn features_import_only_core_and_core_imports_no_feature() {
    let src = web_src();
    let features: BTreeSet<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|name| name != "core")
        .collect();
    assert!(
        features.contains("events") && features.contains("atlas"),
        "{features:?}"
    );
    let mut broken = Vec::new();
    for room in features.iter().map(String::as_str).chain(["core"]) {
        for file in rust_files(&src.join(room)) {
            let text = std::fs::read_to_string(&file).unwrap();
            for name in crate_references(&text) {
                let allowed = name == room || !features.contains(&name);
                let core_names_feature = room == "core" && features.contains(&name);
                if !allowed || core_names_feature {
                    broken.push(format!("{} names crate::{name}", file.display()));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "imports across rooms:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_application_modules_form_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src");
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src) {
        let module = file.file_stem().unwrap().to_string_lossy().into_owned();
        if module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let refs = crate_references(&text)
            .into_iter()
            .filter(|r| r != &module && src.join(format!("{r}.rs")).exists())
            .collect();
        edges.insert(module, refs);
    }
    if let Some(cycle) = find_cycle(&edges) {
        panic!("module cycle in chainatlas-app: {}", cycle.join(" → "));
    }
}

/// A cycle in a module graph, if there is one.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == m) {
            let mut cycle = path[at..].to_vec();
            cycle.push(m.to_string());
            return Some(cycle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for next in edges.get(m).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|m| visit(m, edges, &mut Vec::new(), &mut done))
}

/// `crate::a::b::Item` paths named in `text`, as their segments.
fn crate_paths(text: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        paths.push(
            path.split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        );
    }
    paths
}

#[test]
fn the_web_modules_form_no_cycle() {
    let src = web_src();
    // Each file is a module: lib.rs the root, core/mod.rs `core`, core/auth.rs `core::auth`.
    let module_of = |file: &Path| -> String {
        let relative = file.strip_prefix(&src).unwrap().with_extension("");
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .filter(|c| c != "mod" && c != "lib")
            .collect();
        if parts.is_empty() {
            "crate".into()
        } else {
            parts.join("::")
        }
    };
    let files = rust_files(&src);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let from = module_of(file);
        let text = std::fs::read_to_string(file).unwrap();
        let mut to = BTreeSet::new();
        for path in crate_paths(&text) {
            // The longest prefix of the path that is a module; else the crate root.
            let target = (1..=path.len())
                .rev()
                .map(|n| path[..n].join("::"))
                .find(|m| modules.contains(m))
                .unwrap_or_else(|| "crate".into());
            if target != from {
                to.insert(target);
            }
        }
        edges.insert(from, to);
    }
    if let Some(cycle) = find_cycle(&edges) {
        panic!("module cycle in chainatlas-web: {}", cycle.join(" → "));
    }
}

#[test]
fn every_path_the_code_map_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let mut missing = Vec::new();
    let mut checked = 0;
    for quoted in text.split('`').skip(1).step_by(2) {
        let looks_like_path = quoted.starts_with("crates/")
            || quoted.starts_with("docs/")
            || quoted.starts_with("bench/")
            || quoted.starts_with("scripts/");
        if looks_like_path && !quoted.contains(' ') {
            checked += 1;
            if !root.join(quoted).exists() {
                missing.push(quoted.to_string());
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} paths found: is the code map still there?"
    );
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist: {missing:?}"
    );
}
