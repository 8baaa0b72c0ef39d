//! Hashing: XXH3-128 over the frozen, length-prefixed field encoding of `SPEC.md` (version `rivers.v1`).
//!
//! Every hash Rivers stores goes through [`hash_fields`] (or its streaming twin [`FieldHasher`]), so a
//! value hashed from memory and the same bytes hashed from a file agree. Changing anything here
//! invalidates every user's records: the golden vectors in the tests pin it on purpose.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use xxhash_rust::xxh3::Xxh3;

/// Version tag hashed first into every hash. Bump it (and the golden vectors) to change the encoding.
pub const ENCODING_VERSION: &str = "rivers.v1";

/// A 128-bit hash, in the canonical big-endian byte order.
pub type Hash128 = [u8; 16];

/// Field tags of the encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum FieldTag {
    /// UTF-8 text.
    Str = 0x01,
    /// Raw bytes.
    Bytes = 0x02,
    /// A nested 16-byte hash.
    Hash = 0x03,
}

/// One field to hash.
#[derive(Clone, Copy, Debug)]
pub enum Field<'a> {
    /// UTF-8 text (tag `0x01`).
    Str(&'a str),
    /// Raw bytes (tag `0x02`).
    Bytes(&'a [u8]),
    /// A nested hash (tag `0x03`).
    Hash(&'a Hash128),
}

/// Streaming hasher over the field encoding: `begin(domain)`, then fields, possibly a field whose
/// payload arrives in chunks (`begin_field` + `update`), then `finish`.
pub struct FieldHasher {
    inner: Xxh3,
}

impl FieldHasher {
    /// Starts a hash in `domain` (writes the version tag and the domain fields).
    pub fn begin(domain: &str) -> Self {
        let mut h = FieldHasher { inner: Xxh3::new() };
        h.field(Field::Str(ENCODING_VERSION));
        h.field(Field::Str(domain));
        h
    }

    /// Appends one whole field.
    pub fn field(&mut self, f: Field<'_>) {
        let (tag, payload): (FieldTag, &[u8]) = match f {
            Field::Str(s) => (FieldTag::Str, s.as_bytes()),
            Field::Bytes(b) => (FieldTag::Bytes, b),
            Field::Hash(h) => (FieldTag::Hash, h.as_slice()),
        };
        self.begin_field(tag, payload.len() as u64);
        self.inner.update(payload);
    }

    /// Writes a field header; the caller then feeds exactly `len` payload bytes with [`Self::update`].
    pub fn begin_field(&mut self, tag: FieldTag, len: u64) {
        self.inner.update(&[tag as u8]);
        self.inner.update(&len.to_le_bytes());
    }

    /// Feeds payload bytes of the field begun last.
    pub fn update(&mut self, bytes: &[u8]) {
        self.inner.update(bytes);
    }

    /// The hash, big-endian.
    pub fn finish(&self) -> Hash128 {
        self.inner.digest128().to_be_bytes()
    }
}

/// Hashes `fields` in `domain`. Cost: linear in the bytes hashed; no allocation.
pub fn hash_fields(domain: &str, fields: &[Field<'_>]) -> Hash128 {
    let mut h = FieldHasher::begin(domain);
    for f in fields {
        h.field(*f);
    }
    h.finish()
}

/// Content hash of a result's bytes (domain `content`): a data version.
pub fn content_hash(bytes: &[u8]) -> Hash128 {
    hash_fields("content", &[Field::Bytes(bytes)])
}

/// Content hash of a file, streamed in 256 KiB chunks; equal to [`content_hash`] of its bytes.
pub fn content_hash_file(path: &Path) -> io::Result<Hash128> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut h = FieldHasher::begin("content");
    h.begin_field(FieldTag::Bytes, len);
    let mut buf = vec![0u8; 256 * 1024];
    let mut seen: u64 = 0;
    loop {
        let k = file.read(&mut buf)?;
        if k == 0 {
            break;
        }
        seen += k as u64;
        if seen > len {
            return Err(io::Error::other(format!(
                "{} grew while it was hashed",
                path.display()
            )));
        }
        h.update(&buf[..k]);
    }
    if seen != len {
        return Err(io::Error::other(format!(
            "{} shrank while it was hashed",
            path.display()
        )));
    }
    Ok(h.finish())
}

/// Hashes many files on up to `threads` threads (0 = available parallelism). Results keep the order
/// of `paths`; each is the hash or the I/O error of that file.
pub fn content_hash_files<P: AsRef<Path> + Sync>(
    paths: &[P],
    threads: usize,
) -> Vec<io::Result<Hash128>> {
    let threads = if threads == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    } else {
        threads
    }
    .clamp(1, paths.len().max(1));
    if threads == 1 {
        return paths
            .iter()
            .map(|p| content_hash_file(p.as_ref()))
            .collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut out: Vec<Option<io::Result<Hash128>>> = (0..paths.len()).map(|_| None).collect();
    let results = std::sync::Mutex::new(&mut out);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= paths.len() {
                    break;
                }
                let r = content_hash_file(paths[i].as_ref());
                if let Ok(mut guard) = results.lock() {
                    guard[i] = Some(r);
                }
            });
        }
    });
    out.into_iter()
        .map(|r| r.unwrap_or_else(|| Err(io::Error::other("file was not hashed"))))
        .collect()
}

/// 32 lowercase hex digits of a hash.
pub fn to_hex(h: &Hash128) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(32);
    for b in h {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// The 64-bit fingerprint the planner compares (the two halves folded; 0 is reserved for "none").
/// Equality of fingerprints stands for equality of versions: a false match needs a 2^-64 accident.
pub fn fingerprint(h: &Hash128) -> u64 {
    let mut hi = [0u8; 8];
    let mut lo = [0u8; 8];
    hi.copy_from_slice(&h[..8]);
    lo.copy_from_slice(&h[8..]);
    let f = u64::from_be_bytes(hi) ^ u64::from_be_bytes(lo).rotate_left(29);
    if f == 0 {
        1
    } else {
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_prefix_separates_fields() {
        let a = hash_fields("t", &[Field::Str("ab"), Field::Str("c")]);
        let b = hash_fields("t", &[Field::Str("a"), Field::Str("bc")]);
        assert_ne!(a, b);
        // Tags matter: the same payload as text and as bytes differ.
        assert_ne!(
            hash_fields("t", &[Field::Str("x")]),
            hash_fields("t", &[Field::Bytes(b"x")])
        );
        // Domains matter.
        assert_ne!(hash_fields("a", &[]), hash_fields("b", &[]));
    }

    #[test]
    fn golden_vectors() {
        // Pinned on purpose: a failure here means the encoding changed, and every stored version with
        // it. The first three were cross-checked with Python's `xxhash.xxh3_128` over the SPEC.md bytes.
        assert_eq!(
            to_hex(&content_hash(b"")),
            "8737b6e273c3e9e4358bbc1d5444f278"
        );
        assert_eq!(
            to_hex(&content_hash(b"hello rivers")),
            "17ac24a7c55bfb6a038b5fb196d27e63"
        );
        assert_eq!(
            to_hex(&hash_fields("code-source", &[Field::Str("() => 1")])),
            "b93de105adc28f5d1f8fa6773400273c"
        );
        assert_eq!(
            to_hex(&hash_fields("code-version", &[Field::Str("v2")])),
            "79ff84d156a162149c107d8c5a1b949c"
        );
        assert_eq!(
            to_hex(&hash_fields("config", &[Field::Str(r#"{"lr":0.1}"#)])),
            "a692d9b728acbc794c4a0a08fc8e819e"
        );
        assert_eq!(
            to_hex(&hash_fields("data-version", &[Field::Str("snapshot-42")])),
            "e8a323be04d9b4b004eff12b0ca92470"
        );
        // The closure-based code version of a function asset (SPEC.md "Code versions"): its text,
        // its own-texts hash, its closure hash, and a zero-length list of source loaders.
        assert_eq!(
            to_hex(&hash_fields(
                "code-function",
                &[
                    Field::Str("() => [1, 2, 3]"),
                    Field::Str("0fae52321e3c60154b743a0f3982b1ae"),
                    Field::Str("66899abca9ca790aafab35f0d59024cf"),
                    Field::Str("0"),
                ]
            )),
            "b2af3a1535800500185c566f4e90b9e5"
        );
        assert_eq!(
            to_hex(&hash_fields(
                "code-region",
                &[
                    Field::Str("const raw = asset ( { key : 'raw' } , ( ) =>"),
                    Field::Str(")")
                ]
            )),
            "106f59018068a6705686413e97509880"
        );
        let inner = content_hash(b"x");
        assert_eq!(
            to_hex(&hash_fields(
                "t",
                &[Field::Hash(&inner), Field::Bytes(&[0, 255])]
            )),
            "5e8dfa780dffa4894dc68a473073e005"
        );
    }

    #[test]
    fn file_hash_equals_bytes_hash() {
        let dir = std::env::temp_dir().join(format!("rivers-hash-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut paths = Vec::new();
        for (i, size) in [0usize, 1, 1000, 300_000, 1_048_577].iter().enumerate() {
            let data: Vec<u8> = (0..*size).map(|j| (j * 31 + i) as u8).collect();
            let p = dir.join(format!("f{i}"));
            std::fs::write(&p, &data).expect("write");
            assert_eq!(content_hash_file(&p).expect("hash"), content_hash(&data));
            paths.push((p, content_hash(&data)));
        }
        let ps: Vec<_> = paths.iter().map(|(p, _)| p.clone()).collect();
        let many = content_hash_files(&ps, 3);
        for ((_, want), got) in paths.iter().zip(many) {
            assert_eq!(&got.expect("hash"), want);
        }
        let missing = content_hash_files(&[dir.join("nope")], 0);
        assert!(missing[0].is_err());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn fingerprint_never_zero() {
        assert_ne!(fingerprint(&[0; 16]), 0);
        assert_eq!(
            fingerprint(&content_hash(b"a")),
            fingerprint(&content_hash(b"a"))
        );
    }
}
