//! The `nnzip` command line: `compress`, `decompress` (`-d`), `info` (`-l`), `-t`,
//! `bench`, `sweep`, `explain`, `completions`, `manpage`, and the filter form (`nnzip` and
//! `nnzip -d` between pipes, as `tar -I nnzip` runs it).
//!
//! `main` only turns the outcome of [`try_main`] into an exit status: 0 when every file
//! succeeded (or standard output was closed by its reader, as ripgrep does), 1 when
//! anything failed (each failure was reported as one `nnzip: FILE: problem` line), 2
//! for usage errors (from clap).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cli;

use clap::{CommandFactory, Parser};
use cli::args::{Cli, Command, CompressArgs, DecompressArgs, FilterArgs, InfoArgs, OutputArgs};
use cli::report::{error_message, Failure};
use cli::run::{self, Status};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    match try_main() {
        Status::Ok | Status::BrokenPipe => ExitCode::SUCCESS,
        Status::Failed => ExitCode::FAILURE,
    }
}

/// Parses the command line and runs the chosen command.
fn try_main() -> Status {
    let cli = Cli::parse();
    let command = match cli.command {
        Some(c) => c,
        None => return filter(cli.decompress, cli.test, cli.list, cli.shortcut),
    };
    match command {
        Command::Compress(args) => compress(args, Some("compress")),
        Command::Decompress(args) => decompress(args, Some("decompress")),
        Command::Info(args) => run::info(&args),
        Command::Bench(args) => report_plain("bench", nnzip::bench::run_bench(&args)),
        Command::Sweep(args) => report_plain("sweep", nnzip::bench::run_sweep(&args)),
        Command::Explain(args) => report_plain("explain", nnzip::explain::run_explain(&args)),
        Command::Completions(args) => {
            let mut cmd = Cli::command();
            clap_complete::generate(args.shell, &mut cmd, "nnzip", &mut std::io::stdout());
            Status::Ok
        }
        Command::Manpage => report_plain(
            "manpage",
            clap_mangen::Man::new(Cli::command())
                .render(&mut std::io::stdout())
                .map_err(nnzip::Error::Io),
        ),
    }
}

/// `nnzip` without a command: compress standard input to standard output, or with
/// `-d`, `-t`, `-l` decompress, test or list FILEs (standard input when none).
fn filter(decompress: bool, test: bool, list: bool, args: FilterArgs) -> Status {
    let FilterArgs {
        files,
        out,
        threads,
        codec,
    } = args;
    if files.is_empty() && std::io::stdin().is_terminal() && !out.force {
        // Nothing to read: say how to use nnzip, as zstd does.
        let mut cmd = Cli::command();
        eprintln!("{}", cmd.render_help().ansi());
        std::process::exit(2);
    }
    let files = if files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        files
    };
    if list {
        run::info(&InfoArgs { files })
    } else if test {
        run::test(&files, &out, threads.requested())
    } else if decompress {
        self::decompress(
            DecompressArgs {
                files,
                out,
                threads,
            },
            None,
        )
    } else if files.iter().any(|f| f.as_os_str() != "-") {
        usage_error(
            None,
            "without a command nnzip compresses standard input only: use \
             `nnzip compress FILE...` for files",
        )
    } else {
        compress(
            CompressArgs {
                files,
                out,
                threads,
                codec,
            },
            None,
        )
    }
}

/// Checks what clap cannot and compresses; `sub` names the subcommand for usage errors.
fn compress(args: CompressArgs, sub: Option<&str>) -> Status {
    let several = args.files.len() > 1;
    if several && args.out.output.is_some() {
        usage_error(sub, "-o/--output takes a single input file");
    }
    if several && args.out.stdout {
        usage_error(sub, "-c/--stdout takes a single input file when compressing: a compressed file holds one stream");
    }
    check_rm(sub, &args.files, &args.out);
    let codec = match args.codec() {
        Ok(c) => c,
        Err(msg) => usage_error(sub, &msg),
    };
    if let Err(e) = codec.validate() {
        usage_error(sub, &error_message(&e));
    }
    let options = match args.options() {
        Ok(o) => o,
        Err(msg) => usage_error(sub, &msg),
    };
    run::compress(&args, &codec, &options)
}

/// Checks what clap cannot and decompresses; `sub` names the subcommand for usage
/// errors.
fn decompress(args: DecompressArgs, sub: Option<&str>) -> Status {
    if args.files.len() > 1 && args.out.output.is_some() {
        usage_error(sub, "-o/--output takes a single input file");
    }
    check_rm(sub, &args.files, &args.out);
    run::decompress(&args)
}

/// `--rm` removes input files that were written to output files: not standard input,
/// nor an input whose output goes to standard output.
fn check_rm(sub: Option<&str>, files: &[PathBuf], out: &OutputArgs) {
    let stdout = out.stdout || out.output.as_ref().is_some_and(|o| o.as_os_str() == "-");
    if out.rm && (stdout || files.iter().any(|f| f.as_os_str() == "-")) {
        usage_error(
            sub,
            "--rm removes input files written to output files, not standard input or output",
        );
    }
}

/// Reports a usage error of subcommand `sub` (or of the command-less forms) the way
/// clap does (exit status 2).
fn usage_error(sub: Option<&str>, msg: &str) -> ! {
    let mut cmd = Cli::command();
    let sub_cmd = sub.and_then(|sub| cmd.find_subcommand_mut(sub)).map(|c| {
        let c = c.clone();
        let name = format!("nnzip {}", c.get_name());
        c.bin_name(name)
    });
    let mut target = sub_cmd.unwrap_or(cmd);
    target
        .error(clap::error::ErrorKind::ArgumentConflict, msg)
        .exit()
}

fn report_plain(what: &str, r: nnzip::Result<()>) -> Status {
    match r {
        Ok(()) => Status::Ok,
        Err(nnzip::Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            Status::BrokenPipe
        }
        Err(e) => {
            Failure::new(what, error_message(&e)).print();
            Status::Failed
        }
    }
}
