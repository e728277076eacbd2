//! The `nnzip` command line. Placeholder: being written.

fn main() {
    eprintln!("nnzip: not yet implemented");
    std::process::exit(2);
}
