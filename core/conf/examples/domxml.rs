//! Runs domain XML documents through rvirt-conf, for corpus measurements.
//!
//! ```text
//! domxml [--define] FILE...            print each document as rvirt prints it
//! domxml [--define] --out DIR FILE...  write DIR/<name of FILE>, or <name>.err
//! ```
//!
//! `--define` applies the defaults libvirt's test driver applies on define (what
//! `virsh define` then `virsh dumpxml` shows); `--debug` prints the typed model
//! instead of XML.

use std::path::Path;

use rvirt_conf::{Defaults, DomainDef};

fn run(path: &Path, define: bool, debug: bool) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut def = DomainDef::from_xml(&text)
        .map_err(|e| format!("{} {} {e}", e.libvirt_code(), e.libvirt_domain()))?;
    if define {
        def.prepare_define(&Defaults::test_driver())
            .map_err(|e| format!("{} {} {e}", e.libvirt_code(), e.libvirt_domain()))?;
    }
    if debug {
        return Ok(format!("{def:#?}\n"));
    }
    def.to_xml().map_err(|e| e.to_string())
}

fn main() {
    let mut define = false;
    let mut debug = false;
    let mut out: Option<String> = None;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--define" => define = true,
            "--debug" => debug = true,
            "--out" => out = args.next(),
            _ => files.push(a),
        }
    }
    for f in files {
        let path = Path::new(&f);
        let result = run(path, define, debug);
        match &out {
            None => match result {
                Ok(xml) => print!("{xml}"),
                Err(e) => println!("ERR {e}"),
            },
            Some(dir) => {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let (file, body) = match result {
                    Ok(xml) => (name, xml),
                    Err(e) => (format!("{name}.err"), format!("{e}\n")),
                };
                std::fs::write(Path::new(dir).join(file), body).unwrap();
            }
        }
    }
}
