//! redis-cli command lines, read the same way everywhere: the simulator, `aclplay
//! dryrun --commands`, the test files of `aclplay test`. One command per line; blank
//! lines and `#` comments are skipped; a leading redis-cli prompt (`127.0.0.1:6379>`,
//! `db:6380[2]>`: a first word ending in `>`) is dropped, so a pasted session works;
//! the rest is split as redis-cli splits it (`sdssplitargs`: quotes and escapes).

use super::split::{Arg, SplitError, split_args};
use crate::bytes::is_c_space;
use crate::span::Span;

/// One command line of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    /// 1-based line number.
    pub number: usize,
    /// The command's text (after any prompt, trimmed) in the whole text.
    pub span: Span,
    /// Its arguments, or why redis-cli refuses the line (unbalanced quotes).
    pub args: Result<Vec<Arg>, SplitError>,
}

impl CommandLine {
    /// The arguments as byte strings (empty when the line does not split).
    pub fn argv(&self) -> Vec<&[u8]> {
        self.args.as_ref().map(|a| a.iter().map(|x| x.bytes.as_slice()).collect()).unwrap_or_default()
    }
}

/// Where the command is in one line (no `\n`): its offset and text, or `None` for a line
/// with nothing to run (blank, a comment, a bare prompt).
pub fn command_text(line: &[u8]) -> Option<(usize, &[u8])> {
    let trimmed = |from: usize| -> Option<(usize, usize)> {
        let rest = &line[from..];
        let start = from + rest.iter().position(|&b| !is_c_space(b))?;
        let end = line.iter().rposition(|&b| !is_c_space(b)).map_or(start, |e| e + 1);
        Some((start, end))
    };
    let (mut start, end) = trimmed(0)?;
    let first_word = line[start..end].iter().position(|&b| is_c_space(b)).map_or(end, |n| start + n);
    if first_word - start > 1 && line[first_word - 1] == b'>' {
        start = trimmed(first_word)?.0;
    }
    (line[start] != b'#').then(|| (start, &line[start..end]))
}

/// The arguments of one line (no `\n`) at byte offset `base` of its text; `None` for a
/// line with nothing to run.
pub fn split_line(line: &[u8], base: usize) -> Option<(Span, Result<Vec<Arg>, SplitError>)> {
    let (at, text) = command_text(line)?;
    Some((Span::new(base + at, base + at + text.len()), split_args(text, base + at)))
}

/// Every command line of `text`, in order.
pub fn read(text: &str) -> Vec<CommandLine> {
    let mut out = Vec::new();
    let mut base = 0;
    for (i, line) in text.as_bytes().split(|&b| b == b'\n').enumerate() {
        if let Some((span, args)) = split_line(line, base) {
            out.push(CommandLine { number: i + 1, span, args });
        }
        base += line.len() + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(usize, Vec<String>)> {
        read(text)
            .into_iter()
            .map(|l| (l.number, l.argv().iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect()))
            .collect()
    }

    #[test]
    fn lines_prompts_comments_and_quotes() {
        let text = "GET a\n\n  # a comment\n127.0.0.1:6379> SET \"k 1\" v\r\nlocalhost:6380[2]>   PING\n127.0.0.1:6379>\n> GET x\na>b c\n\tDEL  x y  \n#GET no";
        assert_eq!(
            words(text),
            [
                (1, vec!["GET".into(), "a".into()]),
                (4, vec!["SET".into(), "k 1".into(), "v".into()]),
                (5, vec!["PING".into()]),
                (7, vec![">".into(), "GET".into(), "x".into()]),
                (8, vec!["a>b".into(), "c".into()]),
                (9, vec!["DEL".into(), "x".into(), "y".into()]),
            ]
        );
        let l = &read("  x> GET k")[0];
        assert_eq!(l.span, Span::new(5, 10));
        assert_eq!(l.args.as_ref().unwrap()[1].span, Span::new(9, 10));
        assert!(read("GET \"a").first().is_some_and(|l| l.args.is_err()));
    }
}
