//! `<audio>` → `-audiodev`, `<sound>` → the sound card's `-device` and its HDA codecs
//! (libvirt's `qemuBuildAudioCommandLine` and `qemuBuildSoundCommandLine`).

use rvirt_core::Result;
use rvirt_core::conf::{Audio, Device, DomainDef, Sound, SoundModel};
use serde_json::json;

use super::pci::PciBuses;
use super::unsupported;

/// QEMU's `-audiodev` driver for a libvirt `<audio type=…>`.
fn audio_driver(audio_type: &str) -> Option<&'static str> {
    Some(match audio_type {
        "none" => "none",
        "spice" => "spice",
        _ => return None,
    })
}

/// libvirt's default audio backend for a definition with sound cards and no
/// `<audio>`: SPICE's when the first graphics is SPICE, else none (the host's audio
/// stays out of reach, as with libvirt's default `vnc_allow_host_audio = 0`). Added
/// at define, so `dumpxml` shows it as libvirt's does.
pub(crate) fn add_default_audio(def: &mut DomainDef) {
    let devices = def.devices();
    let has_sound = devices.iter().any(|d| matches!(d, Device::Sound(_)));
    let has_audio = devices.iter().any(|d| matches!(d, Device::Audio(_)));
    if !has_sound || has_audio {
        return;
    }
    let spice = devices.iter().find_map(|d| match d {
        Device::Graphics(g) => Some(g.graphics_type == rvirt_core::conf::GraphicsType::Spice),
        _ => None,
    });
    let audio_type = if spice == Some(true) { "spice" } else { "none" };
    let audio = Audio {
        id: Some(1),
        audio_type: audio_type.to_owned(),
        ..Audio::default()
    };
    let devices = def.devices_mut();
    // After the sound cards and before what follows them, as libvirt orders devices.
    let at = devices
        .iter()
        .rposition(|d| matches!(d, Device::Sound(_)))
        .map_or(devices.len(), |i| i + 1);
    devices.insert(at, Device::Audio(audio));
}

/// The `-audiodev` id of `<audio id=N>`.
fn audiodev_id(id: u32) -> String {
    format!("audio{id}")
}

/// Pushes every `<audio>` as `-audiodev` and every `<sound>` as its card (and the
/// card's codecs on HDA), each tied to its `<audio>` (default: the first one).
pub(super) fn push_sound(def: &DomainDef, machine: &str, args: &mut Vec<String>) -> Result<()> {
    let audios: Vec<&Audio> = def
        .devices()
        .iter()
        .filter_map(|d| match d {
            Device::Audio(a) => Some(a),
            _ => None,
        })
        .collect();
    for a in &audios {
        let driver = audio_driver(&a.audio_type).ok_or_else(|| {
            unsupported(format!(
                "audio type '{}' is not supported yet",
                a.audio_type
            ))
        })?;
        if a.timer_period.is_some() || a.input.is_some() || a.output.is_some() {
            return Err(unsupported(
                "audio timer periods and input/output settings are not supported yet",
            ));
        }
        let id =
            a.id.ok_or_else(|| unsupported("an <audio> without an id is not supported"))?;
        args.push("-audiodev".into());
        args.push(json!({"id": audiodev_id(id), "driver": driver}).to_string());
    }
    let sounds = def.devices().iter().filter_map(|d| match d {
        Device::Sound(s) => Some(s),
        _ => None,
    });
    for (n, s) in sounds.enumerate() {
        push_card(s, n, &audios, &PciBuses::new(def, machine), args)?;
    }
    Ok(())
}

fn push_card(
    s: &Sound,
    n: usize,
    audios: &[&Audio],
    buses: &PciBuses,
    args: &mut Vec<String>,
) -> Result<()> {
    let audio = match s.audio.as_ref().map(|a| a.attr("id")) {
        Some(Some(id)) => {
            let id: u32 = id
                .parse()
                .map_err(|_| unsupported(format!("sound audio id '{id}' is not a number")))?;
            if !audios.iter().any(|a| a.id == Some(id)) {
                return Err(unsupported(format!("no <audio id='{id}'> for <sound>")));
            }
            id
        }
        Some(None) => return Err(unsupported("<sound><audio> needs an id")),
        None => audios
            .first()
            .and_then(|a| a.id)
            .ok_or_else(|| unsupported("<sound> needs an <audio> backend"))?,
    };
    let audiodev = audiodev_id(audio);
    let id = format!("sound{n}");
    let (driver, hda) = match s.model {
        SoundModel::Ich6 => ("intel-hda", true),
        SoundModel::Ich9 => ("ich9-intel-hda", true),
        SoundModel::Ac97 => ("AC97", false),
        SoundModel::Es1370 => ("ES1370", false),
        other => {
            return Err(unsupported(format!(
                "sound model '{other}' is not supported yet"
            )));
        }
    };
    args.push("-device".into());
    if !hda {
        if !s.codecs.is_empty() {
            return Err(unsupported(format!(
                "sound model '{}' has no codecs",
                s.model
            )));
        }
        let mut dev = json!({"driver": driver, "id": id, "audiodev": audiodev});
        buses.place(s.address.as_ref(), &mut dev)?;
        args.push(dev.to_string());
        return Ok(());
    }
    let mut dev = json!({"driver": driver, "id": id});
    buses.place(s.address.as_ref(), &mut dev)?;
    args.push(dev.to_string());
    let mut codecs = Vec::new();
    for c in &s.codecs {
        codecs.push(match c.attr("type").unwrap_or("duplex") {
            "duplex" => "hda-duplex",
            "micro" => "hda-micro",
            "output" => "hda-output",
            other => {
                return Err(unsupported(format!(
                    "sound codec type '{other}' is not supported yet"
                )));
            }
        });
    }
    if codecs.is_empty() {
        codecs.push("hda-duplex");
    }
    for (cad, codec) in codecs.into_iter().enumerate() {
        args.push("-device".into());
        args.push(
            json!({"driver": codec, "id": format!("{id}-codec{cad}"), "bus": format!("{id}.0"),
                   "cad": cad, "audiodev": audiodev})
            .to_string(),
        );
    }
    Ok(())
}
