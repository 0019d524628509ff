//! Bundles every lesson file of `lessons/` into the binaries: adding a
//! lesson is adding one JSON file there. Each file is minified (whitespace
//! outside strings removed) so the app carries no indentation.

use std::fmt::Write as _;
use std::path::Path;

#[path = "src/engine/format/json_strings.rs"]
mod json_strings;

fn minify(json: &str) -> String {
    let mut strings = json_strings::Strings::default();
    json.chars().filter(|&c| strings.step(c) || !c.is_whitespace()).collect()
}

fn main() {
    let dir = Path::new("lessons");
    println!("cargo:rerun-if-changed=lessons");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let bundled = Path::new(&out_dir).join("lessons");
    std::fs::create_dir_all(&bundled).expect("OUT_DIR is writable");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut list = String::from(
        "/// (file stem, minified JSON) of every file in `lessons/`.\npub const FILES: &[(&str, &str)] = &[\n",
    );
    for name in &names {
        let text = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        let target = bundled.join(name);
        std::fs::write(&target, minify(&text)).expect("OUT_DIR is writable");
        let stem = name.trim_end_matches(".json");
        let _ = writeln!(list, "    ({stem:?}, include_str!({:?})),", target.display().to_string());
    }
    list.push_str("];\n");
    std::fs::write(Path::new(&out_dir).join("lesson_files.rs"), list).expect("OUT_DIR is writable");
}
