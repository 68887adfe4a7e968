//! The regex engine for template regexes: Python-style syntax (named groups, lookarounds) with a
//! backtracking limit, so that a pathological pattern fails instead of hanging.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use fancy_regex::{Regex, RegexBuilder};

/// Backtracking steps allowed per match attempt before the regex gives up.
pub const BACKTRACK_LIMIT: usize = 200_000;

/// Compiles a template regex; the error is the reason, for a template error message.
pub fn compile_regex(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .backtrack_limit(BACKTRACK_LIMIT)
        .build()
        .map_err(|error| format!("invalid regex `{pattern}`: {error}"))
}

/// Checks a template regex's syntax without compiling it, so that loading hundreds of templates stays
/// quick; the pattern is compiled (once, [`cached_regex`]) when a document first needs it.
pub fn check_regex_syntax(pattern: &str) -> Result<(), String> {
    fancy_regex::Expr::parse_tree(pattern)
        .map(|_| ())
        .map_err(|error| format!("invalid regex `{pattern}`: {error}"))
}

/// Compiled patterns kept for the life of the process: templates are loaded once and their regexes run
/// on every document, so each pattern is compiled once.
const CACHE_CAPACITY: usize = 20_000;

fn cache() -> &'static Mutex<HashMap<String, Arc<Regex>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Regex>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// [`compile_regex`] through a process-wide cache (a pattern that does not compile is not cached).
pub fn cached_regex(pattern: &str) -> Result<Arc<Regex>, String> {
    let cache = cache();
    if let Some(regex) = cache
        .lock()
        .ok()
        .and_then(|cache| cache.get(pattern).cloned())
    {
        return Ok(regex);
    }
    let regex = Arc::new(compile_regex(pattern)?);
    if let Ok(mut cache) = cache.lock() {
        // Templates are finite; a process that keeps loading new ones starts the cache over.
        if cache.len() >= CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(pattern.to_string(), Arc::clone(&regex));
    }
    Ok(regex)
}

/// Compiles the patterns that are not in the cache yet into it, on up to one thread per core, each thread
/// taking the next pattern as it finishes one (their compile times differ a hundredfold: `\w{10,30}` is
/// thirty copies of Unicode's word class). A short process (one `quire extract`) otherwise spends most of
/// its time compiling its template's regexes one after another; in a long one this finds them all cached.
/// Patterns that do not compile are left for their user to report.
pub fn precompile(patterns: &[&str]) {
    let mut missing: Vec<&str> = match cache().lock() {
        Ok(cache) => patterns
            .iter()
            .copied()
            .filter(|p| !cache.contains_key(*p))
            .collect(),
        Err(_) => return,
    };
    missing.sort_unstable();
    missing.dedup();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let n_threads = cores.min(missing.len());
    if n_threads < 2 {
        // Compiled on first use, as without this.
        return;
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..n_threads {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(pattern) = missing.get(index) else {
                    break;
                };
                let _ = cached_regex(pattern);
            });
        }
    });
}

/// Compiles a case-insensitive regex.
pub fn compile_regex_case_insensitive(pattern: &str) -> Result<Regex, String> {
    compile_regex(&format!("(?i:{pattern})"))
}

/// Whether a matching error is the backtracking limit (as opposed to a match failure).
pub fn is_backtrack_limit(error: &fancy_regex::Error) -> bool {
    matches!(
        error,
        fancy_regex::Error::RuntimeError(fancy_regex::RuntimeError::BacktrackLimitExceeded)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_named_groups_and_lookarounds_work() {
        let regex = compile_regex(r"(?<=Total:\s)(?P<amount>\d+\.\d\d)(?!\d)").unwrap();
        let captures = regex.captures("Total: 12.50").unwrap().unwrap();
        assert_eq!(&captures["amount"], "12.50");
    }

    #[test]
    fn a_pathological_regex_reports_the_limit_instead_of_hanging() {
        let regex = compile_regex(r"^(?:(a+)(?=\1))+b$").unwrap();
        let subject = "a".repeat(40);
        let started = std::time::Instant::now();
        let error = regex.is_match(&subject).unwrap_err();
        assert!(is_backtrack_limit(&error), "{error}");
        assert!(started.elapsed().as_secs() < 5);
    }

    #[test]
    fn precompiled_patterns_are_the_ones_later_uses_get() {
        let patterns = [
            r"IBAN\s+(\w{10,30})",
            r"BIC\s+(\w{8,11})",
            "(",
            r"Total\s+(\d+)",
        ];
        precompile(&patterns);
        let first = cached_regex(patterns[0]).unwrap();
        // The same compiled regex, not a second compilation.
        assert!(Arc::ptr_eq(&first, &cached_regex(patterns[0]).unwrap()));
        assert!(cache().lock().unwrap().contains_key(patterns[1]));
        // A malformed pattern is not cached, and still reports its error on use.
        assert!(!cache().lock().unwrap().contains_key("("));
        assert!(cached_regex("(").unwrap_err().contains("invalid regex `(`"));
    }

    #[test]
    fn a_cached_regex_is_compiled_once_and_shared() {
        let first = cached_regex(r"Invoice\s+No\.?\s*(?P<value>\d+)").unwrap();
        let second = cached_regex(r"Invoice\s+No\.?\s*(?P<value>\d+)").unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        let captures = second.captures("Invoice No. 42").unwrap().unwrap();
        assert_eq!(&captures["value"], "42");
        assert!(cached_regex("(unclosed").unwrap_err().contains("(unclosed"));
    }

    #[test]
    fn a_malformed_regex_names_the_pattern() {
        let reason = compile_regex("(unclosed").unwrap_err();
        assert!(reason.contains("(unclosed"), "{reason}");
        let reason = check_regex_syntax("(unclosed").unwrap_err();
        assert!(reason.contains("(unclosed"), "{reason}");
        assert!(check_regex_syntax(r"(?<=Total:\s)(?P<amount>\d+\.\d\d)(?!\d)").is_ok());
    }
}
