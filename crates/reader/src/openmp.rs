//! Tesseract's OpenMP threads: one per recognition, without restarting the process.
//!
//! Debian's Tesseract is built with OpenMP, whose parallel regions inside recognition start a team of
//! threads per core. On a 2-core machine that makes OCR about 3x slower (the team's threads spin while
//! waiting, against the batch's other workers). `OMP_THREAD_LIMIT=1` avoids it, but OpenMP reads that
//! variable once, when the library loads, so a program would have to re-execute itself to set it (about
//! 20 ms per start). Instead, [`single_threaded_openmp_here`] makes every parallel region started from the
//! calling thread inactive (`omp_set_max_active_levels(0)`, a per-thread setting), which runs it on that
//! thread alone: the same effect, for the threads that recognise.

use std::ffi::c_int;
use std::sync::OnceLock;

type SetMaxActiveLevels = unsafe extern "C" fn(c_int);

/// OpenMP's `omp_set_max_active_levels`, when OpenMP is loaded (through Tesseract) and the user has not
/// chosen a thread limit of their own with `OMP_THREAD_LIMIT` (which is then left to rule).
fn set_max_active_levels() -> Option<SetMaxActiveLevels> {
    static SETTER: OnceLock<Option<SetMaxActiveLevels>> = OnceLock::new();
    *SETTER.get_or_init(|| {
        if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
            return None;
        }
        // SAFETY: dlsym with RTLD_DEFAULT and a NUL-terminated name only looks the symbol up; a non-null
        // result is OpenMP's `void omp_set_max_active_levels(int)`.
        unsafe {
            let symbol = libc::dlsym(libc::RTLD_DEFAULT, c"omp_set_max_active_levels".as_ptr());
            (!symbol.is_null())
                .then(|| std::mem::transmute::<*mut libc::c_void, SetMaxActiveLevels>(symbol))
        }
    })
}

/// Runs the OpenMP parallel regions that Tesseract starts from the calling thread on that thread alone
/// (unless `OMP_THREAD_LIMIT` is set, which then decides). Cheap: call before each recognition.
pub(crate) fn single_threaded_openmp_here() {
    if let Some(set) = set_max_active_levels() {
        // SAFETY: a plain OpenMP runtime call setting the calling thread's own control variable.
        unsafe { set(0) };
    }
}
