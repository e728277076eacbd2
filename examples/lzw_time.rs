//! Compresses or decompresses one file to another through nnzip's `.Z` streams, for
//! timing against `compress`/`compress -d` with hyperfine.
//!
//! Usage: `lzw_time c|d INPUT OUTPUT [MAX_BITS]` (`-` for stdin/stdout).

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

fn open_in(path: &str) -> io::Result<Box<dyn Read>> {
    Ok(if path == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(path)?)
    })
}

fn open_out(path: &str) -> io::Result<Box<dyn Write>> {
    Ok(if path == "-" {
        Box::new(io::stdout().lock())
    } else {
        Box::new(File::create(path)?)
    })
}

fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let [mode, inp, out, rest @ ..] = args else {
        return Err("usage: lzw_time c|d INPUT OUTPUT [MAX_BITS]".into());
    };
    let input = open_in(inp)?;
    let output = open_out(out)?;
    match mode.as_str() {
        "c" => {
            let max_bits = match rest.first() {
                Some(b) => b.parse()?,
                None => 16,
            };
            let mut enc = nnzip::lzw::LzwEncoder::new(output, max_bits)?;
            let mut input = input;
            io::copy(&mut input, &mut enc)?;
            enc.finish()?.flush()?;
        }
        "d" => {
            let mut w = BufWriter::with_capacity(64 * 1024, output);
            nnzip::lzw::decode_all(input, &mut w)?;
            w.flush()?;
        }
        _ => return Err(format!("unknown mode {mode:?} (c or d)").into()),
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lzw_time: {e}");
            ExitCode::FAILURE
        }
    }
}
