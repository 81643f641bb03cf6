//! JSON output in the corpus style.
//!
//! The shared corpora were written with `", "` / `": "` separators and raw
//! UTF-8; writing the same bytes keeps recorded files diff-friendly against
//! them.

use serde::Serialize;
use serde_json::ser::Formatter;
use std::io;

/// `{"a": 1, "b": [1, 2]}` style: one space after `,` and `:`.
#[derive(Default)]
pub struct SpacedFormatter;

impl Formatter for SpacedFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
}

/// One value on one line in the corpus style (no trailing newline).
pub fn to_line<T: Serialize + ?Sized>(v: &T) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, SpacedFormatter);
    v.serialize(&mut ser).expect("serialising to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_python_json_dumps() {
        let v = serde_json::json!({"a": [1, "x\u{b}y", null], "b": {"c": "pä"}});
        assert_eq!(to_line(&v), r#"{"a": [1, "x\u000by", null], "b": {"c": "pä"}}"#);
    }
}
