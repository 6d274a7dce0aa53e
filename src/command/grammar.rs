//! Words to a [`Command`]: the tokenizer, and the parser that finds the command's row in the
//! table and hands it the rest.

use super::Command;
use super::args::{Args, ParseError};
use super::table::{SPECS, spec};

/// Splits a palette line into words, honouring quotes and backslashes as a shell does.
pub fn tokenize(line: &str) -> Result<Vec<String>, ParseError> {
    crate::model::words::split(line).ok_or(ParseError::UnclosedQuote)
}

/// Parses a palette line.
pub fn parse_line(line: &str) -> Result<Command, ParseError> {
    parse(&tokenize(line)?)
}

/// Parses words (from the palette after [`tokenize`], or from the command line).
pub fn parse<S: AsRef<str>>(words: &[S]) -> Result<Command, ParseError> {
    let Some(first) = words.first() else {
        return Err(ParseError::Empty);
    };
    let first = first.as_ref();
    let Some(spec) = spec(first) else {
        let names = SPECS
            .iter()
            .flat_map(|s| std::iter::once(s.name).chain(s.aliases.iter().copied()));
        // Suggest the command's own name, even when the word was closest to an alias.
        let suggestion = crate::suggest::closest(first, names)
            .and_then(|n| spec(&n))
            .map(|s| s.name.to_string());
        return Err(ParseError::Unknown {
            word: first.to_string(),
            suggestion,
        });
    };
    let rest: Vec<&str> = words[1..].iter().map(AsRef::as_ref).collect();
    (spec.parse)(&Args { spec, rest: &rest })
}
