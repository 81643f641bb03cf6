//! Arguments as the server receives them ([`Token`]), with where each byte came from in
//! the analysed text ([`SourceMap`]): merged selectors and quoted arguments keep their
//! spans, so that a diagnostic or an explanation points at the right characters.

use crate::input::split::Arg;
use crate::span::Span;

/// An argument as the server receives it, with where it came from.
#[derive(Debug, Clone)]
pub struct Token {
    pub bytes: Vec<u8>,
    pub map: SourceMap,
}

impl Token {
    pub fn plain(bytes: impl Into<Vec<u8>>) -> Token {
        Token { bytes: bytes.into(), map: SourceMap::none() }
    }
    /// An argument of a split line (quoted ones map every byte to the whole argument).
    pub fn of_arg(a: &Arg) -> Token {
        let mut map = SourceMap::none();
        map.push(0, a.bytes.len(), a.span, a.verbatim);
        Token { bytes: a.bytes.clone(), map }
    }
    pub fn span(&self) -> Option<Span> {
        self.map.whole()
    }
}

/// Maps offsets inside a (possibly merged) rule token back to the source text.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    /// (offset in the token, source span of that piece, piece is verbatim source)
    pieces: Vec<(usize, usize, Span, bool)>,
}

impl SourceMap {
    pub fn none() -> SourceMap {
        SourceMap::default()
    }
    pub fn verbatim(span: Span) -> SourceMap {
        SourceMap { pieces: vec![(0, span.len(), span, true)] }
    }
    /// Adds a piece that occupies `len` bytes at `offset` of the token.
    pub fn push(&mut self, offset: usize, len: usize, span: Span, verbatim: bool) {
        self.pieces.push((offset, len, span, verbatim));
    }
    /// Appends another token's pieces, shifted to start at `offset`.
    pub fn append(&mut self, offset: usize, other: &SourceMap) {
        self.pieces.extend(other.pieces.iter().map(|&(o, l, s, v)| (o + offset, l, s, v)));
    }
    /// The whole token.
    pub fn whole(&self) -> Option<Span> {
        Some(self.pieces.first()?.2.to(self.pieces.last()?.2))
    }
    /// The source span of bytes `start..end` of the token.
    pub fn range(&self, start: usize, end: usize) -> Option<Span> {
        let map = |off: usize, is_end: bool| -> Option<usize> {
            let &(o, _, span, verbatim) = self
                .pieces
                .iter()
                .rev()
                .find(|(o, len, ..)| if is_end { *o < off && off <= o + len } else { *o <= off && off < o + len })
                .or(self.pieces.last())?;
            Some(if verbatim {
                span.start + (off - o).min(span.len())
            } else if is_end {
                span.end
            } else {
                span.start
            })
        };
        let s = map(start, false)?;
        let e = map(end, true)?.max(s);
        Some(Span::new(s, e))
    }
}
