//! The README's quick starts are the files CI builds and runs, line for line, each at
//! most 20 lines: `examples/examples/quick_glib.rs`, `quick_tokio.rs` (without their
//! `//!` header) and `examples/c/quick_start.c` (without its first comment line).

use std::path::Path;

fn body(file: &str, header: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with(header)).collect();
    lines.join("\n").trim_matches('\n').to_owned()
}

#[test]
fn readme_blocks_are_the_examples_ci_runs() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    for (file, header, lang) in [
        ("examples/quick_glib.rs", "//!", "rust"),
        ("examples/quick_tokio.rs", "//!", "rust"),
        ("c/quick_start.c", "/* README quick start", "c"),
    ] {
        let code = body(file, header);
        assert!(code.lines().count() <= 20, "{file}: more than 20 lines");
        let block = format!("```{lang}\n{code}\n```");
        assert!(
            readme.contains(&block),
            "README lacks {file} as it stands:\n{block}"
        );
    }
}
