//! `<audio>` → `-audiodev`, `<sound>` → the sound card's `-device` and its HDA codecs
//! (libvirt's `qemuBuildAudioCommandLine` and `qemuBuildSoundCommandLine`).

use rvirt_core::Result;
use rvirt_core::conf::{Audio, Device, DomainDef, Sound, SoundModel};
use serde_json::json;

use super::unsupported;

/// QEMU's `-audiodev` driver for a libvirt `<audio type=…>`.
fn audio_driver(audio_type: &str) -> Option<&'static str> {
    Some(match audio_type {
        "none" => "none",
        "spice" => "spice",
        _ => return None,
    })
}

/// The `-audiodev` id of `<audio id=N>`.
fn audiodev_id(id: u32) -> String {
    format!("audio{id}")
}

/// Pushes every `<audio>` as `-audiodev` and every `<sound>` as its card (and the
/// card's codecs on HDA), each tied to its `<audio>` (default: the first one).
pub(super) fn push_sound(def: &DomainDef, args: &mut Vec<String>) -> Result<()> {
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
        push_card(s, n, &audios, args)?;
    }
    Ok(())
}

fn push_card(s: &Sound, n: usize, audios: &[&Audio], args: &mut Vec<String>) -> Result<()> {
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
        args.push(json!({"driver": driver, "id": id, "audiodev": audiodev}).to_string());
        return Ok(());
    }
    args.push(json!({"driver": driver, "id": id}).to_string());
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
