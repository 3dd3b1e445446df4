//! `ikev2-decode`: print the IKE messages (and ESP packets, NAT-keepalives)
//! of pcap/pcapng captures, as text or as JSON lines.
//!
//! ```text
//! ikev2-decode [--json] [--ikev2-keys FILE] [--esp-keys FILE] [FILE...]
//! ```
//!
//! With no FILE, decodes the capture embedded in the program (Wireshark wiki
//! "IPsec Example 2") with the key tables that come with it.

use std::io::Write;
use std::process::ExitCode;

use ikev2_examples::decode::{render_text, Body, Decoder, Record};
use ikev2_examples::keys::{EspKeyTable, Ikev2KeyTable};
use ikev2_examples::openers::{EspDescriber, Ikev2Opener};
use ikev2_examples::{Error, DEFAULT_CAPTURE, DEFAULT_ESP_KEYS, DEFAULT_IKEV2_KEYS};

const USAGE: &str = "\
usage: ikev2-decode [--json] [--ikev2-keys FILE] [--esp-keys FILE] [FILE...]

Prints every IKE message (IKEv2 decoded, IKEv1 recognised), ESP packet and
NAT-keepalive on UDP 500/4500 in pcap/pcapng captures.
With no FILE, decodes the embedded sample capture (Wireshark wiki
\"IPsec Example 2\") with its key tables.

  --json              one JSON object per line
  --ikev2-keys FILE   Wireshark ikev2_decryption_table (strongSwan save-keys)
  --esp-keys FILE     Wireshark esp_sa table
  -h, --help          this text";

struct Args {
    json: bool,
    ikev2_keys: Option<String>,
    esp_keys: Option<String>,
    files: Vec<String>,
}

fn parse_args() -> Result<Option<Args>, lexopt::Error> {
    use lexopt::prelude::*;
    let mut args = Args {
        json: false,
        ikev2_keys: None,
        esp_keys: None,
        files: Vec::new(),
    };
    let mut p = lexopt::Parser::from_env();
    while let Some(arg) = p.next()? {
        match arg {
            Long("json") => args.json = true,
            Long("ikev2-keys") => args.ikev2_keys = Some(p.value()?.string()?),
            Long("esp-keys") => args.esp_keys = Some(p.value()?.string()?),
            Short('h') | Long("help") => return Ok(None),
            Value(v) => args.files.push(v.string()?),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Some(args))
}

fn read(path: &str) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })
}

fn read_text(path: &str) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })
}

fn run(args: &Args) -> Result<(), Error> {
    let embedded = args.files.is_empty();
    let ikev2_keys = match (&args.ikev2_keys, embedded) {
        (Some(p), _) => Some(Ikev2KeyTable::parse(&read_text(p)?)?),
        (None, true) => Some(Ikev2KeyTable::parse(DEFAULT_IKEV2_KEYS)?),
        (None, false) => None,
    };
    let esp_keys = match (&args.esp_keys, embedded) {
        (Some(p), _) => Some(EspKeyTable::parse(&read_text(p)?)?),
        (None, true) => Some(EspKeyTable::parse(DEFAULT_ESP_KEYS)?),
        (None, false) => None,
    };
    let mut decoder = Decoder::new();
    if let Some(k) = ikev2_keys {
        decoder = decoder
            .with_opener(Box::new(Ikev2Opener::new(k.clone())))
            .with_ikev2_keys(k);
    }
    if let Some(k) = esp_keys {
        decoder = decoder
            .with_esp_opener(Box::new(EspDescriber::new()))
            .with_esp_keys(k);
    }
    let inputs: Vec<(String, Vec<u8>)> = if embedded {
        vec![(
            "(embedded sample capture)".to_owned(),
            DEFAULT_CAPTURE.to_vec(),
        )]
    } else {
        args.files
            .iter()
            .map(|f| Ok((f.clone(), read(f)?)))
            .collect::<Result<_, Error>>()?
    };
    let mut all = Tally::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (name, data) in &inputs {
        if !args.json && inputs.len() > 1 {
            let _ = writeln!(out, "== {name}");
        }
        let records = decoder.decode_capture(data)?;
        for r in &records {
            all.count(r);
            let line = if args.json {
                serde_json::to_string(r).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
            } else {
                render_text(r)
            };
            if writeln!(out, "{line}").is_err() {
                // Reader went away (e.g. `| head`): stop quietly.
                return Ok(());
            }
        }
    }
    let _ = out.flush();
    if !args.json {
        eprintln!(
            "{} IKEv2 messages ({} malformed), {} IKEv1, {} ESP, {} NAT-keepalives, {} undecodable",
            all.ikev2, all.malformed, all.ikev1, all.esp, all.keepalive, all.error
        );
    }
    Ok(())
}

/// Record counts for the closing summary line.
#[derive(Default)]
struct Tally {
    ikev2: usize,
    malformed: usize,
    ikev1: usize,
    esp: usize,
    keepalive: usize,
    error: usize,
}

impl Tally {
    fn count(&mut self, r: &Record) {
        match &r.body {
            Body::Ikev2(m) => {
                self.ikev2 += 1;
                self.malformed += usize::from(m.error.is_some());
            }
            Body::Ikev1(_) => self.ikev1 += 1,
            Body::Esp(_) => self.esp += 1,
            Body::NatKeepalive => self.keepalive += 1,
            _ => self.error += 1,
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("ikev2-decode: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ikev2-decode: {e}");
            ExitCode::FAILURE
        }
    }
}
