//! A small RESP2 client, over TCP or (feature `tls`) TLS.
//!
//! Hand-written on purpose: the oracle must see the exact reply bytes (simple
//! string vs bulk string, the full error line, nil vs empty), which general
//! purpose clients tend to convert away.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
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

    /// A read or write that ran out of time (the socket's time-out).
    pub fn is_timeout(&self) -> bool {
        matches!(self, RespError::Io(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut))
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

/// The byte stream under a [`Conn`]: plain TCP, or TLS over TCP (feature `tls`).
enum Stream {
    Tcp(TcpStream),
    #[cfg(feature = "tls")]
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// Where a connection goes, kept to open it again ([`Conn::reconnect`]).
#[derive(Clone)]
struct Endpoint {
    addr: SocketAddr,
    #[cfg(feature = "tls")]
    tls: Option<(crate::tls::Tls, String)>,
}

/// A connection to one server. Commands are buffered by [`Conn::send`] and
/// written on [`Conn::flush`] (or by the convenience methods), so many
/// commands travel in one write (pipelining).
pub struct Conn {
    endpoint: Endpoint,
    io: BufReader<Stream>,
    out: Vec<u8>,
    auth: Option<(Vec<u8>, Vec<u8>)>,
    timeout: Duration,
}

/// Default I/O timeout: generous, since a crashing server may spend a while
/// writing its bug report before the socket closes.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a connection could not be opened, one kind per way it fails (`aclplay verify`
/// gives each its own exit code).
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The host name does not resolve.
    #[error("cannot resolve `{host}`: {reason}")]
    Dns { host: String, reason: String },
    /// Nothing listens there.
    #[error("{addr} refused the connection (nothing listens on that port)")]
    Refused { addr: String },
    /// No connection (or no TLS answer) within the time-out.
    #[error("no answer from {addr} within {} s", timeout.as_secs_f64())]
    Timeout { addr: String, timeout: Duration },
    /// The TLS handshake failed: a bad certificate, or not a TLS port.
    #[error("TLS handshake with {addr} failed: {reason}")]
    Tls { addr: String, reason: String },
    /// Any other failure of the network.
    #[error("cannot connect to {addr}: {source}")]
    Io { addr: String, source: io::Error },
}

fn tcp(addr: SocketAddr, timeout: Duration) -> Result<TcpStream, ConnectError> {
    let stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| match e.kind() {
        io::ErrorKind::ConnectionRefused => ConnectError::Refused { addr: addr.to_string() },
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
            ConnectError::Timeout { addr: addr.to_string(), timeout }
        }
        _ => ConnectError::Io { addr: addr.to_string(), source: e },
    })?;
    let set = |r: io::Result<()>| r.map_err(|e| ConnectError::Io { addr: addr.to_string(), source: e });
    set(stream.set_nodelay(true))?;
    set(stream.set_read_timeout(Some(timeout)))?;
    set(stream.set_write_timeout(Some(timeout)))?;
    Ok(stream)
}

/// Opens connections like an existing one ([`Conn::reopener`]). It holds the
/// credentials, so it prints nothing of itself.
#[derive(Clone)]
pub struct Reopen {
    endpoint: Endpoint,
    auth: Option<(Vec<u8>, Vec<u8>)>,
    timeout: Duration,
}

impl Reopen {
    /// A fresh connection, authenticated as the original was. Fails if the AUTH is
    /// refused.
    pub fn open(&self) -> Result<Conn, RespError> {
        let mut fresh = Conn::open_endpoint(self.endpoint.clone(), self.timeout).map_err(|e| match e {
            ConnectError::Io { source, .. } => RespError::Io(source),
            other => RespError::Io(io::Error::other(other.to_string())),
        })?;
        if let Some((u, p)) = self.auth.clone() {
            let r = fresh.command(&[b"AUTH".as_slice(), &u, &p])?;
            if !r.is_ok() {
                return Err(RespError::Protocol(format!("re-AUTH refused: {r}")));
            }
            fresh.auth = Some((u, p));
        }
        Ok(fresh)
    }
}

impl Conn {
    /// Connects to `127.0.0.1:port`.
    pub fn connect(port: u16) -> Result<Conn, RespError> {
        Conn::connect_addr(SocketAddr::from(([127, 0, 0, 1], port)), DEFAULT_TIMEOUT)
    }

    pub fn connect_addr(addr: SocketAddr, timeout: Duration) -> Result<Conn, RespError> {
        Conn::open_endpoint(
            Endpoint {
                addr,
                #[cfg(feature = "tls")]
                tls: None,
            },
            timeout,
        )
        .map_err(|e| match e {
            ConnectError::Io { source, .. } => RespError::Io(source),
            other => RespError::Io(io::Error::other(other.to_string())),
        })
    }

    /// Resolves `host` and connects to the first address that answers, over TLS when
    /// `tls` is given (the certificate checked for `host`).
    pub fn open(
        host: &str,
        port: u16,
        timeout: Duration,
        #[cfg(feature = "tls")] tls: Option<&crate::tls::Tls>,
    ) -> Result<Conn, ConnectError> {
        use std::net::ToSocketAddrs;
        let addrs: Vec<SocketAddr> = (host, port)
            .to_socket_addrs()
            .map_err(|e| ConnectError::Dns { host: host.to_string(), reason: e.to_string() })?
            .collect();
        let mut last = ConnectError::Dns { host: host.to_string(), reason: "no address".into() };
        for addr in addrs {
            let endpoint = Endpoint {
                addr,
                #[cfg(feature = "tls")]
                tls: tls.map(|t| (t.clone(), host.to_string())),
            };
            match Conn::open_endpoint(endpoint, timeout) {
                Ok(c) => return Ok(c),
                // A TLS failure is the server's answer: another address would say the same.
                Err(e @ ConnectError::Tls { .. }) => return Err(e),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    fn open_endpoint(endpoint: Endpoint, timeout: Duration) -> Result<Conn, ConnectError> {
        let stream = tcp(endpoint.addr, timeout)?;
        #[cfg(feature = "tls")]
        let stream = match &endpoint.tls {
            Some((tls, host)) => Stream::Tls(Box::new(tls.handshake(stream, host, endpoint.addr, timeout)?)),
            None => Stream::Tcp(stream),
        };
        #[cfg(not(feature = "tls"))]
        let stream = Stream::Tcp(stream);
        Ok(Conn {
            endpoint,
            io: BufReader::with_capacity(64 * 1024, stream),
            out: Vec::with_capacity(64 * 1024),
            auth: None,
            timeout,
        })
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.endpoint.addr
    }

    /// Whether the connection is TLS.
    pub fn is_tls(&self) -> bool {
        #[cfg(feature = "tls")]
        return self.endpoint.tls.is_some();
        #[cfg(not(feature = "tls"))]
        false
    }

    /// Remembers credentials and authenticates now (`AUTH user pass`).
    /// [`Conn::reconnect`] re-sends them.
    pub fn auth(&mut self, user: &str, pass: &str) -> Result<Reply, RespError> {
        self.auth = Some((user.as_bytes().to_vec(), pass.as_bytes().to_vec()));
        self.command(&[b"AUTH".as_slice(), user.as_bytes(), pass.as_bytes()])
    }

    /// What it takes to open another connection like this one (same server, transport
    /// and credentials), kept apart from it: a clean-up must still be possible when this
    /// connection is gone.
    pub fn reopener(&self) -> Reopen {
        Reopen { endpoint: self.endpoint.clone(), auth: self.auth.clone(), timeout: self.timeout }
    }

    /// A new connection to the same server, over the same transport, with the same
    /// credentials (a second connection beside this one).
    pub fn open_again(&self) -> Result<Conn, RespError> {
        self.reopener().open()
    }

    /// Opens a fresh connection to the same address (e.g. after ACL LOAD
    /// closed ours, or after the server was restarted) and re-authenticates
    /// if credentials were set. Fails if the AUTH is refused.
    pub fn reconnect(&mut self) -> Result<(), RespError> {
        *self = self.open_again()?;
        Ok(())
    }

    /// Buffers one command (binary-safe arguments).
    pub fn send<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<(), RespError> {
        let w = &mut self.out;
        w.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
        for a in args {
            let a = a.as_ref();
            w.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            w.extend_from_slice(a);
            w.extend_from_slice(b"\r\n");
        }
        Ok(())
    }

    pub fn flush(&mut self) -> Result<(), RespError> {
        let out = std::mem::take(&mut self.out);
        let s = self.io.get_mut();
        let r = s.write_all(&out).and_then(|()| s.flush()).map_err(classify);
        self.out = out;
        self.out.clear();
        r
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
        read_reply(&mut self.io)
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
