//! nnzip's streaming types in a program: `nnzip::Encoder` (a `Write`) and
//! `nnzip::Decoder` (a `Read`) between standard input and standard output.
//!
//! `cargo run --release --example stream -- c [fast|default|max] < in > out.nnz`
//! compresses, `cargo run --release --example stream -- d < out.nnz > in` decompresses
//! (`.nnz` or `.Z`; a damaged `.nnz` stream is reported as nnzip's error).

use nnzip::{Codec, Decoder, Encoder, Preset};
use std::io::{self, Read, Write};
use std::process::ExitCode;

fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let stdin = io::stdin().lock();
    let stdout = io::BufWriter::new(io::stdout().lock());
    match args.first().map(String::as_str) {
        Some("c") => {
            let name = args.get(1).map_or("default", String::as_str);
            let preset = Preset::from_name(name).ok_or(format!("unknown preset {name}"))?;
            let mut enc = Encoder::with_codec(stdout, &Codec::Neural(preset.config()))?;
            io::copy(&mut io::BufReader::new(stdin), &mut enc)?;
            enc.finish()?.flush()?;
        }
        Some("d") => {
            let mut dec = Decoder::new(stdin)?;
            let mut out = stdout;
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = dec.read(&mut buf).map_err(|e| {
                    // Invalid data carries nnzip's own error inside the io::Error.
                    match e.get_ref().and_then(|i| i.downcast_ref::<nnzip::Error>()) {
                        Some(inner) => format!("invalid stream: {inner}"),
                        None => e.to_string(),
                    }
                })?;
                if n == 0 {
                    break;
                }
                out.write_all(&buf[..n])?;
            }
            out.flush()?;
        }
        _ => return Err("usage: stream c [fast|default|max] | stream d".into()),
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stream: {e}");
            ExitCode::FAILURE
        }
    }
}
