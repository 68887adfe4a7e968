//! A stand-alone PDF reading helper (see `quire_reader::helper`): what the reader's tests start. The
//! `quire` CLI serves as its own helper instead (`quire --quire-read-helper`).

use std::process::ExitCode;

fn main() -> ExitCode {
    quire_reader::run_helper_if_asked().unwrap_or_else(|| {
        eprintln!(
            "quire-read-helper serves a parent process over its stdin and stdout; start it with {}",
            quire_reader::helper::HELPER_ARG
        );
        ExitCode::FAILURE
    })
}
