//! The `nnzip` command line: `compress`, `decompress` (`-d`), `info`, `bench`, `sweep`.
//!
//! `main` only turns the outcome of [`try_main`] into an exit status: 0 when every file
//! succeeded (or standard output was closed by its reader, as ripgrep does), 1 when
//! anything failed (each failure was reported as one `nnzip: FILE: problem` line), 2
//! for usage errors (from clap).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cli;

use clap::{CommandFactory, Parser};
use cli::args::{Cli, Command};
use cli::report::{error_message, Failure};
use cli::run::{self, Status};
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
        None if cli.decompress => Command::Decompress(cli.shortcut),
        None => Cli::command()
            .error(
                clap::error::ErrorKind::MissingSubcommand,
                "no command given: use `nnzip compress FILE...`, `nnzip decompress FILE...` \
                 (or `nnzip -d FILE...`) or `nnzip info FILE...`",
            )
            .exit(),
    };
    match command {
        Command::Compress(args) => {
            let several = args.files.len() > 1;
            if several && args.out.output.is_some() {
                usage_error("compress", "-o/--output takes a single input file");
            }
            if several && args.out.stdout {
                usage_error("compress", "-c/--stdout takes a single input file when compressing: a compressed file holds one stream");
            }
            let codec = match args.codec() {
                Ok(c) => c,
                Err(msg) => usage_error("compress", &msg),
            };
            if let Err(e) = codec.validate() {
                usage_error("compress", &error_message(&e));
            }
            run::compress(&args, &codec)
        }
        Command::Decompress(args) => {
            if args.files.len() > 1 && args.out.output.is_some() {
                usage_error("decompress", "-o/--output takes a single input file");
            }
            run::decompress(&args)
        }
        Command::Info(args) => run::info(&args),
        Command::Bench(args) => report_plain("bench", nnzip::bench::run_bench(&args)),
        Command::Sweep(args) => report_plain("sweep", nnzip::bench::run_sweep(&args)),
    }
}

/// Reports a usage error of subcommand `sub` the way clap does (exit status 2).
fn usage_error(sub: &str, msg: &str) -> ! {
    let mut cmd = Cli::command();
    let sub_cmd = cmd.find_subcommand_mut(sub).map(|c| {
        let c = c.clone();
        c.bin_name(format!("nnzip {sub}"))
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
