//! Byte spans into the analysed text, and their line/column rendering.

use serde::Serialize;

/// A byte range `[start, end)` into the text given to [`crate::analyze`](crate::analysis::analyze).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    /// The same span `by` bytes later (earlier when negative): where it lands after an
    /// edit before it changed the text's length by `by`.
    pub fn shifted(self, by: isize) -> Span {
        Span::new(self.start.wrapping_add_signed(by), self.end.wrapping_add_signed(by))
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.len()).into()
    }
}

/// A 1-based line and column (columns count characters, as editors do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Line starts of a text, for turning byte offsets into lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// The lines with a non-ASCII byte (where a column must count characters), by number.
    wide: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let mut wide = Vec::new();
        let mut ascii = true;
        for (i, &b) in text.as_bytes().iter().enumerate() {
            if b == b'\n' {
                if !ascii {
                    wide.push(starts.len() - 1);
                }
                starts.push(i + 1);
                ascii = true;
            } else if b >= 0x80 {
                ascii = false;
            }
        }
        if !ascii {
            wide.push(starts.len() - 1);
        }
        LineIndex { starts, wide }
    }

    /// The 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line]
    }

    /// Line and column (both 1-based) of byte `offset` in `text`.
    pub fn locate(&self, text: &str, offset: usize) -> LineCol {
        let line = self.line_of(offset);
        let start = self.starts[line];
        let end = offset.min(text.len()).max(start);
        // An ASCII line's columns are its bytes: no need to count (a 1 MB line would cost
        // a scan per location).
        let column = if self.wide.binary_search(&line).is_err() {
            end - start
        } else {
            text.get(start..end).map_or(end - start, |s| s.chars().count())
        } + 1;
        LineCol { line: line + 1, column }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let t = "ab\ncdé f\n";
        let ix = LineIndex::new(t);
        assert_eq!(ix.locate(t, 0), LineCol { line: 1, column: 1 });
        assert_eq!(ix.locate(t, 3), LineCol { line: 2, column: 1 });
        // é is two bytes but one column.
        assert_eq!(ix.locate(t, 7), LineCol { line: 2, column: 4 });
        assert_eq!(ix.locate(t, 9), LineCol { line: 2, column: 6 });
        assert_eq!(ix.locate(t, 10), LineCol { line: 3, column: 1 });
        let t = "abc\nxé\ny";
        let ix = LineIndex::new(t);
        assert_eq!(ix.locate(t, 2), LineCol { line: 1, column: 3 });
        assert_eq!(ix.locate(t, 7), LineCol { line: 2, column: 3 });
        assert_eq!(ix.locate(t, 9), LineCol { line: 3, column: 2 });
    }
}
