//! The command line's grammar (clap derive): subcommands, options, their help texts,
//! and the mapping of model flags onto a [`ModelConfig`].

use super::report::error_message;
use clap::builder::RangedI64ValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use nnzip::bench::{BenchArgs, SweepArgs};
use nnzip::format::{check_segment_len, EncodeOptions};
use nnzip::model::config::limits;
use nnzip::size::parse_size;
use nnzip::{Activation, Codec, CompressOptions, ModelConfig, Preset};
use std::ops::RangeInclusive;
use std::path::PathBuf;

/// The whole command line.
#[derive(Debug, Parser)]
#[command(
    name = "nnzip",
    version,
    about = "A lossless compressor in which a small neural network learns the text while it compresses it",
    long_about = "A lossless compressor in which a small neural network learns the text while \
        it compresses it. No model is stored in the file: the decoder learns the same way.\n\n\
        Without a command nnzip works as a filter, as gzip, xz and zstd do: it compresses \
        standard input to standard output, or decompresses it with -d, so that \
        `tar -I nnzip` and pipes work. -t tests and -l lists FILEs.\n\n\
        Levels: -1/--fast, -2 and -3/--best select the presets fast, default and max.\n\n\
        Exit status: 0 on success, 1 if any file failed, 2 for a usage error. \
        On SIGINT/SIGTERM no partial output is left behind (status 130/143).",
    after_help = "Examples:\n  nnzip compress book.txt          writes book.txt.nnz, keeps book.txt\n  \
        nnzip -d book.txt.nnz            writes book.txt\n  \
        nnzip -t book.txt.nnz            checks it, writes nothing\n  \
        nnzip compress --preset max -c - < in > out.nnz\n  \
        nnzip -3 < in > out.nnz          the same, from a pipe\n  \
        tar -I nnzip -cf dir.tar.nnz dir\n  \
        nnzip info book.txt.nnz",
    override_usage = "nnzip <COMMAND> [OPTIONS] FILE...\n       \
        nnzip -d|-t|-l [OPTIONS] FILE...\n       \
        nnzip [-d] [OPTIONS] < INPUT > OUTPUT",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Decompress FILEs (`nnzip -d FILE` is `nnzip decompress FILE`), or standard
    /// input to standard output when no FILE is given.
    #[arg(short = 'd', long = "decompress", conflicts_with_all = ["test", "list"])]
    pub decompress: bool,

    /// Test FILEs (standard input if none): decode them and check their checksum,
    /// writing nothing.
    #[arg(short = 't', long = "test", conflicts_with = "list")]
    pub test: bool,

    /// List FILEs: the same as `nnzip info FILE...`.
    #[arg(short = 'l', long = "list")]
    pub list: bool,

    /// Arguments of the command-less forms.
    #[command(flatten)]
    pub shortcut: FilterArgs,
}

/// Arguments of `nnzip` without a command (filter, `-d`, `-t`, `-l`).
#[derive(Debug, Clone, Args)]
pub struct FilterArgs {
    /// Files for -d, -t or -l; without any, standard input is read (compression
    /// without a command reads standard input only).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Output options.
    #[command(flatten)]
    pub out: OutputArgs,

    /// Threads.
    #[command(flatten)]
    pub threads: ThreadArgs,

    /// Codec and model options (when compressing; ignored by -d, -t and -l, as gzip
    /// ignores a level when decompressing, so that `tar -I "nnzip -3"` works both ways).
    #[command(flatten)]
    pub codec: CodecArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compress FILEs into FILE.nnz (or FILE.Z with --codec lzw), keeping the inputs.
    Compress(CompressArgs),
    /// Decompress .nnz and .Z files (the format is recognised by its magic number).
    #[command(visible_alias = "d")]
    Decompress(DecompressArgs),
    /// Show the header of .nnz and .Z files: format, codec, model, sizes, checksum.
    Info(InfoArgs),
    /// Benchmark nnzip's models against LZW and the compressors found on PATH.
    Bench(BenchArgs),
    /// Sweep model sizes on a file: bpc and speed tables, SVG plots.
    Sweep(SweepArgs),
    /// Write an HTML page showing what the network did on a file, byte by byte.
    Explain(nnzip::explain::ExplainArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `nnzip manpage > nnzip.1`.
    Manpage,
}

/// Arguments of `nnzip completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Where the output goes and how much is said about it.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Write the output to OUT instead of the default name (one input only).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "OUT",
        conflicts_with = "stdout"
    )]
    pub output: Option<PathBuf>,

    /// Write to standard output; input files are kept.
    #[arg(short = 'c', long = "stdout")]
    pub stdout: bool,

    /// Overwrite existing output files (and let compressed data go to a terminal).
    #[arg(short = 'f', long = "force")]
    pub force: bool,

    /// Print nothing but errors, and no progress bar.
    #[arg(short = 'q', long = "quiet", conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print a line per file on stderr: sizes, ratio, bits per byte, speed.
    #[arg(short = 'v', long = "verbose")]
    pub verbose: bool,

    /// Keep the input files (the default; accepted for gzip and zstd habits).
    #[arg(short = 'k', long = "keep", overrides_with = "rm")]
    pub keep: bool,

    /// Remove each input file once its output is complete, renamed into place and
    /// verified (a compressed output is decoded again and checked against the input,
    /// which costs as much time as decompressing it).
    #[arg(long = "rm", overrides_with = "keep", conflicts_with = "stdout")]
    pub rm: bool,
}

/// How many threads code the segments of a `.nnz` stream.
#[derive(Debug, Clone, Default, Args)]
pub struct ThreadArgs {
    /// Threads coding segments in parallel; 0 = one per core, as many as fit in the
    /// available memory (the default). The output is the same for every N.
    #[arg(short = 'T', long = "threads", value_name = "N", value_parser = ranged(0u16..=MAX_THREADS))]
    pub threads: Option<u16>,
}

/// The most threads `-T` accepts (more are refused as a usage error).
const MAX_THREADS: u16 = 1024;

impl ThreadArgs {
    /// The number of threads asked for (0 = decide from cores and memory).
    pub fn requested(&self) -> usize {
        usize::from(self.threads.unwrap_or(0))
    }
}

/// Arguments of `nnzip compress`.
#[derive(Debug, Clone, Args)]
pub struct CompressArgs {
    /// Files to compress; `-` reads standard input (and then writes standard output
    /// unless -o is given).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Output options.
    #[command(flatten)]
    pub out: OutputArgs,

    /// Threads.
    #[command(flatten)]
    pub threads: ThreadArgs,

    /// Codec and model options.
    #[command(flatten)]
    pub codec: CodecArgs,
}

/// The codec and its settings.
#[derive(Debug, Clone, Args)]
pub struct CodecArgs {
    /// Codec: the neural model (.nnz) or LZW as Unix compress writes it (.Z).
    #[arg(long, value_enum, default_value_t = CodecArg::Nn)]
    pub codec: CodecArg,

    /// Largest LZW code width in bits, 9..=16 (with --codec lzw) [default: 16].
    #[arg(long, value_name = "N", value_parser = ranged(nnzip::lzw::MIN_BITS..=nnzip::lzw::MAX_BITS))]
    pub bits: Option<u8>,

    /// Original bytes per segment, each coded by a fresh model so that segments can
    /// be coded on separate threads (stored in the header); smaller segments balance
    /// threads better and cost ratio. A number of bytes, or with a binary suffix:
    /// 512K, 8M, 16MiB, 1G (1KiB..=1GiB) [default: 16MiB].
    #[arg(long = "segment-size", value_name = "SIZE", value_parser = parse_size)]
    pub segment_size: Option<u64>,

    /// Model settings.
    #[command(flatten)]
    pub model: ModelArgs,
}

/// Arguments of `nnzip decompress` (and of the `-d` shortcut).
#[derive(Debug, Clone, Args)]
pub struct DecompressArgs {
    /// Files to decompress (.nnz or .Z; the suffix is removed for the output name);
    /// `-` reads standard input (and then writes standard output unless -o is given).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Output options.
    #[command(flatten)]
    pub out: OutputArgs,

    /// Threads.
    #[command(flatten)]
    pub threads: ThreadArgs,
}

/// Arguments of `nnzip info`.
#[derive(Debug, Clone, Args)]
pub struct InfoArgs {
    /// Files to describe; `-` reads standard input (header only, as it cannot seek).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

/// The codecs on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CodecArg {
    /// The neural model (.nnz).
    Nn,
    /// LZW, compatible with Unix compress (.Z).
    Lzw,
}

/// The presets on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PresetArg {
    /// Few contexts, a narrow network: the fastest.
    Fast,
    /// The balance of ratio and speed.
    Default,
    /// The best ratio, within 1.5 GB of memory.
    Max,
}

impl From<PresetArg> for Preset {
    fn from(p: PresetArg) -> Self {
        match p {
            PresetArg::Fast => Preset::Fast,
            PresetArg::Default => Preset::Default,
            PresetArg::Max => Preset::Max,
        }
    }
}

/// The activations on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ActivationArg {
    /// max(0, x).
    Relu,
    /// The identity: the network becomes a linear mixer.
    Linear,
    /// max(x/16, x).
    Leaky,
    /// tanh(x), by nnzip's own rational approximation.
    Tanh,
    /// 1 / (1 + e^-x), as (1 + tanh(x/2)) / 2.
    Sigmoid,
}

impl From<ActivationArg> for Activation {
    fn from(a: ActivationArg) -> Self {
        match a {
            ActivationArg::Relu => Activation::Relu,
            ActivationArg::Linear => Activation::Linear,
            ActivationArg::Leaky => Activation::LeakyRelu,
            ActivationArg::Tanh => Activation::Tanh,
            ActivationArg::Sigmoid => Activation::Sigmoid,
        }
    }
}

/// Model settings: a preset (or a level), then explicit flags that override it.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Model options (with --codec nn; stored in the header)")]
#[command(group(clap::ArgGroup::new("level").multiple(false)))]
pub struct ModelArgs {
    /// Starting point for the settings below [default: default].
    #[arg(long, value_enum, group = "level")]
    pub preset: Option<PresetArg>,

    /// Level 1: the same as --preset fast.
    #[arg(short = '1', long = "fast", group = "level")]
    pub level_fast: bool,

    /// Level 2: the same as --preset default.
    #[arg(short = '2', group = "level")]
    pub level_default: bool,

    /// Level 3: the same as --preset max (needs up to 1.5 GB of memory).
    #[arg(short = '3', long = "best", group = "level")]
    pub level_max: bool,

    /// Width of each hidden layer (1..=1024).
    #[arg(long, value_name = "N", value_parser = ranged(limits::HIDDEN))]
    pub hidden: Option<u16>,

    /// Number of hidden layers (0..=2; 0: the first-layer mixers' outputs are mixed
    /// linearly, or with one mixer are the output, as in the fast preset; a --hidden
    /// or --activation alone gives such a model one layer).
    #[arg(long, value_name = "N", value_parser = ranged(limits::LAYERS))]
    pub layers: Option<u8>,

    /// First-layer mixers: 3 (weight sets by the partial byte, by the order or match
    /// depth, by the last byte; the default and max presets) or 1 (the depth one
    /// alone: faster, for about 1% more bytes; the fast preset).
    #[arg(long, value_name = "N", value_parser = one_or_three())]
    pub mixers: Option<u8>,

    /// Non-linearity of the hidden layers.
    #[arg(long, value_enum, value_name = "FN")]
    pub activation: Option<ActivationArg>,

    /// Orders of the hashed byte contexts, comma-separated, each 1..=16 (e.g. 1,2,3,4,6).
    #[arg(long, value_name = "LIST", value_delimiter = ',', num_args = 1,
          value_parser = ranged(1u8..=limits::MAX_ORDER))]
    pub orders: Option<Vec<u8>>,

    /// Drop the word context (hash of the current and previous word).
    #[arg(long)]
    pub no_word: bool,

    /// Drop the match model (prediction from the longest earlier repeat).
    #[arg(long)]
    pub no_match: bool,

    /// Drop the sparse (skip) contexts: bytes further back with a gap.
    #[arg(long)]
    pub no_sparse: bool,

    /// Drop the markup contexts: the XML/wiki markup state and the text column.
    #[arg(long)]
    pub no_markup: bool,

    /// Drop the indirect contexts: the bytes that followed the last one and two bytes
    /// the previous times they were seen.
    #[arg(long)]
    pub no_indirect: bool,

    /// log2 of the number of 64-byte buckets of the context table that all contexts
    /// share (10..=24); memory grows as 2^N (24: 1 GiB). For a file of known length it
    /// is lowered to what the file can use (at most one bucket per byte).
    #[arg(long, value_name = "N", value_parser = ranged(limits::TABLE_BITS))]
    pub table_bits: Option<u8>,

    /// Number of most recent bytes with an embedding of their own (0..=8).
    #[arg(long, value_name = "N", value_parser = ranged(0u8..=limits::MAX_BYTE_EMBED))]
    pub byte_embed: Option<u8>,

    /// Learning rate of the online training, in (0, 1].
    #[arg(long, value_name = "F", value_parser = parse_lr)]
    pub lr: Option<f32>,

    /// Turn off the adaptive probability maps (SSE) after the network.
    #[arg(long)]
    pub no_apm: bool,

    /// Code segments that look like English text (64 KiB or more) in a Huffman tree
    /// of their own byte frequencies (about five decisions per byte instead of eight:
    /// faster, for a little ratio); the fast and default presets' choice.
    #[arg(long, conflicts_with = "no_text_codes")]
    pub text_codes: bool,

    /// Code every byte as its eight bits (the max preset's choice).
    #[arg(long)]
    pub no_text_codes: bool,

    /// How much of the built-in English text the model reads before the input, in
    /// blocks of 64 KiB (0..=3; 0 starts from a fresh model). Priming helps text, small
    /// files most, and costs a fixed time per model (about as long as coding the
    /// same amount of input).
    #[arg(long, value_name = "N", value_parser = ranged(0u8..=nnzip::model::prime::MAX_BLOCKS))]
    pub prime: Option<u8>,

    /// How much of the start of the priming text, in KiB (0..=192), the model reads
    /// for its context statistics alone, which takes less than half the time: the
    /// mixers and the network learn only the rest (the default preset: 112 of its 128;
    /// fast and max: 0).
    #[arg(long, value_name = "KIB", value_parser = ranged(0u8..=nnzip::model::prime::MAX_KIB as u8))]
    pub prime_tables: Option<u8>,

    /// Seed of the initial weights (decimal or 0x hex); stored in the header.
    #[arg(long, value_name = "N", value_parser = parse_seed)]
    pub seed: Option<u64>,
}

impl ModelArgs {
    /// Whether any model setting was given on the command line.
    pub fn any_given(&self) -> bool {
        self.preset().is_some()
            || self.hidden.is_some()
            || self.layers.is_some()
            || self.mixers.is_some()
            || self.activation.is_some()
            || self.orders.is_some()
            || self.no_word
            || self.no_match
            || self.no_sparse
            || self.no_markup
            || self.no_indirect
            || self.table_bits.is_some()
            || self.byte_embed.is_some()
            || self.lr.is_some()
            || self.no_apm
            || self.text_codes
            || self.no_text_codes
            || self.prime.is_some()
            || self.prime_tables.is_some()
            || self.seed.is_some()
    }

    /// The preset chosen by --preset or a level flag, if any.
    pub fn preset(&self) -> Option<PresetArg> {
        if self.level_fast {
            Some(PresetArg::Fast)
        } else if self.level_default {
            Some(PresetArg::Default)
        } else if self.level_max {
            Some(PresetArg::Max)
        } else {
            self.preset
        }
    }

    /// The preset's configuration with the explicit flags applied (not yet validated).
    pub fn config(&self) -> ModelConfig {
        let mut cfg = Preset::from(self.preset().unwrap_or(PresetArg::Default)).config();
        cfg.set_network(self.hidden, self.layers, self.activation.map(Into::into));
        if let Some(v) = &self.orders {
            let mut orders = v.clone();
            orders.sort_unstable();
            cfg.orders = orders;
        }
        if let Some(m) = &self.mixers {
            cfg.single_mixer = *m == 1;
        }
        if self.no_word {
            cfg.word = false;
        }
        if self.no_match {
            cfg.match_model = false;
        }
        if self.no_sparse {
            cfg.sparse = false;
        }
        if self.no_markup {
            cfg.markup = false;
        }
        if self.no_indirect {
            cfg.indirect = false;
        }
        if let Some(v) = self.table_bits {
            cfg.table_bits = v;
        }
        if let Some(v) = self.byte_embed {
            cfg.byte_embed = v;
        }
        if let Some(v) = self.lr {
            cfg.lr = v;
        }
        if self.no_apm {
            cfg.apm = false;
        }
        if self.text_codes || self.no_text_codes {
            cfg.text_codes = self.text_codes;
        }
        if let Some(v) = self.prime {
            cfg.prime = v;
        }
        if let Some(v) = self.prime_tables {
            cfg.prime_tables = v;
        }
        if let Some(v) = self.seed {
            cfg.seed = v;
        }
        cfg
    }
}

impl CompressArgs {
    /// The codec these arguments select, or the text of a usage error.
    pub fn codec(&self) -> Result<Codec, String> {
        self.codec.codec()
    }

    /// Threads and segment length, or the text of a usage error.
    pub fn options(&self) -> Result<CompressOptions, String> {
        let mut encode = EncodeOptions::default();
        if let Some(size) = self.codec.segment_size {
            encode.segment_len = check_segment_len(size).map_err(|e| error_message(&e))?;
        }
        Ok(CompressOptions {
            threads: self.threads.requested(),
            encode,
        })
    }
}

impl CodecArgs {
    /// The codec these arguments select, or the text of a usage error.
    pub fn codec(&self) -> Result<Codec, String> {
        match self.codec {
            CodecArg::Nn => {
                if self.bits.is_some() {
                    return Err("--bits applies to --codec lzw only".into());
                }
                Ok(Codec::Neural(self.model.config()))
            }
            CodecArg::Lzw => {
                if self.model.any_given() || self.segment_size.is_some() {
                    return Err("model options apply to --codec nn only".into());
                }
                Ok(Codec::Lzw {
                    max_bits: self.bits.unwrap_or(nnzip::lzw::MAX_BITS),
                })
            }
        }
    }
}

/// An integer parser limited to `range`, which clap's help and errors then show.
fn ranged<T>(range: RangeInclusive<T>) -> RangedI64ValueParser<T>
where
    T: Copy + Into<i64> + TryFrom<i64> + Clone + Send + Sync + 'static,
{
    RangedI64ValueParser::new().range((*range.start()).into()..=(*range.end()).into())
}

fn parse_lr(s: &str) -> Result<f32, String> {
    let lr: f32 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if lr.is_finite() && lr > 0.0 && lr <= 1.0 {
        Ok(lr)
    } else {
        Err(format!("{lr} is outside (0, 1]"))
    }
}

fn parse_seed(s: &str) -> Result<u64, String> {
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(&hex.replace('_', ""), 16),
        None => s.replace('_', "").parse(),
    };
    parsed.map_err(|_| format!("`{s}` is not a 64-bit unsigned number"))
}

/// Parses a mixer count: 1 or 3 (listed as the possible values in `--help`).
fn one_or_three() -> impl clap::builder::TypedValueParser<Value = u8> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(["1", "3"]).map(|s| if s == "1" { 1 } else { 3 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn flags_override_the_preset() {
        let cli = Cli::try_parse_from([
            "nnzip", "compress", "--preset", "fast", "--hidden", "5", "--orders", "3,1",
            "--no-apm", "--seed", "0x10", "x",
        ])
        .unwrap();
        let Some(Command::Compress(c)) = cli.command else {
            panic!("not compress")
        };
        let Codec::Neural(cfg) = c.codec().unwrap() else {
            panic!("not neural")
        };
        let mut want = Preset::Fast.config();
        // A width for fast, which has no hidden layer, gives it one.
        (want.hidden, want.layers) = (5, 1);
        want.orders = vec![1, 3];
        want.apm = false;
        want.seed = 16;
        assert_eq!(cfg, want);
    }

    #[test]
    fn out_of_range_values_are_usage_errors() {
        for args in [
            &["nnzip", "compress", "--hidden", "0", "x"][..],
            &["nnzip", "compress", "--orders", "1,17", "x"],
            &["nnzip", "compress", "--bits", "17", "x"],
            &["nnzip", "compress", "--lr", "2", "x"],
            &["nnzip", "compress", "--seed", "-1", "x"],
        ] {
            assert!(Cli::try_parse_from(args).is_err(), "{args:?}");
        }
    }

    #[test]
    fn levels_select_presets() {
        let preset = |args: &[&str]| {
            let cli = Cli::try_parse_from(args).unwrap();
            cli.shortcut.codec.model.preset()
        };
        assert_eq!(preset(&["nnzip", "-1"]), Some(PresetArg::Fast));
        assert_eq!(preset(&["nnzip", "--fast"]), Some(PresetArg::Fast));
        assert_eq!(preset(&["nnzip", "-2"]), Some(PresetArg::Default));
        assert_eq!(preset(&["nnzip", "-3"]), Some(PresetArg::Max));
        assert_eq!(preset(&["nnzip", "--best"]), Some(PresetArg::Max));
        assert_eq!(preset(&["nnzip", "-d", "-3"]), Some(PresetArg::Max));
        assert_eq!(preset(&["nnzip"]), None);
        assert!(Cli::try_parse_from(["nnzip", "-1", "-3"]).is_err());
        assert!(Cli::try_parse_from(["nnzip", "-1", "--preset", "max"]).is_err());
        let cli = Cli::try_parse_from(["nnzip", "compress", "-3", "x"]).unwrap();
        let Some(Command::Compress(c)) = cli.command else {
            panic!("not compress")
        };
        assert_eq!(c.codec().unwrap(), Codec::Neural(Preset::Max.config()));
    }

    #[test]
    fn keep_rm_test_list_parse() {
        let cli = Cli::try_parse_from(["nnzip", "compress", "-k", "x"]).unwrap();
        let Some(Command::Compress(c)) = cli.command else {
            panic!("not compress")
        };
        assert!(c.out.keep && !c.out.rm);
        let cli = Cli::try_parse_from(["nnzip", "-d", "--rm", "x.nnz"]).unwrap();
        assert!(cli.shortcut.out.rm);
        assert!(Cli::try_parse_from(["nnzip", "-d", "--rm", "-c", "x.nnz"]).is_err());
        let cli = Cli::try_parse_from(["nnzip", "-t", "a.nnz", "b.nnz"]).unwrap();
        assert!(cli.test && cli.shortcut.files.len() == 2);
        let cli = Cli::try_parse_from(["nnzip", "-l", "a.nnz"]).unwrap();
        assert!(cli.list);
        assert!(Cli::try_parse_from(["nnzip", "-d", "-t", "a.nnz"]).is_err());
    }

    #[test]
    fn threads_and_segment_sizes_parse() {
        let cli =
            Cli::try_parse_from(["nnzip", "compress", "-T", "3", "--segment-size", "8M", "x"])
                .unwrap();
        let Some(Command::Compress(c)) = cli.command else {
            panic!("not compress")
        };
        let o = c.options().unwrap();
        assert_eq!((o.threads, o.encode.segment_len), (3, 8 << 20));
        let cli = Cli::try_parse_from(["nnzip", "compress", "--segment-size", "2G", "x"]).unwrap();
        let Some(Command::Compress(c)) = cli.command else {
            panic!("not compress")
        };
        assert!(c.options().is_err());
        assert!(Cli::try_parse_from(["nnzip", "-d", "--threads", "0", "a.nnz"]).is_ok());
        assert!(Cli::try_parse_from(["nnzip", "-d", "-T", "-1", "a.nnz"]).is_err());
        let cli = Cli::try_parse_from([
            "nnzip",
            "compress",
            "--codec",
            "lzw",
            "--segment-size",
            "8M",
            "x",
        ])
        .unwrap();
        let Some(Command::Compress(c)) = cli.command else {
            panic!("not compress")
        };
        assert!(c.codec().is_err());
        let cli = Cli::try_parse_from([
            "nnzip",
            "bench",
            "--threads",
            "1,2",
            "--segment-size",
            "1M",
            "x",
        ])
        .unwrap();
        let Some(Command::Bench(b)) = cli.command else {
            panic!("not bench")
        };
        assert_eq!(b.segment_size, Some(1 << 20));
    }

    #[test]
    fn d_shortcut_parses() {
        let cli = Cli::try_parse_from(["nnzip", "-d", "-c", "a.nnz"]).unwrap();
        assert!(cli.decompress && cli.shortcut.out.stdout && cli.command.is_none());
    }
}
