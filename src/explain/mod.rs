//! `nnzip explain`: see the network think. Runs the model over (the start of) a file
//! exactly as the encoder does and records, per byte, what it cost, what the model
//! expected instead and what its hidden units did; [`html::render`] turns that into
//! one self-contained HTML page (no network access, no external scripts or fonts).
//!
//! What the page can promise, and how it is checked:
//! * a byte's nnzip cost is `-log2 p` summed over its 8 bits with the probabilities the
//!   encoder codes with, so the costs add up to the range coder's payload (tested);
//! * a byte's LZW cost is its share of the `.Z` code that covers it
//!   ([`lzw_trace::lzw_costs`]), adding up to the `.Z` file without its header;
//! * the three guesses come from read-only looks ([`crate::model::peek`]) taken at
//!   the start of the byte: exact for the first bit, approximate deeper down (the
//!   coded path has learned the byte's earlier bits by then), as the page says.
//!
//! Big files: only the first `--max-bytes` bytes are explained (the page says so),
//! which keeps the page at about 40 bytes per explained byte.

pub mod html;
pub mod lzw_trace;

use crate::api::{compress_bytes, Codec};
use crate::coder::Encoder;
use crate::error::{Error, Result};
use crate::model::peek::Peeker;
use crate::model::{Activation, ModelConfig, Predictor, Preset};
use std::path::PathBuf;
use std::time::Instant;

/// Default of `--max-bytes`: 32 KiB give a page of about 1.3 MB that a browser
/// shows at once.
pub const DEFAULT_MAX_BYTES: usize = 32 * 1024;

/// Hidden units shown with their strongest and silent snippets ("a handful").
pub const UNITS_SHOWN: usize = 8;

/// Most nodes of the bit tree looked at per byte for the three guesses: enough for
/// an exact top three almost always (a confident model needs about 10-30 looks).
pub const MAX_LOOKS: usize = 96;

/// Write an HTML page that shows what the network did on FILE: every byte coloured by
/// the bits nnzip spent on it (or LZW, by a toggle), the model's three best guesses on
/// hover, the learning curve, the biggest surprises and the longest free stretches, and
/// what the hidden units learned. Only the first --max-bytes bytes are explained.
#[derive(Debug, Clone, clap::Args)]
pub struct ExplainArgs {
    /// The file to explain.
    pub file: PathBuf,

    /// Where to write the HTML page.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: PathBuf,

    /// Overwrite OUT if it exists.
    #[arg(short = 'f', long = "force")]
    pub force: bool,

    /// Explain at most this many bytes from the start of FILE (the page grows by
    /// about 40 bytes per byte explained).
    #[arg(long, default_value_t = DEFAULT_MAX_BYTES, value_name = "BYTES")]
    pub max_bytes: usize,

    /// Preset (fast, default, max) that gives the model.
    #[arg(long, value_name = "PRESET", value_parser = parse_preset, default_value = "default")]
    pub preset: Preset,

    /// Hidden activation (relu, linear, leaky, tanh, sigmoid) instead of the preset's.
    #[arg(long, value_parser = parse_activation)]
    pub activation: Option<Activation>,

    /// Hidden width instead of the preset's.
    #[arg(long, value_name = "N")]
    pub hidden: Option<u16>,

    /// Hidden layers (0 to 2) instead of the preset's (the fast preset has none, so
    /// it has no units to show; --hidden or --activation alone gives it one).
    #[arg(long, value_name = "N")]
    pub layers: Option<u8>,
}

fn parse_preset(s: &str) -> std::result::Result<Preset, String> {
    Preset::from_name(s).ok_or_else(|| format!("unknown preset {s:?} (fast, default, max)"))
}

fn parse_activation(s: &str) -> std::result::Result<Activation, String> {
    Activation::from_name(s)
        .ok_or_else(|| format!("unknown activation {s:?} (relu, linear, leaky, tanh, sigmoid)"))
}

/// Everything recorded about one run, per byte where it says so.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// Name of the file shown on the page.
    pub name: String,
    /// Length of the whole file.
    pub file_len: u64,
    /// The bytes explained (the start of the file).
    pub text: Vec<u8>,
    /// The model configuration (fitted to the explained length, as `compress` does).
    pub config: ModelConfig,
    /// Per byte: bits nnzip spent (`-log2 p` over its 8 bits).
    pub nn_bits: Vec<f32>,
    /// Per byte: bits LZW spent (its share of its code).
    pub lzw_bits: Vec<f32>,
    /// Range coder payload of the explained bytes, in bytes.
    pub payload_bytes: u64,
    /// The `.nnz` file of the explained bytes (header, frame and CRC included).
    pub nnz_bytes: u64,
    /// The `.Z` file of the explained bytes (16-bit codes, header included).
    pub lzw_bytes: u64,
    /// Per byte: the three most likely bytes by the looks, `(byte, probability)`.
    pub guesses: Vec<[(u8, f32); 3]>,
    /// Bytes whose guess search finished within [`MAX_LOOKS`] (exact top three).
    pub guesses_complete: usize,
    /// Hidden units (all layers).
    pub units: usize,
    /// The hidden activation.
    pub activation: Activation,
    /// Byte-major, `units` per byte: each unit's output averaged over the byte's bits.
    pub unit_out: Vec<f32>,
    /// Byte-major, `units` per byte: each unit's input (pre-activation), averaged.
    pub unit_pre: Vec<f32>,
    /// Per byte: fraction of the hidden units active
    /// ([`Activation::is_active`]) over its 8 bit predictions.
    pub active: Vec<f32>,
    /// Seconds the explaining run took.
    pub secs: f64,
}

/// Runs the model configured by `cfg` over the first `max_bytes` of `data` (a file
/// named `name` of `file_len` bytes) and records what [`Explanation`] holds. Bytes
/// are coded as their eight bits ([`ModelConfig::text_codes`] is turned off).
///
/// # Errors
/// [`Error::InvalidConfig`] if `cfg` is out of range; any error of compressing the
/// explained bytes once more to measure the `.nnz` file.
pub fn explain(
    name: &str,
    data: &[u8],
    file_len: u64,
    cfg: &ModelConfig,
    max_bytes: usize,
) -> Result<Explanation> {
    let t0 = Instant::now();
    let text = &data[..data.len().min(max_bytes)];
    // The looks at the next byte walk its eight bits: explain codes every byte in the
    // plain tree, also for a preset that would code text in a tree of its own.
    let config = ModelConfig {
        text_codes: false,
        ..cfg.fitted(Some(text.len() as u64))
    };
    let mut p = Predictor::new(&config)?;
    let mut peek = Peeker::new(&p);
    let mut enc = Encoder::new();
    let layers = usize::from(config.layers);
    let width = p.hidden_width();
    let units = width * layers;
    let act = p.activation();
    let n = text.len();
    let mut e = Explanation {
        name: name.to_string(),
        file_len,
        text: text.to_vec(),
        config: config.clone(),
        nn_bits: Vec::with_capacity(n),
        lzw_bits: Vec::new(),
        payload_bytes: 0,
        nnz_bytes: 0,
        lzw_bytes: 0,
        guesses: Vec::with_capacity(n),
        guesses_complete: 0,
        units,
        activation: act,
        unit_out: vec![0.0; n * units],
        unit_pre: vec![0.0; n * units],
        active: Vec::with_capacity(n),
        secs: 0.0,
    };
    for (i, &c) in text.iter().enumerate() {
        let g = peek.top_bytes(&p, 3, MAX_LOOKS);
        e.guesses_complete += usize::from(g.complete);
        let mut three = [(0u8, 0f32); 3];
        for (t, &(b, q)) in three.iter_mut().zip(&g.bytes) {
            *t = (b, q as f32);
        }
        e.guesses.push(three);
        let mut cost = 0f64;
        let mut active = 0usize;
        let out = &mut e.unit_out[i * units..(i + 1) * units];
        let pre = &mut e.unit_pre[i * units..(i + 1) * units];
        for k in (0..8).rev() {
            let bit = (c >> k) & 1;
            let q = p.p1();
            let pr = if bit == 1 { q } else { 65536 - q };
            cost -= (f64::from(pr) / 65536.0).log2();
            for layer in 0..layers {
                let (h_pre, h_out) = p.hidden(layer);
                let o = &mut out[layer * width..(layer + 1) * width];
                let r = &mut pre[layer * width..(layer + 1) * width];
                for (((o, r), &hp), &ho) in o.iter_mut().zip(r).zip(h_pre).zip(h_out) {
                    *o += ho * 0.125;
                    *r += hp * 0.125;
                    active += usize::from(act.is_active(ho));
                }
            }
            enc.encode_bit(q, bit != 0);
            p.update(bit);
        }
        e.nn_bits.push(cost as f32);
        e.active.push(if units == 0 {
            0.0
        } else {
            active as f32 / (8 * units) as f32
        });
    }
    e.payload_bytes = enc.finish().len() as u64;
    e.nnz_bytes = compress_bytes(text, &Codec::Neural(cfg.clone()))?.len() as u64;
    let (lzw, bits) = lzw_trace::lzw_costs(text);
    e.lzw_bits = lzw;
    e.lzw_bytes = bits.div_ceil(8) + crate::lzw::HEADER_LEN as u64;
    e.secs = t0.elapsed().as_secs_f64();
    Ok(e)
}

/// `nnzip explain`: reads the file, explains its start and writes the page.
///
/// # Errors
/// [`Error::Io`] (naming the file) if it cannot be read or the page cannot be
/// written, or if the page exists and `--force` was not given; what [`explain`]
/// returns.
pub fn run_explain(args: &ExplainArgs) -> Result<()> {
    let named = |path: &PathBuf, e: std::io::Error| {
        Error::Io(std::io::Error::new(
            e.kind(),
            format!("{}: {e}", path.display()),
        ))
    };
    if !args.force && args.output.exists() {
        return Err(named(
            &args.output,
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "already exists (use -f to overwrite)",
            ),
        ));
    }
    let data = read_start(&args.file, args.max_bytes).map_err(|e| named(&args.file, e))?;
    let file_len = std::fs::metadata(&args.file)
        .map(|m| m.len())
        .unwrap_or(data.len() as u64);
    let mut cfg = args.preset.config();
    cfg.set_network(args.hidden, args.layers, args.activation);
    cfg.validate()?;
    let name = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |s| s.to_string_lossy().into(),
    );
    let e = explain(&name, &data, file_len, &cfg, args.max_bytes)?;
    let page = html::render(&e);
    std::fs::write(&args.output, page).map_err(|err| named(&args.output, err))?;
    eprintln!(
        "nnzip: explained {} of {} bytes of {} in {:.1} s: nnzip {:.3} bpc, LZW {:.3} bpc -> {}",
        e.text.len(),
        e.file_len,
        args.file.display(),
        e.secs,
        8.0 * e.nnz_bytes as f64 / e.text.len().max(1) as f64,
        8.0 * e.lzw_bytes as f64 / e.text.len().max(1) as f64,
        args.output.display()
    );
    Ok(())
}

/// At most `max` bytes from the start of the file at `path` (`-` is standard input).
fn read_start(path: &PathBuf, max: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut data = Vec::new();
    let limit = max as u64;
    if path.as_os_str() == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut data)?;
    } else {
        std::fs::File::open(path)?
            .take(limit)
            .read_to_end(&mut data)?;
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_add_up_to_the_payload_and_the_z_file() {
        let text = b"It was the best of times, it was the worst of times; ".repeat(40);
        let e = explain("t", &text, text.len() as u64, &Preset::Fast.config(), 1500).unwrap();
        assert_eq!(e.text.len(), 1500);
        let nn: f64 = e.nn_bits.iter().map(|&b| f64::from(b)).sum();
        // The coder adds its leading zero byte and a 4-byte flush.
        let over = e.payload_bytes as f64 - nn / 8.0;
        assert!((0.0..8.0).contains(&over), "{nn} {}", e.payload_bytes);
        let z: f64 = e.lzw_bits.iter().map(|&b| f64::from(b)).sum();
        assert!((z / 8.0 + 3.0 - e.lzw_bytes as f64).abs() < 1.0);
        assert_eq!(
            e.lzw_bytes,
            crate::lzw::compress_bytes(&e.text, 16).len() as u64
        );
        assert!(e.nnz_bytes > e.payload_bytes);
        assert!(e.guesses_complete > 1400);
        // Late in a repetitive text the model's first guess is the byte that came.
        let hits = (1000..1500)
            .filter(|&i| e.guesses[i][0].0 == e.text[i])
            .count();
        assert!(hits > 450, "{hits}");
        assert!(e.active.iter().all(|a| (0.0..=1.0).contains(a)));
    }
}
