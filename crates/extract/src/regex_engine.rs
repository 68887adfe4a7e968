//! The regex engine for template regexes: Python-style syntax (named groups, lookarounds) with a
//! backtracking limit, so that a pathological pattern fails instead of hanging.

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
    fn a_malformed_regex_names_the_pattern() {
        let reason = compile_regex("(unclosed").unwrap_err();
        assert!(reason.contains("(unclosed"), "{reason}");
    }
}
