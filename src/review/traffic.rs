//! What an application really sent, as redis-cli shows it: `redis-cli MONITOR > file`
//! lines ([`monitor_line`]) and `ACL LOG` replies in redis-cli's three renderings
//! ([`acl_log`]: raw, as redirected to a file; the terminal's RESP2 `1) 1) "count"`; and
//! RESP3 `1# "count" => …`). Line by line, so that captures of any size stream; every
//! line is understood or is an error at its line and column, never skipped silently.

use serde::Serialize;

/// Why a line is not what the format says, at a byte offset of the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineErrorKind {
    #[error("expected a MONITOR line: `<seconds>.<microseconds> [<db> <client>] \"<command>\" …`")]
    NotMonitor,
    #[error("expected `{0}`")]
    Expected(&'static str),
    #[error("the argument has no closing quote (the line is cut short)")]
    Unterminated,
    #[error(
        "byte 0x{0:02x} cannot be in a MONITOR line: redis-cli writes it as `\\x{0:02x}` (binary data, or not a MONITOR capture)"
    )]
    RawByte(u8),
    #[error("`\\{0}` is not an escape redis-cli writes")]
    BadEscape(char),
    #[error("expected an `ACL LOG` reply as redis-cli prints it")]
    NotAclLog,
    #[error("`{0}` is not a value of an `ACL LOG` entry")]
    BadValue(String),
}

/// A line that does not parse: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// Byte offset in the line.
    pub offset: usize,
    pub kind: LineErrorKind,
}

/// Who sent a MONITOR line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender<'a> {
    /// `[0 lua]`: run by a script (for the client whose EVAL/FCALL ran it).
    Script,
    /// `[0 127.0.0.1:54321]`, `[0 unix:/tmp/redis.sock]`: a client's address.
    Client(&'a str),
}

/// One command as MONITOR shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Monitored<'a> {
    /// Seconds and microseconds since the epoch.
    pub time: (u64, u32),
    pub db: u32,
    pub sender: Sender<'a>,
    pub argv: Vec<Vec<u8>>,
}

fn err(offset: usize, kind: LineErrorKind) -> LineError {
    LineError { offset, kind }
}

fn digits(line: &[u8], at: usize) -> Option<(u64, usize)> {
    let n = line[at.min(line.len())..].iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 || n > 19 {
        return None;
    }
    let v = std::str::from_utf8(&line[at..at + n]).ok()?.parse().ok()?;
    Some((v, at + n))
}

/// One quoted argument as `sdscatrepr` writes it, from `line[at] == '"'`: the bytes and
/// the offset after the closing quote.
pub fn quoted(line: &[u8], at: usize) -> Result<(Vec<u8>, usize), LineError> {
    if line.get(at) != Some(&b'"') {
        return Err(err(at, LineErrorKind::Expected("\"")));
    }
    let mut out = Vec::new();
    let mut i = at + 1;
    loop {
        match line.get(i) {
            None => return Err(err(at, LineErrorKind::Unterminated)),
            Some(b'"') => return Ok((out, i + 1)),
            Some(b'\\') => {
                let e = *line.get(i + 1).ok_or_else(|| err(at, LineErrorKind::Unterminated))?;
                let b = match e {
                    b'\\' => b'\\',
                    b'"' => b'"',
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'a' => 0x07,
                    b'b' => 0x08,
                    b'x' => {
                        let hex = line.get(i + 2..i + 4).ok_or_else(|| err(i, LineErrorKind::BadEscape('x')))?;
                        let s = std::str::from_utf8(hex).map_err(|_| err(i, LineErrorKind::BadEscape('x')))?;
                        let v = u8::from_str_radix(s, 16).map_err(|_| err(i, LineErrorKind::BadEscape('x')))?;
                        out.push(v);
                        i += 4;
                        continue;
                    }
                    c => return Err(err(i, LineErrorKind::BadEscape(c as char))),
                };
                out.push(b);
                i += 2;
            }
            Some(&b) if (0x20..=0x7e).contains(&b) => {
                out.push(b);
                i += 1;
            }
            Some(&b) => return Err(err(i, LineErrorKind::RawByte(b))),
        }
    }
}

/// One line of `redis-cli MONITOR` output (without its `\n`): `Ok(None)` for the `OK`
/// redis-cli prints first.
pub fn monitor_line(line: &[u8]) -> Result<Option<Monitored<'_>>, LineError> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line == b"OK" {
        return Ok(None);
    }
    if let Some(i) = line.iter().position(|&b| !(0x20..=0x7e).contains(&b)) {
        return Err(err(i, LineErrorKind::RawByte(line[i])));
    }
    let (secs, i) = digits(line, 0).ok_or_else(|| err(0, LineErrorKind::NotMonitor))?;
    if line.get(i) != Some(&b'.') {
        return Err(err(i, LineErrorKind::NotMonitor));
    }
    let (usecs, i) = digits(line, i + 1).ok_or_else(|| err(i + 1, LineErrorKind::NotMonitor))?;
    if line.get(i..i + 2) != Some(b" [") {
        return Err(err(i, LineErrorKind::Expected(" [")));
    }
    let (db, i) = digits(line, i + 2).ok_or_else(|| err(i + 2, LineErrorKind::Expected("a database number")))?;
    if line.get(i) != Some(&b' ') {
        return Err(err(i, LineErrorKind::Expected(" ")));
    }
    // The address ends at the first `] "` (a unix socket path may hold other brackets).
    let start = i + 1;
    let end = line[start..]
        .windows(3)
        .position(|w| w == b"] \"")
        .map(|p| start + p)
        .ok_or_else(|| err(start, LineErrorKind::Expected("] \"")))?;
    let addr = std::str::from_utf8(&line[start..end]).expect("printable ASCII");
    let sender = if addr == "lua" { Sender::Script } else { Sender::Client(addr) };
    let mut argv = Vec::new();
    let mut i = end + 2;
    loop {
        let (a, next) = quoted(line, i)?;
        argv.push(a);
        match line.get(next) {
            None => break,
            Some(b' ') => i = next + 1,
            Some(_) => return Err(err(next, LineErrorKind::Expected(" or the end of the line"))),
        }
    }
    Ok(Some(Monitored {
        time: (secs, usecs.min(u64::from(u32::MAX)) as u32),
        db: db.min(u64::from(u32::MAX)) as u32,
        sender,
        argv,
    }))
}

/// A value of an `ACL LOG` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum LogValue {
    Text(String),
    Int(i64),
    Double(f64),
    Nil,
}

impl LogValue {
    pub fn text(&self) -> String {
        match self {
            LogValue::Text(s) => s.clone(),
            LogValue::Int(i) => i.to_string(),
            LogValue::Double(d) => d.to_string(),
            LogValue::Nil => String::new(),
        }
    }
}

/// How redis-cli printed the `ACL LOG` reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogForm {
    /// Redirected to a file or a pipe: every value alone on its line.
    Raw,
    /// On a terminal (or `--no-raw`), RESP2: `1)  1) "count"`.
    Resp2,
    /// On a terminal with `-3`: `1# "count" => (integer) 1`.
    Resp3,
}

/// One entry: its fields in order, with the line each key is on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    pub line: usize,
    pub fields: Vec<(String, LogValue)>,
}

impl LogEntry {
    pub fn get(&self, key: &str) -> Option<&LogValue> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// A line of `acl_log` input that does not parse (1-based line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogError {
    pub line: usize,
    pub error: LineError,
}

/// A terminal value: `"text"`, `(integer) 1`, `(double) 1.5`, `(nil)`.
fn tty_value(s: &[u8], at: usize) -> Result<LogValue, LineError> {
    let t = &s[at..];
    if t.first() == Some(&b'"') {
        let (b, end) = quoted(s, at)?;
        if end != s.len() {
            return Err(err(end, LineErrorKind::Expected("the end of the line")));
        }
        return Ok(LogValue::Text(String::from_utf8_lossy(&b).into_owned()));
    }
    let text = String::from_utf8_lossy(t).into_owned();
    if let Some(n) = text.strip_prefix("(integer) ") {
        return n.parse().map(LogValue::Int).map_err(|_| err(at, LineErrorKind::BadValue(text.clone())));
    }
    if let Some(n) = text.strip_prefix("(double) ") {
        return n.parse().map(LogValue::Double).map_err(|_| err(at, LineErrorKind::BadValue(text.clone())));
    }
    if text == "(nil)" {
        return Ok(LogValue::Nil);
    }
    Err(err(at, LineErrorKind::BadValue(text)))
}

/// Skips `N) ` list markers (any depth) from `at`; the offset after them.
fn skip_markers(s: &[u8], mut at: usize) -> usize {
    loop {
        let sp = s[at..].iter().take_while(|b| **b == b' ').count();
        let d = s[at + sp..].iter().take_while(|b| b.is_ascii_digit()).count();
        if d > 0 && s.get(at + sp + d) == Some(&b')') && s.get(at + sp + d + 1) == Some(&b' ') {
            at += sp + d + 2;
        } else {
            return at + sp;
        }
    }
}

/// The entries of an `ACL LOG` reply as redis-cli printed it (`text` split in lines).
/// An empty log (`(empty array)`, or nothing) has no entries.
pub fn acl_log(text: &[u8]) -> Result<(LogForm, Vec<LogEntry>), LogError> {
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l)).collect::<Vec<_>>();
    let first = lines.iter().position(|l| !l.iter().all(|b| b.is_ascii_whitespace()));
    let Some(first) = first else { return Ok((LogForm::Raw, Vec::new())) };
    let f = lines[first];
    let trimmed = String::from_utf8_lossy(f).trim().to_string();
    // RESP3 maps print as `N# "key" => value` (inside `N) ` for the list of entries).
    let resp3 = |l: &[u8]| {
        let at = skip_markers(l, 0);
        let d = l[at..].iter().take_while(|b| b.is_ascii_digit()).count();
        d > 0 && l.get(at + d..at + d + 2) == Some(b"# ")
    };
    let form = if trimmed == "(empty array)" || trimmed == "(empty list or set)" {
        return Ok((LogForm::Resp2, Vec::new()));
    } else if resp3(f) {
        LogForm::Resp3
    } else if trimmed.starts_with("1) ") {
        LogForm::Resp2
    } else if trimmed == "count" {
        LogForm::Raw
    } else {
        return Err(LogError { line: first + 1, error: err(0, LineErrorKind::NotAclLog) });
    };
    // Every (line, key-or-value) in order.
    let mut items: Vec<(usize, LogValue)> = Vec::new();
    for (n, l) in lines.iter().enumerate().skip(first) {
        if l.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let at_line = |e: LineError| LogError { line: n + 1, error: e };
        match form {
            LogForm::Raw => items.push((n + 1, LogValue::Text(String::from_utf8_lossy(l).into_owned()))),
            LogForm::Resp2 => {
                let at = skip_markers(l, 0);
                items.push((n + 1, tty_value(l, at).map_err(at_line)?));
            }
            LogForm::Resp3 => {
                let sp = skip_markers(l, 0);
                let d = l[sp..].iter().take_while(|b| b.is_ascii_digit()).count();
                let at = if d > 0 && l.get(sp + d..sp + d + 2) == Some(b"# ") { sp + d + 2 } else { sp };
                let (k, end) = quoted(l, at).map_err(at_line)?;
                if l.get(end..end + 4) != Some(b" => ") {
                    return Err(at_line(err(end, LineErrorKind::Expected(" => "))));
                }
                items.push((n + 1, LogValue::Text(String::from_utf8_lossy(&k).into_owned())));
                items.push((n + 1, tty_value(l, end + 4).map_err(at_line)?));
            }
        }
    }
    if !items.len().is_multiple_of(2) {
        let (line, _) = items[items.len() - 1];
        return Err(LogError { line, error: err(0, LineErrorKind::Expected("a value after the last key")) });
    }
    let mut entries: Vec<LogEntry> = Vec::new();
    for pair in items.chunks(2) {
        let (line, key) = (&pair[0].0, pair[0].1.text());
        let value = pair[1].1.clone();
        // In the raw form, numbers are plain lines.
        let value = match (form, &value) {
            (LogForm::Raw, LogValue::Text(t)) if key != "client-info" && key != "object" && key != "username" => {
                t.parse::<i64>().map(LogValue::Int).unwrap_or(value)
            }
            _ => value,
        };
        if key == "count" || entries.is_empty() {
            if key != "count" {
                return Err(LogError { line: *line, error: err(0, LineErrorKind::Expected("count")) });
            }
            entries.push(LogEntry { line: *line, fields: Vec::new() });
        }
        entries.last_mut().expect("an entry").fields.push((key, value));
    }
    Ok((form, entries))
}

/// The `key=value` fields of `client-info` (`addr=…`, `name=…`, `cmd=…`, `user=…`).
pub fn client_info(info: &str) -> Vec<(&str, &str)> {
    info.split(' ').filter_map(|kv| kv.split_once('=')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monitor_lines() {
        let l =
            monitor_line(br#"1701612345.123456 [0 127.0.0.1:54321] "SET" "app:1" "a\"b\\c\x00\n""#).unwrap().unwrap();
        assert_eq!(l.time, (1701612345, 123456));
        assert_eq!(l.sender, Sender::Client("127.0.0.1:54321"));
        assert_eq!(l.argv, vec![b"SET".to_vec(), b"app:1".to_vec(), b"a\"b\\c\0\n".to_vec()]);
        let l = monitor_line(br#"1.000001 [3 lua] "get" "k""#).unwrap().unwrap();
        assert_eq!((l.db, l.sender), (3, Sender::Script));
        let l = monitor_line(br#"1.1 [0 unix:/tmp/a] b.sock] "PING""#).unwrap().unwrap();
        assert_eq!(l.sender, Sender::Client("unix:/tmp/a] b.sock"));
        assert_eq!(monitor_line(b"OK").unwrap(), None);
        let bad = |l: &[u8]| monitor_line(l).unwrap_err();
        assert_eq!(bad(br#"1.1 [0 x] "SET" "ab"#), err(16, LineErrorKind::Unterminated));
        assert_eq!(bad(b"1.1 [0 x] \"S\xffT\"").kind, LineErrorKind::RawByte(0xff));
        assert_eq!(bad(br#"1.1 [0 x] "S\qT""#), err(12, LineErrorKind::BadEscape('q')));
        assert_eq!(bad(b"user app on").kind, LineErrorKind::NotMonitor);
        assert_eq!(bad(br#"1.1 [0 x] "A""B""#).kind, LineErrorKind::Expected(" or the end of the line"));
    }

    #[test]
    fn acl_log_forms() {
        let raw = b"count\n1\nreason\ncommand\ncontext\ntoplevel\nobject\nget\nusername\ncache\nage-seconds\n4.1\nclient-info\nid=3 addr=127.0.0.1:1 cmd=get user=cache\ncount\n2\nreason\nkey\nobject\napp:1\nusername\napp\n";
        let (form, e) = acl_log(raw).unwrap();
        assert_eq!((form, e.len()), (LogForm::Raw, 2));
        assert_eq!(e[0].get("count"), Some(&LogValue::Int(1)));
        assert_eq!(e[1].get("object"), Some(&LogValue::Text("app:1".into())));
        let tty = b"1)  1) \"count\"\n    2) (integer) 1\n    3) \"reason\"\n    4) \"key\"\n2)  1) \"count\"\n    2) (integer) 7\n";
        let (form, e) = acl_log(tty).unwrap();
        assert_eq!((form, e.len()), (LogForm::Resp2, 2));
        assert_eq!(e[1].get("count"), Some(&LogValue::Int(7)));
        let r3 = b" 1) 1# \"count\" => (integer) 1\n    2# \"reason\" => \"command\"\n    3# \"age-seconds\" => (double) 2.5\n";
        let (form, e) = acl_log(r3).unwrap();
        assert_eq!((form, e[0].get("age-seconds")), (LogForm::Resp3, Some(&LogValue::Double(2.5))));
        assert_eq!(acl_log(b"(empty array)\n").unwrap().1.len(), 0);
        assert_eq!(acl_log(b"user x\n").unwrap_err().error.kind, LineErrorKind::NotAclLog);
        assert_eq!(acl_log(b"1)  1) \"count\"\n    2) (integer) x\n").unwrap_err().line, 2);
    }
}
