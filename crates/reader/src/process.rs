//! Process set-up that must happen before any OCR: Tesseract's OpenMP thread limit.

use std::ffi::OsString;

/// Makes sure `OMP_THREAD_LIMIT` is set for this process, re-executing it with `OMP_THREAD_LIMIT=1` when it
/// is not. Debian's Tesseract uses OpenMP, and without the limit OCR is about 3x slower on a 2-core machine
/// (the variable is read when the library loads, so setting it later from inside the process has no effect).
///
/// Call first thing in `main`. Returns `Ok(())` when the variable is already set; on success of the re-exec
/// it does not return; `Err` when the re-exec failed (the program can go on, OCR is merely slower).
pub fn ensure_ocr_thread_limit() -> std::io::Result<()> {
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return Ok(());
    }
    use std::os::unix::process::CommandExt;
    let exe = std::env::current_exe()?;
    let mut args = std::env::args_os();
    let arg0: OsString = args.next().unwrap_or_else(|| exe.clone().into_os_string());
    let err = std::process::Command::new(&exe)
        .arg0(arg0)
        .args(args)
        .env("OMP_THREAD_LIMIT", "1")
        .exec();
    Err(err)
}
