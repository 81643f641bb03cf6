//! A small RESP2 client.
//!
//! Hand-written on purpose: the oracle must see the exact reply bytes (simple
//! string vs bulk string, the full error line, nil vs empty), which general
//! purpose clients tend to convert away.

use std::fmt;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// One RESP2 reply, byte-exact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// `+...` status reply.
    Simple(Vec<u8>),
    /// `-...` error reply; the text includes its code (`ERR ...`, `NOAUTH ...`).
    Error(Vec<u8>),
    /// `:...` integer reply.
    Int(i64),
    /// `$...` bulk string; `None` is the nil bulk (`$-1`).
    Bulk(Option<Vec<u8>>),
    /// `*...` array; `None` is the nil array (`*-1`).
    Array(Option<Vec<Reply>>),
}

impl Reply {
    /// The payload of a simple, error or non-nil bulk reply as (lossy) UTF-8.
    pub fn text(&self) -> Option<String> {
        match self {
            Reply::Simple(b) | Reply::Error(b) | Reply::Bulk(Some(b)) => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        }
    }

    /// True for `+OK`.
    pub fn is_ok(&self) -> bool {
        matches!(self, Reply::Simple(b) if b == b"OK")
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// Elements of a non-nil array.
    pub fn as_array(&self) -> Option<&[Reply]> {
        match self {
            Reply::Array(Some(v)) => Some(v),
            _ => None,
        }
    }

    /// Integer value of an `Int` reply.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Reply::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Simple(b) => write!(f, "+{}", String::from_utf8_lossy(b)),
            Reply::Error(b) => write!(f, "-{}", String::from_utf8_lossy(b)),
            Reply::Int(i) => write!(f, ":{i}"),
            Reply::Bulk(None) => write!(f, "(nil)"),
            Reply::Bulk(Some(b)) => write!(f, "{:?}", String::from_utf8_lossy(b)),
            Reply::Array(None) => write!(f, "(nil array)"),
            Reply::Array(Some(v)) => {
                write!(f, "[")?;
                for (i, r) in v.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{r}")?;
                }
                write!(f, "]")
            }
        }
    }
}

/// Why a request did not produce a reply.
#[derive(Debug)]
pub enum RespError {
    /// The peer closed the connection or it was reset: the usual sign of a
    /// server crash, so callers check the process next.
    ConnectionLost(String),
    /// Any other I/O failure (timeouts, refused connects).
    Io(io::Error),
    /// Bytes that are not RESP2.
    Protocol(String),
}

impl fmt::Display for RespError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RespError::ConnectionLost(m) => write!(f, "connection lost: {m}"),
            RespError::Io(e) => write!(f, "I/O error: {e}"),
            RespError::Protocol(m) => write!(f, "protocol error: {m}"),
        }
    }
}

impl std::error::Error for RespError {}

impl RespError {
    pub fn is_connection_lost(&self) -> bool {
        matches!(self, RespError::ConnectionLost(_))
    }
}

fn classify(e: io::Error) -> RespError {
    use io::ErrorKind::*;
    match e.kind() {
        UnexpectedEof | ConnectionReset | ConnectionAborted | BrokenPipe | NotConnected => {
            RespError::ConnectionLost(e.to_string())
        }
        _ => RespError::Io(e),
    }
}

/// Replies received before a pipeline broke, plus the reason it broke.
#[derive(Debug)]
pub struct PipelineError {
    pub replies: Vec<Reply>,
    pub error: RespError,
}

impl fmt::Display for PipelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pipeline broken after {} replies: {}", self.replies.len(), self.error)
    }
}

impl std::error::Error for PipelineError {}

/// A connection to one server. Commands are buffered by [`Conn::send`] and
/// written on [`Conn::flush`] (or by the convenience methods), so many
/// commands travel in one write (pipelining).
pub struct Conn {
    addr: SocketAddr,
    reader: BufReader<TcpStream>,
    writer: BufWriter<TcpStream>,
    auth: Option<(Vec<u8>, Vec<u8>)>,
    timeout: Duration,
}

/// Default I/O timeout: generous, since a crashing server may spend a while
/// writing its bug report before the socket closes.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl Conn {
    /// Connects to `127.0.0.1:port`.
    pub fn connect(port: u16) -> Result<Conn, RespError> {
        Conn::connect_addr(SocketAddr::from(([127, 0, 0, 1], port)), DEFAULT_TIMEOUT)
    }

    pub fn connect_addr(addr: SocketAddr, timeout: Duration) -> Result<Conn, RespError> {
        let stream = TcpStream::connect_timeout(&addr, timeout).map_err(RespError::Io)?;
        stream.set_nodelay(true).map_err(RespError::Io)?;
        stream.set_read_timeout(Some(timeout)).map_err(RespError::Io)?;
        stream.set_write_timeout(Some(timeout)).map_err(RespError::Io)?;
        let w = stream.try_clone().map_err(RespError::Io)?;
        Ok(Conn {
            addr,
            reader: BufReader::with_capacity(64 * 1024, stream),
            writer: BufWriter::with_capacity(64 * 1024, w),
            auth: None,
            timeout,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Remembers credentials and authenticates now (`AUTH user pass`).
    /// [`Conn::reconnect`] re-sends them.
    pub fn auth(&mut self, user: &str, pass: &str) -> Result<Reply, RespError> {
        self.auth = Some((user.as_bytes().to_vec(), pass.as_bytes().to_vec()));
        self.command(&[b"AUTH".as_slice(), user.as_bytes(), pass.as_bytes()])
    }

    /// Opens a fresh TCP connection to the same address (e.g. after ACL LOAD
    /// closed ours, or after the server was restarted) and re-authenticates
    /// if credentials were set. Fails if the AUTH is refused.
    pub fn reconnect(&mut self) -> Result<(), RespError> {
        let mut fresh = Conn::connect_addr(self.addr, self.timeout)?;
        if let Some((u, p)) = self.auth.clone() {
            let r = fresh.command(&[b"AUTH".as_slice(), &u, &p])?;
            if !r.is_ok() {
                return Err(RespError::Protocol(format!("re-AUTH refused: {r}")));
            }
            fresh.auth = Some((u, p));
        }
        *self = fresh;
        Ok(())
    }

    /// Buffers one command (binary-safe arguments).
    pub fn send<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<(), RespError> {
        let w = &mut self.writer;
        let mut put = || -> io::Result<()> {
            write!(w, "*{}\r\n", args.len())?;
            for a in args {
                let a = a.as_ref();
                write!(w, "${}\r\n", a.len())?;
                w.write_all(a)?;
                w.write_all(b"\r\n")?;
            }
            Ok(())
        };
        put().map_err(classify)
    }

    pub fn flush(&mut self) -> Result<(), RespError> {
        self.writer.flush().map_err(classify)
    }

    /// Sends one command and reads its reply.
    pub fn command<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<Reply, RespError> {
        self.send(args)?;
        self.flush()?;
        self.read_reply()
    }

    /// Sends all commands in one write, then reads one reply per command.
    pub fn pipeline<C, A>(&mut self, cmds: &[C]) -> Result<Vec<Reply>, PipelineError>
    where
        C: AsRef<[A]>,
        A: AsRef<[u8]>,
    {
        let mut replies = Vec::with_capacity(cmds.len());
        let sent = cmds.iter().try_for_each(|c| self.send(c.as_ref())).and_then(|_| self.flush());
        if let Err(error) = sent {
            return Err(PipelineError { replies, error });
        }
        for _ in cmds {
            match self.read_reply() {
                Ok(r) => replies.push(r),
                Err(error) => return Err(PipelineError { replies, error }),
            }
        }
        Ok(replies)
    }

    /// Reads the next reply.
    pub fn read_reply(&mut self) -> Result<Reply, RespError> {
        read_reply(&mut self.reader)
    }
}

fn read_line<R: BufRead>(r: &mut R) -> Result<Vec<u8>, RespError> {
    let mut line = Vec::new();
    let n = r.read_until(b'\n', &mut line).map_err(classify)?;
    if n == 0 {
        return Err(RespError::ConnectionLost("EOF".into()));
    }
    if !line.ends_with(b"\r\n") {
        return Err(RespError::ConnectionLost(format!("truncated line {:?}", String::from_utf8_lossy(&line))));
    }
    line.truncate(line.len() - 2);
    Ok(line)
}

fn parse_int(b: &[u8]) -> Result<i64, RespError> {
    std::str::from_utf8(b)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| RespError::Protocol(format!("bad integer {:?}", String::from_utf8_lossy(b))))
}

/// Reads one reply from any buffered reader (used by [`Conn`], public for tests).
pub fn read_reply<R: BufRead>(r: &mut R) -> Result<Reply, RespError> {
    let line = read_line(r)?;
    let (kind, rest) = line.split_first().ok_or_else(|| RespError::Protocol("empty line".into()))?;
    match kind {
        b'+' => Ok(Reply::Simple(rest.to_vec())),
        b'-' => Ok(Reply::Error(rest.to_vec())),
        b':' => Ok(Reply::Int(parse_int(rest)?)),
        b'$' => {
            let n = parse_int(rest)?;
            if n < 0 {
                return Ok(Reply::Bulk(None));
            }
            let mut buf = vec![0u8; n as usize + 2];
            r.read_exact(&mut buf).map_err(classify)?;
            if !buf.ends_with(b"\r\n") {
                return Err(RespError::Protocol("bulk not terminated by CRLF".into()));
            }
            buf.truncate(n as usize);
            Ok(Reply::Bulk(Some(buf)))
        }
        b'*' => {
            let n = parse_int(rest)?;
            if n < 0 {
                return Ok(Reply::Array(None));
            }
            let mut v = Vec::with_capacity(n as usize);
            for _ in 0..n {
                v.push(read_reply(r)?);
            }
            Ok(Reply::Array(Some(v)))
        }
        other => Err(RespError::Protocol(format!("unexpected reply type byte {:?}", *other as char))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(b: &[u8]) -> Result<Reply, RespError> {
        read_reply(&mut io::Cursor::new(b.to_vec()))
    }

    #[test]
    fn parses_every_kind() {
        assert_eq!(parse(b"+OK\r\n").unwrap(), Reply::Simple(b"OK".to_vec()));
        assert_eq!(parse(b"-ERR x y\r\n").unwrap(), Reply::Error(b"ERR x y".to_vec()));
        assert_eq!(parse(b":-12\r\n").unwrap(), Reply::Int(-12));
        assert_eq!(parse(b"$-1\r\n").unwrap(), Reply::Bulk(None));
        assert_eq!(parse(b"$4\r\na\r\nb\r\n").unwrap(), Reply::Bulk(Some(b"a\r\nb".to_vec())));
        assert_eq!(parse(b"*-1\r\n").unwrap(), Reply::Array(None));
        assert_eq!(
            parse(b"*2\r\n$0\r\n\r\n*0\r\n").unwrap(),
            Reply::Array(Some(vec![Reply::Bulk(Some(vec![])), Reply::Array(Some(vec![]))]))
        );
    }

    #[test]
    fn eof_is_connection_lost() {
        assert!(parse(b"").unwrap_err().is_connection_lost());
        assert!(parse(b"$5\r\nab").unwrap_err().is_connection_lost());
        assert!(matches!(parse(b"?x\r\n"), Err(RespError::Protocol(_))));
    }
}
