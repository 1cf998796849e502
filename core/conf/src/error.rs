//! Error type of the crate, with the libvirt error code and domain of each case.

use std::fmt;

/// libvirt error codes (`virErrorNumber`) used by [`ConfError::libvirt_code`].
pub mod codes {
    /// `VIR_ERR_INTERNAL_ERROR`.
    pub const INTERNAL_ERROR: i32 = 1;
    /// `VIR_ERR_INVALID_ARG`.
    pub const INVALID_ARG: i32 = 8;
    /// `VIR_ERR_NO_NAME`.
    pub const NO_NAME: i32 = 21;
    /// `VIR_ERR_XML_ERROR`.
    pub const XML_ERROR: i32 = 27;
    /// `VIR_ERR_XML_DETAIL`: what libvirt reports for XML that is not well formed.
    pub const XML_DETAIL: i32 = 35;
    /// `VIR_ERR_NO_SOURCE`.
    pub const NO_SOURCE: i32 = 19;
    /// `VIR_ERR_NO_TARGET`.
    pub const NO_TARGET: i32 = 20;
    /// `VIR_ERR_CONFIG_UNSUPPORTED`.
    pub const CONFIG_UNSUPPORTED: i32 = 67;
    /// `VIR_ERR_OPERATION_UNSUPPORTED`.
    pub const OPERATION_UNSUPPORTED: i32 = 84;
    /// `VIR_ERR_OVERFLOW`.
    pub const OVERFLOW: i32 = 82;
    /// `VIR_ERR_XML_INVALID_SCHEMA`.
    pub const XML_INVALID_SCHEMA: i32 = 92;
}

/// libvirt error domains (`virErrorDomain`) used by [`ConfError::libvirt_domain`].
pub mod domains {
    /// `VIR_FROM_NONE`.
    pub const NONE: i32 = 0;
    /// `VIR_FROM_XML`.
    pub const XML: i32 = 5;
    /// `VIR_FROM_DOMAIN`.
    pub const DOMAIN: i32 = 20;
    /// `VIR_FROM_CPU`.
    pub const CPU: i32 = 31;
    /// `VIR_FROM_DEVICE`.
    pub const DEVICE: i32 = 49;
    /// `VIR_FROM_DOMAIN_CHECKPOINT`.
    pub const DOMAIN_CHECKPOINT: i32 = 69;
}

/// What kind of XML node an [`ConfError::Unsupported`] error is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnsupportedKind {
    /// An element the model does not know.
    Element,
    /// An attribute (named here) the model does not know.
    Attribute(String),
    /// Non-blank text inside an element that the model treats as empty.
    Text,
}

/// Everything that can go wrong when parsing, validating or writing domain XML.
///
/// Each case maps to the libvirt error code ([`ConfError::libvirt_code`]) that libvirt
/// itself reports for the same input (observed against libvirt 9.0's test driver), and
/// [`fmt::Display`] renders the message the way libvirt's `virGetLastErrorMessage` does,
/// including the per-code prefix such as `"XML error: "`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfError {
    /// The document is not well-formed XML (code 35, `VIR_ERR_XML_DETAIL`).
    Malformed {
        /// 1-based line of the error.
        line: usize,
        /// Parser message.
        message: String,
    },
    /// The root element is not `<domain>` (code 27).
    WrongRoot {
        /// Name of the root element found.
        found: String,
    },
    /// The `type` attribute of `<domain>` is missing (code 1).
    MissingDomainType,
    /// The `type` attribute of `<domain>` has an unknown value (code 67).
    InvalidDomainType {
        /// The value found.
        value: String,
    },
    /// `<name>` is missing or empty (code 21, `VIR_ERR_NO_NAME`).
    MissingName,
    /// `<uuid>` does not hold a UUID (code 1).
    MalformedUuid {
        /// The text found.
        value: String,
    },
    /// `<memory>` is missing (code 27).
    MissingMemory,
    /// A numeric element or attribute does not hold a valid number (code 27).
    InvalidValue {
        /// libvirt-style XPath of the node, e.g. `./memory[1]`.
        xpath: String,
        /// The text found.
        value: String,
    },
    /// A memory `unit` attribute is not one libvirt accepts (code 8).
    InvalidMemoryUnit {
        /// The unit found.
        unit: String,
    },
    /// A memory size does not fit in 64 bits of bytes (code 82).
    MemoryOverflow {
        /// The number as written.
        value: u64,
        /// The unit as written.
        unit: String,
    },
    /// A lifecycle element (`on_poweroff`, …) holds an unknown action (code 67).
    UnknownLifecycleAction {
        /// Element name, e.g. `on_poweroff`.
        event: String,
        /// The value found.
        value: String,
    },
    /// A lifecycle action is known but not allowed for this event (code 67).
    UnsupportedLifecycleAction {
        /// Event name as libvirt spells it: `poweroff`, `reboot`.
        event: String,
        /// The action, e.g. `coredump-destroy`.
        action: String,
    },
    /// The input holds an element, attribute or text this model does not represent
    /// (code 67). Reported instead of silently dropping it.
    Unsupported {
        /// Slash-separated element path from the root, e.g. `domain/devices/disk[2]/foo`;
        /// `[n]` (1-based) appears where the element has same-named siblings.
        path: String,
        /// Which kind of node is unsupported.
        kind: UnsupportedKind,
    },
    /// A CPU set attribute is not a bitmap libvirt can parse (code 8, domain NONE).
    InvalidBitmap {
        /// The text found.
        value: String,
    },
    /// A CPU set names no CPU at all (code 67).
    EmptyCpuset {
        /// The text found.
        value: String,
    },
    /// The domain name contains `/` (code 27): names become file names.
    NameWithSlash {
        /// The name found.
        name: String,
    },
    /// An attribute holds a value libvirt refuses (code 27, domain XML):
    /// `Invalid value for attribute 'A' in element 'E': 'V'.` and what was expected.
    InvalidAttr {
        /// The attribute.
        attr: String,
        /// The element.
        element: String,
        /// The value found.
        value: String,
        /// What libvirt expected, appended to the message (`" Expected integer value"`),
        /// empty for enumerations.
        expected: &'static str,
    },
    /// A required attribute is missing (code 27, domain XML).
    MissingAttr {
        /// The attribute.
        attr: String,
        /// The element.
        element: String,
    },
    /// Any other check libvirt makes, with libvirt's code, domain and message (without
    /// the per-code prefix, which [`fmt::Display`] adds).
    Invalid {
        /// libvirt error code ([`codes`]).
        code: i32,
        /// libvirt error domain ([`domains`]).
        domain: i32,
        /// The message.
        message: String,
    },
    /// Any other structural problem found while mapping the XML onto the model (code 27).
    Xml {
        /// Description of the problem.
        message: String,
    },
    /// Serialising the model failed (code 1).
    Serialize {
        /// Description of the problem.
        message: String,
    },
}

impl ConfError {
    /// The libvirt error code (`virErrorNumber`) libvirt reports for the same problem.
    pub fn libvirt_code(&self) -> i32 {
        use codes::*;
        match self {
            ConfError::Malformed { .. } => XML_DETAIL,
            ConfError::WrongRoot { .. }
            | ConfError::MissingMemory
            | ConfError::InvalidValue { .. }
            | ConfError::NameWithSlash { .. }
            | ConfError::InvalidAttr { .. }
            | ConfError::MissingAttr { .. }
            | ConfError::Xml { .. } => XML_ERROR,
            ConfError::Invalid { code, .. } => *code,
            ConfError::MissingDomainType
            | ConfError::MalformedUuid { .. }
            | ConfError::Serialize { .. } => INTERNAL_ERROR,
            ConfError::InvalidDomainType { .. }
            | ConfError::UnknownLifecycleAction { .. }
            | ConfError::UnsupportedLifecycleAction { .. }
            | ConfError::EmptyCpuset { .. }
            | ConfError::Unsupported { .. } => CONFIG_UNSUPPORTED,
            ConfError::MissingName => NO_NAME,
            ConfError::InvalidMemoryUnit { .. } | ConfError::InvalidBitmap { .. } => INVALID_ARG,
            ConfError::MemoryOverflow { .. } => OVERFLOW,
        }
    }

    /// The libvirt error domain (`virErrorDomain`) libvirt reports for the same problem.
    pub fn libvirt_domain(&self) -> i32 {
        match self {
            ConfError::WrongRoot { .. }
            | ConfError::InvalidValue { .. }
            | ConfError::InvalidAttr { .. }
            | ConfError::MissingAttr { .. } => domains::XML,
            ConfError::Invalid { domain, .. } => *domain,
            ConfError::InvalidMemoryUnit { .. }
            | ConfError::MemoryOverflow { .. }
            | ConfError::InvalidBitmap { .. } => domains::NONE,
            _ => domains::DOMAIN,
        }
    }

    /// The message without libvirt's per-code prefix (`"XML error: "` and the like).
    pub fn detail(&self) -> String {
        match self {
            ConfError::Malformed { line, message } => {
                format!("(domain_definition):{line}: {message}")
            }
            ConfError::WrongRoot { found } => {
                format!("expecting root element of 'domain', not '{found}'")
            }
            ConfError::MissingDomainType => "missing domain type attribute".into(),
            ConfError::InvalidDomainType { value } => format!("invalid domain type {value}"),
            ConfError::MissingName => "missing name information".into(),
            ConfError::MalformedUuid { .. } => "malformed uuid element".into(),
            ConfError::MissingMemory => {
                "Memory size must be specified via <memory> or in the <numa> configuration".into()
            }
            ConfError::InvalidValue { xpath, value } => {
                format!("Invalid value '{value}' for element or attribute '{xpath}'")
            }
            ConfError::InvalidMemoryUnit { unit } => format!("unknown suffix '{unit}'"),
            ConfError::MemoryOverflow { value, unit } => format!("value too large: {value}{unit}"),
            ConfError::UnknownLifecycleAction { event, value } => {
                format!("unknown {event} action: {value}")
            }
            ConfError::UnsupportedLifecycleAction { event, action } => {
                format!("Lifecycle event '{event}' doesn't support '{action}' action")
            }
            ConfError::Unsupported { path, kind } => match kind {
                UnsupportedKind::Element => format!("unsupported element <{path}>"),
                UnsupportedKind::Attribute(name) => {
                    format!("unsupported attribute '{name}' on <{path}>")
                }
                UnsupportedKind::Text => format!("unsupported text content in <{path}>"),
            },
            ConfError::InvalidBitmap { value } => format!("Failed to parse bitmap '{value}'"),
            ConfError::EmptyCpuset { value } => format!("Invalid value of 'cpuset': {value}"),
            ConfError::NameWithSlash { name } => format!("name {name} cannot contain '/'"),
            ConfError::InvalidAttr {
                attr,
                element,
                value,
                expected,
            } => format!(
                "Invalid value for attribute '{attr}' in element '{element}': '{value}'.{expected}"
            ),
            ConfError::MissingAttr { attr, element } => {
                format!("Missing required attribute '{attr}' in element '{element}'")
            }
            ConfError::Xml { message }
            | ConfError::Serialize { message }
            | ConfError::Invalid { message, .. } => message.clone(),
        }
    }

    fn prefix(&self) -> &'static str {
        match self.libvirt_code() {
            codes::INTERNAL_ERROR => "internal error: ",
            codes::INVALID_ARG => "invalid argument: ",
            codes::XML_ERROR => "XML error: ",
            codes::CONFIG_UNSUPPORTED => "unsupported configuration: ",
            codes::OVERFLOW => "numerical overflow: ",
            codes::OPERATION_UNSUPPORTED => "Operation not supported: ",
            codes::XML_INVALID_SCHEMA => "XML document failed to validate against schema: ",
            // VIR_ERR_NO_NAME and VIR_ERR_XML_DETAIL carry their text unprefixed.
            _ => "",
        }
    }
}

impl fmt::Display for ConfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.prefix(), self.detail())
    }
}

impl std::error::Error for ConfError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_prefixes() {
        let cases: Vec<(ConfError, i32, &str)> = vec![
            (
                ConfError::Malformed {
                    line: 3,
                    message: "boom".into(),
                },
                35,
                "(domain_definition):3: boom",
            ),
            (
                ConfError::MissingMemory,
                27,
                "XML error: Memory size must be specified via <memory> or in the <numa> configuration",
            ),
            (ConfError::MissingName, 21, "missing name information"),
            (
                ConfError::MissingDomainType,
                1,
                "internal error: missing domain type attribute",
            ),
            (
                ConfError::MemoryOverflow {
                    value: 5,
                    unit: "E".into(),
                },
                82,
                "numerical overflow: value too large: 5E",
            ),
            (
                ConfError::Unsupported {
                    path: "domain/foo".into(),
                    kind: UnsupportedKind::Text,
                },
                67,
                "unsupported configuration: unsupported text content in <domain/foo>",
            ),
        ];
        for (e, code, msg) in cases {
            assert_eq!(e.libvirt_code(), code, "{e:?}");
            assert_eq!(e.to_string(), msg);
        }
    }
}
