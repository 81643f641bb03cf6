//! Replies as a server sends them ([`Value`]), printed the way redis-cli prints them, for
//! the replies of simulated redis-cli sessions.

/// A value as the server replies, for showing it the way redis-cli does.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum Value {
    Status(String),
    Error(String),
    Bulk(String),
    Int(i64),
    Nil,
    Array(Vec<Value>),
}

impl Value {
    /// The lines redis-cli prints for this value.
    pub fn cli_lines(&self) -> Vec<String> {
        match self {
            Value::Status(s) => vec![s.clone()],
            Value::Error(e) => vec![format!("(error) {e}")],
            Value::Bulk(b) => vec![repr(b.as_bytes())],
            Value::Int(i) => vec![format!("(integer) {i}")],
            Value::Nil => vec!["(nil)".into()],
            Value::Array(items) if items.is_empty() => vec!["(empty array)".into()],
            Value::Array(items) => {
                let w = items.len().to_string().len();
                let mut out = Vec::new();
                for (i, v) in items.iter().enumerate() {
                    for (j, l) in v.cli_lines().into_iter().enumerate() {
                        if j == 0 {
                            out.push(format!("{:>w$}) {l}", i + 1));
                        } else {
                            out.push(format!("{:w$}  {l}", ""));
                        }
                    }
                }
                out
            }
        }
    }
    pub fn is_error(&self) -> bool {
        matches!(self, Value::Error(_))
    }
}

/// A string as redis-cli prints it (`sdscatrepr`): quoted, `\\` and `"` escaped, the
/// common control characters as `\n` `\r` `\t` `\a` `\b`, every other byte that is not
/// printable ASCII as `\xNN`.
pub fn repr(b: &[u8]) -> String {
    let mut s = String::from("\"");
    for &c in b {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0x07 => s.push_str("\\a"),
            0x08 => s.push_str("\\b"),
            0x20..=0x7e => s.push(c as char),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                s.push_str("\\x");
                s.push(HEX[(c >> 4) as usize] as char);
                s.push(HEX[(c & 15) as usize] as char);
            }
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_print_as_redis_cli_prints_them() {
        // redis-cli --no-raw shows these exactly so (checked against a live redis-cli).
        assert_eq!(
            repr(b"This user has no permissions to access the 'other' key"),
            r#""This user has no permissions to access the 'other' key""#
        );
        assert_eq!(repr("café".as_bytes()), r#""caf\xc3\xa9""#);
        assert_eq!(repr(b"a\"b\\c\n\r\t\x07\x08\x00"), r#""a\"b\\c\n\r\t\a\b\x00""#);
    }
}
