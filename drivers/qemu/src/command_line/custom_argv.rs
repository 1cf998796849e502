//! libvirt's QEMU namespace (`xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'`):
//! `<qemu:commandline>` with `<qemu:arg value=…/>` appended to the argv and
//! `<qemu:env name=… value=…/>` set in QEMU's environment. A domain using it is
//! tainted `custom-argv`, as libvirt marks it.

use rvirt_core::conf::DomainDef;
use rvirt_core::{Error, ErrorDomain, Result};

/// The namespace URI of libvirt's QEMU extensions.
pub const QEMU_NS: &str = "http://libvirt.org/schemas/domain/qemu/1.0";

/// The most `<qemu:arg>`/`<qemu:env>` elements taken from one definition.
pub const MAX_ITEMS: usize = 1024;

/// What `<qemu:commandline>` asks for.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CustomArgv {
    /// `<qemu:arg value=…/>`, in order.
    pub args: Vec<String>,
    /// `<qemu:env name=… value=…/>`, in order.
    pub env: Vec<(String, String)>,
}

impl CustomArgv {
    /// Whether the definition asks for anything (libvirt's `custom-argv` taint).
    pub fn is_tainting(&self) -> bool {
        !self.args.is_empty() || !self.env.is_empty()
    }
}

fn xml_error(message: String) -> Error {
    Error::xml(ErrorDomain::Qemu, message)
}

/// libvirt's rule for `<qemu:env name=…>`: a letter or `_`, then alphanumerics and `_`.
fn check_env_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => {
            return Err(xml_error(
                "Invalid environment name, it must begin with a letter or underscore".into(),
            ));
        }
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(xml_error(
            "Invalid environment name, it must contain only alphanumerics and underscore".into(),
        ));
    }
    Ok(())
}

/// The `<qemu:commandline>` of `def`, under whatever prefix the definition binds to
/// [`QEMU_NS`] on `<domain>`.
///
/// Errors: `VIR_ERR_XML_ERROR` for an `<arg>` without `value`, an `<env>` without or
/// with an invalid `name`, and more than 1,024 of them.
pub fn custom_argv(def: &DomainDef) -> Result<CustomArgv> {
    let mut out = CustomArgv::default();
    let Some(prefix) = def
        .extra
        .attrs
        .iter()
        .find_map(|(k, v)| (v == QEMU_NS).then(|| k.strip_prefix("xmlns:")).flatten())
    else {
        return Ok(out);
    };
    let name = |local: &str| format!("{prefix}:{local}");
    for cl in def.extra.children.iter().filter_map(|n| match n {
        rvirt_core::conf::xml::Node::Element(e) if e.name == name("commandline") => Some(e),
        _ => None,
    }) {
        for item in cl.elements() {
            if out.args.len() + out.env.len() >= MAX_ITEMS {
                return Err(xml_error(format!(
                    "more than {MAX_ITEMS} qemu:commandline items"
                )));
            }
            if item.name == name("arg") {
                let v = item
                    .attr("value")
                    .ok_or_else(|| xml_error("No qemu command-line argument specified".into()))?;
                out.args.push(v.to_owned());
            } else if item.name == name("env") {
                let n = item
                    .attr("name")
                    .ok_or_else(|| xml_error("No qemu environment name specified".into()))?;
                check_env_name(n)?;
                out.env.push((
                    n.to_owned(),
                    item.attr("value").unwrap_or_default().to_owned(),
                ));
            }
        }
    }
    Ok(out)
}

/// Writes the QEMU namespace under libvirt's `qemu` prefix, whatever prefix the
/// definition bound it to (libvirt prints it so), unless `qemu` names another
/// namespace there.
pub fn normalize_prefix(def: &mut DomainDef) {
    let Some(prefix) = def.extra.attrs.iter().find_map(|(k, v)| {
        (v == QEMU_NS)
            .then(|| k.strip_prefix("xmlns:"))
            .flatten()
            .map(str::to_owned)
    }) else {
        return;
    };
    if prefix == "qemu" || def.extra.attr("xmlns:qemu").is_some() {
        return;
    }
    for (k, _) in &mut def.extra.attrs {
        if *k == format!("xmlns:{prefix}") {
            *k = "xmlns:qemu".into();
        }
    }
    fn rename(e: &mut rvirt_core::conf::xml::Element, from: &str) {
        if let Some(local) = e.name.strip_prefix(from) {
            e.name = format!("qemu:{local}");
        }
        for c in e.elements_mut() {
            rename(c, from);
        }
    }
    let from = format!("{prefix}:");
    for n in &mut def.extra.children {
        if let rvirt_core::conf::xml::Node::Element(e) = n {
            rename(e, &from);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(body: &str, ns: &str) -> DomainDef {
        DomainDef::from_xml(&format!(
            "<domain type='qemu' xmlns:{ns}='{QEMU_NS}'><name>c</name><memory>65536</memory>\
             <os><type>hvm</type></os>{body}</domain>"
        ))
        .unwrap()
    }

    #[test]
    fn args_and_env_in_order_under_any_prefix() {
        let d = def(
            "<q:commandline><q:arg value='-trace'/><q:arg value='enable=x,file=/t'/>\
             <q:env name='QEMU_AUDIO_DRV' value='none'/><q:env name='_E1'/></q:commandline>",
            "q",
        );
        let c = custom_argv(&d).unwrap();
        assert_eq!(c.args, ["-trace", "enable=x,file=/t"]);
        assert_eq!(
            c.env,
            [
                ("QEMU_AUDIO_DRV".to_owned(), "none".to_owned()),
                ("_E1".to_owned(), String::new())
            ]
        );
        assert!(c.is_tainting());
        assert!(!custom_argv(&def("", "qemu")).unwrap().is_tainting());
    }

    #[test]
    fn any_prefix_is_written_as_qemu() {
        let mut d = def("<q:commandline><q:arg value='-S'/></q:commandline>", "q");
        normalize_prefix(&mut d);
        let xml = d.to_xml().unwrap();
        assert!(xml.contains(&format!("xmlns:qemu='{QEMU_NS}'")), "{xml}");
        assert!(
            xml.contains("<qemu:commandline>\n    <qemu:arg value='-S'/>"),
            "{xml}"
        );
        assert_eq!(custom_argv(&d).unwrap().args, ["-S"]);
    }

    #[test]
    fn refusals_as_libvirt() {
        for (body, msg) in [
            (
                "<qemu:commandline><qemu:env name='1A' value='x'/></qemu:commandline>",
                "Invalid environment name, it must begin with a letter or underscore",
            ),
            (
                "<qemu:commandline><qemu:env name='A-B' value='x'/></qemu:commandline>",
                "Invalid environment name, it must contain only alphanumerics and underscore",
            ),
            (
                "<qemu:commandline><qemu:arg/></qemu:commandline>",
                "No qemu command-line argument specified",
            ),
        ] {
            let e = custom_argv(&def(body, "qemu")).unwrap_err();
            assert_eq!(e.code(), rvirt_core::ErrorCode::XmlError);
            assert_eq!(e.message(), msg);
        }
        let many = "<qemu:arg value='-S'/>".repeat(MAX_ITEMS + 1);
        let body = format!("<qemu:commandline>{many}</qemu:commandline>");
        assert!(custom_argv(&def(&body, "qemu")).is_err());
    }
}
