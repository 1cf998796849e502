//! `virDomainSetIOThreadParams` (`virsh iothreadset`) as libvirt 9.0's QEMU driver does
//! it: an I/O thread's adaptive polling (`poll_max_ns`, `poll_grow`, `poll_shrink`) and
//! worker pool bounds (`thread_pool_min`, `thread_pool_max`) set live on QEMU's
//! `iothreadN` object (`qom-set`), the pool bounds also kept in `<iothreadids>` of the
//! live or persistent definition. Polling is live only ("configuring persistent polling
//! values is not supported"); the checks and their words are libvirt's.

use rvirt_core::api::{TypedParam, TypedValue, validate_params};
use rvirt_core::conf::{DomainDef, Iothread};
use rvirt_core::objects::{impact, iothread_ids, set_iothread_ids};
use rvirt_core::{Error, ErrorCode, ErrorDomain, Result};
use serde_json::json;

use super::{persistent_mut, save_config, touch_status};
use crate::driver::instance::{Entry, Shared};
use crate::driver::start::MONITOR_TIMEOUT;

/// The parameters and their types.
const PARAMS: [(&str, &str); 5] = [
    ("poll_max_ns", "ullong"),
    ("poll_grow", "uint"),
    ("poll_shrink", "uint"),
    ("thread_pool_min", "int"),
    ("thread_pool_max", "int"),
];
/// The largest polling value QEMU takes.
const POLL_MAX: u64 = i32::MAX as u64;

/// What a call sets.
#[derive(Debug, Default, PartialEq)]
struct Tuning {
    /// QEMU property and value of each polling parameter given.
    poll: Vec<(&'static str, u64)>,
    pool_min: Option<i32>,
    pool_max: Option<i32>,
}

fn unsupported_config(message: String) -> Error {
    Error::new(ErrorCode::ConfigUnsupported, ErrorDomain::Qemu, message)
}

fn invalid_op(message: String) -> Error {
    Error::operation_invalid(ErrorDomain::Qemu, message)
}

/// `params`, checked as libvirt checks them before looking at the domain.
fn parse(params: &[TypedParam]) -> Result<Tuning> {
    validate_params(params, &PARAMS, ErrorDomain::Qemu)?;
    let mut t = Tuning::default();
    for p in params {
        let poll = |prop: &'static str, v: u64| {
            if v > POLL_MAX {
                return Err(unsupported_config(format!(
                    "{prop} ({v}) must be less than or equal to {POLL_MAX}"
                )));
            }
            Ok((prop, v))
        };
        match (p.field.as_str(), &p.value) {
            ("poll_max_ns", TypedValue::ULLong(v)) => t.poll.push(poll("poll-max-ns", *v)?),
            ("poll_grow", TypedValue::UInt(v)) => t.poll.push(poll("poll-grow", (*v).into())?),
            ("poll_shrink", TypedValue::UInt(v)) => t.poll.push(poll("poll-shrink", (*v).into())?),
            ("thread_pool_min", TypedValue::Int(v)) => {
                if *v < -1 {
                    return Err(unsupported_config(format!(
                        "thread_pool_min ({v}) must be equal to or greater than -1"
                    )));
                }
                t.pool_min = Some(*v);
            }
            ("thread_pool_max", TypedValue::Int(v)) => {
                if *v < -1 || *v == 0 {
                    return Err(unsupported_config(format!(
                        "thread_pool_max ({v}) must be a positive number or -1"
                    )));
                }
                t.pool_max = Some(*v);
            }
            _ => {}
        }
    }
    Ok(t)
}

/// Thread `id` of `def` (made explicit in `<iothreadids>` if only counted), or
/// libvirt's "cannot find IOThread".
fn thread_mut(def: &mut DomainDef, id: u32) -> Result<&mut Iothread> {
    let ids = iothread_ids(def);
    if !ids.contains(&id) {
        return Err(Error::invalid_arg(
            ErrorDomain::Qemu,
            format!("cannot find IOThread '{id}' in iothreadids"),
        ));
    }
    if def
        .iothreadids
        .as_ref()
        .is_none_or(|t| t.iothreads.is_empty())
    {
        set_iothread_ids(def, ids);
    }
    def.iothreadids
        .as_mut()
        .and_then(|t| t.iothreads.iter_mut().find(|t| t.id == id))
        .ok_or_else(|| Error::internal(ErrorDomain::Qemu, format!("IOThread '{id}' vanished")))
}

/// The pool bounds thread `id` of `def` would have after `t`, refused when the minimum
/// exceeds the maximum.
fn merged_pool(def: &mut DomainDef, id: u32, t: &Tuning) -> Result<(Option<i32>, Option<i32>)> {
    let thread = thread_mut(def, id)?;
    let min = t.pool_min.or(thread.thread_pool_min);
    let max = t.pool_max.or(thread.thread_pool_max);
    if let (Some(lo), Some(hi)) = (min, max)
        && hi != -1
        && lo > hi
    {
        return Err(invalid_op(format!(
            "thread_pool_min ({lo}) can't be greater than thread_pool_max ({hi})"
        )));
    }
    Ok((min, max))
}

/// Writes the pool bounds of `t` into thread `id` of `def`.
fn keep_pool(def: &mut DomainDef, id: u32, t: &Tuning) -> Result<()> {
    let thread = thread_mut(def, id)?;
    if let Some(v) = t.pool_min {
        thread.thread_pool_min = Some(v);
    }
    if let Some(v) = t.pool_max {
        thread.thread_pool_max = Some(v);
    }
    Ok(())
}

impl Shared {
    /// `virDomainSetIOThreadParams` of thread `id`.
    pub(crate) fn set_iothread_params(
        &self,
        entry: &Entry,
        id: u32,
        params: &[TypedParam],
        flags: u32,
    ) -> Result<()> {
        let t = parse(params)?;
        let job = entry.begin_job("virDomainSetIOThreadParams")?;
        let (live, config, mon) = {
            let mut vm = job.lock();
            let (live, config) = impact(&vm, flags)?;
            if live {
                for (name, v) in [
                    ("thread_pool_min", t.pool_min),
                    ("thread_pool_max", t.pool_max),
                ] {
                    if let Some(v) = v.filter(|v| *v < 0) {
                        return Err(invalid_op(format!(
                            "{name} ({v}) must be equal to or greater than 0 for live change"
                        )));
                    }
                }
                merged_pool(&mut vm.def.clone(), id, &t)?;
            }
            if config {
                if !t.poll.is_empty() {
                    return Err(Error::new(
                        ErrorCode::OperationUnsupported,
                        ErrorDomain::Qemu,
                        "configuring persistent polling values is not supported",
                    ));
                }
                merged_pool(&mut persistent_mut(&mut vm).clone(), id, &t)?;
            }
            let mon = live
                .then(|| crate::driver::running::running_monitor(&vm))
                .transpose()?;
            (live, config, mon)
        };
        if let Some(mon) = &mon {
            // QEMU answers while the domain is unlocked (its events need the lock).
            let path = format!("/objects/iothread{id}");
            let pool = [
                ("thread-pool-min", t.pool_min.map(i64::from)),
                ("thread-pool-max", t.pool_max.map(i64::from)),
            ];
            let sets = t
                .poll
                .iter()
                .map(|(p, v)| (*p, json!(v)))
                .chain(pool.iter().filter_map(|(p, v)| Some((*p, json!((*v)?)))));
            for (property, value) in sets {
                mon.call(
                    "qom-set",
                    Some(json!({"path": path, "property": property, "value": value})),
                    MONITOR_TIMEOUT,
                )?;
            }
        }
        let mut vm = job.lock();
        if live {
            keep_pool(&mut vm.def, id, &t)?;
            touch_status(&mut vm);
        }
        if config {
            let mut def = persistent_mut(&mut vm).clone();
            keep_pool(&mut def, id, &t)?;
            save_config(self, &def)?;
            *persistent_mut(&mut vm) = def;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(field: &str, value: TypedValue) -> TypedParam {
        TypedParam::new(field, value)
    }

    #[test]
    fn params_are_checked_in_libvirts_words() {
        let t = parse(&[
            p("poll_max_ns", TypedValue::ULLong(2000)),
            p("poll_grow", TypedValue::UInt(2)),
            p("thread_pool_max", TypedValue::Int(4)),
        ])
        .unwrap();
        assert_eq!(t.poll, [("poll-max-ns", 2000), ("poll-grow", 2)]);
        assert_eq!((t.pool_min, t.pool_max), (None, Some(4)));
        let e = parse(&[p("poll_max_ns", TypedValue::ULLong(99_999_999_999_999))]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unsupported configuration: poll-max-ns (99999999999999) must be less than or equal to 2147483647"
        );
        let e = parse(&[p("thread_pool_max", TypedValue::Int(0))]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unsupported configuration: thread_pool_max (0) must be a positive number or -1"
        );
        let e = parse(&[p("aio_max_batch", TypedValue::ULLong(1))]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ArgumentUnsupported);
    }

    #[test]
    fn pool_bounds_merge_with_the_threads_own() {
        let mut def = DomainDef::from_xml(
            "<domain type='qemu'><name>g</name><memory>65536</memory>\
             <iothreads>2</iothreads><os><type>hvm</type></os></domain>",
        )
        .unwrap();
        let t = parse(&[p("thread_pool_max", TypedValue::Int(2))]).unwrap();
        keep_pool(&mut def, 2, &t).unwrap();
        let xml = def.to_xml().unwrap();
        assert!(
            xml.contains("<iothread id='2' thread_pool_max='2'/>"),
            "{xml}"
        );
        assert!(xml.contains("<iothread id='1'/>"), "{xml}");
        let t = parse(&[p("thread_pool_min", TypedValue::Int(5))]).unwrap();
        let e = merged_pool(&mut def, 2, &t).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Requested operation is not valid: thread_pool_min (5) can't be greater than thread_pool_max (2)"
        );
        assert!(merged_pool(&mut def, 1, &t).is_ok());
        let e = merged_pool(&mut def, 7, &t).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid argument: cannot find IOThread '7' in iothreadids"
        );
    }
}
