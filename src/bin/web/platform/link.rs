//! Share links: the work as JSON (`work::to_json`), compressed by the browser
//! (`CompressionStream("deflate-raw")`, no deflate code in the wasm), base64url-encoded
//! into the URL fragment, which browsers never send to a server. (Which secrets a link
//! leaves out is `aclplay::audit::secrets`.)

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::{Blob, ReadableStream, ReadableWritablePair, Response, WritableStream};

// The Compression Streams API (web-sys has it only behind its unstable-APIs cfg).
#[wasm_bindgen]
extern "C" {
    type CompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<CompressionStream, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &CompressionStream) -> ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &CompressionStream) -> WritableStream;

    type DecompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<DecompressionStream, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &DecompressionStream) -> ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &DecompressionStream) -> WritableStream;
}

/// The fragment prefix of a share link.
pub const PREFIX: &str = "#s=";

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding.
pub fn b64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        acc = acc << 6 | B64.iter().position(|&b| b == c)? as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A lone trailing character cannot come from whole bytes.
    (bits < 6).then_some(out)
}

/// Pipes bytes through a (de)compression stream: a promise of the result (an
/// `ArrayBuffer`), awaited by `app::wait`.
pub fn pipe(data: &[u8], compress: bool) -> Result<js_sys::Promise, JsValue> {
    let parts = Array::of1(&Uint8Array::from(data));
    let input: ReadableStream = Blob::new_with_u8_array_sequence(&parts)?.stream();
    let pair: ReadableWritablePair = if compress {
        let c = CompressionStream::new("deflate-raw")?;
        ReadableWritablePair::new(&c.readable(), &c.writable())
    } else {
        let d = DecompressionStream::new("deflate-raw")?;
        ReadableWritablePair::new(&d.readable(), &d.writable())
    };
    let out = input.pipe_through(&pair);
    Response::new_with_opt_readable_stream(Some(&out))?.array_buffer()
}

/// The page's URL without its fragment.
pub fn base_url() -> String {
    let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}

/// Drops the fragment from the address bar (so a reload restores the autosave, not the
/// link), without navigating.
pub fn clear_fragment() {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&base_url()));
    }
}

pub fn current_fragment() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_and_rejects_foreign_characters() {
        for n in 0..40 {
            let data: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            let s = b64_encode(&data);
            assert!(s.bytes().all(|b| B64.contains(&b)), "{s}");
            assert_eq!(b64_decode(&s).as_deref(), Some(data.as_slice()), "{n} bytes");
        }
        assert_eq!(b64_encode(b"\xfb\xff"), "-_8");
        assert_eq!(b64_decode("ab+c"), None);
        assert_eq!(b64_decode("a"), None, "a lone character is not whole bytes");
    }
}
