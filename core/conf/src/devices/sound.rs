//! `<sound>` (emulated sound cards) and `<audio>` (host audio backends).

use super::common::{Acpi, Address, Alias};
use crate::xml::{Element, Extra};

string_enum! {
    /// `<sound model=…>`.
    pub enum SoundModel ("sound model") {
        /// SoundBlaster 16.
        Sb16 = "sb16",
        /// Ensoniq ES1370.
        Es1370 = "es1370",
        /// PC speaker.
        Pcspk = "pcspk",
        /// AC97.
        Ac97 = "ac97",
        /// Intel HDA (ICH6).
        Ich6 = "ich6",
        /// Intel HDA (ICH9).
        Ich9 = "ich9",
        /// USB audio.
        Usb = "usb",
        /// Intel HDA (ICH7).
        Ich7 = "ich7",
    }
}

xml_struct! {
    /// `<sound>`.
    pub struct Sound {
        /// `model`.
        attr_req model: SoundModel = "model",
        /// `<codec type=…/>` elements (HDA).
        children codecs: Element = "codec",
        /// `<audio id=…/>`: the `<audio>` backend used.
        child audio: Element = "audio",
        /// `<alias>`.
        child alias: Alias = "alias",
        /// `<acpi>`.
        child acpi: Acpi = "acpi",
        /// `<address>`.
        child address: Address = "address",
    }
}

impl Sound {
    /// A sound card of `model`.
    pub fn new(model: SoundModel) -> Sound {
        Sound {
            model,
            codecs: Vec::new(),
            audio: None,
            alias: None,
            acpi: None,
            address: None,
            extra: Extra::default(),
        }
    }
}

xml_struct! {
    /// `<audio>`: a host audio backend that sound cards and displays use.
    #[derive(Default)]
    pub struct Audio {
        /// `id`, referenced by `<sound><audio id=…/>`.
        attr id: u32 = "id",
        /// `type` (`none`, `alsa`, `pulseaudio`, `spice`, `file`, …).
        attr_req audio_type: String = "type",
        /// `timerPeriod`.
        attr timer_period: u32 = "timerPeriod",
        /// `path` (file).
        attr path: String = "path",
        /// `<input>`.
        child input: Element = "input",
        /// `<output>`.
        child output: Element = "output",
    }
}

impl Audio {
    /// An audio backend `audio_type` with `id`.
    pub fn new(id: u32, audio_type: impl Into<String>) -> Audio {
        Audio {
            id: Some(id),
            audio_type: audio_type.into(),
            ..Audio::default()
        }
    }
}
