//! A blob sealed as it streams: a header, then the STREAM construction (Hoang, Reyhanitabar,
//! Rogaway, Vizár) over chunks of [`CHUNK`] plaintext bytes, each its own AES-GCM message.
//!
//! ```text
//! header  "HSB" 1 | key id: u32 BE | nonce prefix: 7 random bytes      (15 bytes)
//! chunk i AES-256-GCM(nonce = prefix | i: u32 BE | last: u8, chunk i of the plaintext) + tag
//! ```
//!
//! Every chunk but the last holds exactly [`CHUNK`] bytes; the last holds the rest (possibly
//! none) and carries the "last" flag, so a blob cut short, chunks reordered or chunks taken
//! from another blob fail to open. Each chunk's associated data is the header and the caller's
//! context (the blob's key), so a blob moved under another name does not open either. Since
//! chunk boundaries follow from the sealed length, a range of the plaintext maps to a range of
//! whole chunks ([`span`]), and only those are read and opened.

use std::ops::Range;

use aead_stream::{NewStream, StreamBE32, StreamPrimitive};
use aes_gcm::Aes256Gcm;

use crate::keys::TAG_LEN;
use crate::{DataKey, KeyId, SealError, random};

/// Plaintext bytes per chunk.
pub const CHUNK: usize = 64 * 1024;
/// Bytes of the header.
pub const HEADER_LEN: usize = 4 + 4 + PREFIX_LEN;
/// The header's first bytes: the format and its version.
const MAGIC: [u8; 4] = *b"HSB\x01";
/// Bytes of the random nonce prefix (the rest of the 96-bit nonce is the counter and flag).
const PREFIX_LEN: usize = 7;
/// Bytes of one full sealed chunk.
const SEALED_CHUNK: u64 = (CHUNK + TAG_LEN) as u64;

/// What a sealed blob's header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The key that sealed the blob.
    pub key_id: KeyId,
    prefix: [u8; PREFIX_LEN],
}

impl Header {
    /// The header at the start of `bytes` (at least [`HEADER_LEN`] of them).
    pub fn parse(bytes: &[u8]) -> Result<Self, SealError> {
        let Some((magic, rest)) = bytes.split_first_chunk::<4>() else {
            return Err(SealError::Malformed);
        };
        let Some((id, rest)) = rest.split_first_chunk::<4>() else {
            return Err(SealError::Malformed);
        };
        let Some((prefix, _)) = rest.split_first_chunk::<PREFIX_LEN>() else {
            return Err(SealError::Malformed);
        };
        if *magic != MAGIC {
            return Err(SealError::Malformed);
        }
        Ok(Self {
            key_id: KeyId(u32::from_be_bytes(*id)),
            prefix: *prefix,
        })
    }

    fn bytes(&self) -> [u8; HEADER_LEN] {
        let mut bytes = [0u8; HEADER_LEN];
        let id = self.key_id.0.to_be_bytes();
        let parts = MAGIC.iter().chain(&id).chain(&self.prefix);
        for (to, from) in bytes.iter_mut().zip(parts) {
            *to = *from;
        }
        bytes
    }

    fn stream(&self, key: &DataKey) -> Result<StreamBE32<Aes256Gcm>, SealError> {
        if key.id() != self.key_id {
            return Err(SealError::Forged);
        }
        Ok(StreamBE32::from_aead(
            key.cipher.clone(),
            &self.prefix.into(),
        ))
    }

    fn associated(&self, context: &[u8]) -> Vec<u8> {
        let mut aad = self.bytes().to_vec();
        aad.extend_from_slice(context);
        aad
    }
}

/// The length of a blob of `plain` bytes once sealed.
pub fn sealed_len(plain: u64) -> u64 {
    let chunks = plain.div_ceil(CHUNK as u64).max(1);
    HEADER_LEN as u64 + plain + chunks * TAG_LEN as u64
}

/// The plaintext length of a sealed blob of `sealed` bytes; `Malformed` when no plaintext
/// seals to that length.
pub fn plain_len(sealed: u64) -> Result<u64, SealError> {
    let body = sealed
        .checked_sub(HEADER_LEN as u64 + TAG_LEN as u64)
        .ok_or(SealError::Malformed)?
        + TAG_LEN as u64;
    let chunks = body.div_ceil(SEALED_CHUNK);
    let plain = body - chunks * TAG_LEN as u64;
    if sealed_len(plain) == sealed {
        Ok(plain)
    } else {
        Err(SealError::Malformed)
    }
}

/// Where a range of a blob's plaintext lies among its sealed chunks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// The sealed bytes to read: whole chunks, from the first that holds part of the range to
    /// the last.
    pub sealed: Range<u64>,
    /// The index of the first chunk read.
    pub first_chunk: u32,
    /// Plaintext bytes of the first chunk before the range starts.
    pub skip: u64,
    /// Whether the last chunk read is the blob's last.
    pub ends_blob: bool,
}

/// The chunks that hold `range` (non-empty, within `plain`) of a blob of `plain` bytes.
pub fn span(range: Range<u64>, plain: u64) -> Result<Span, SealError> {
    if range.start >= range.end || range.end > plain {
        return Err(SealError::Malformed);
    }
    let chunk = CHUNK as u64;
    let (first, last) = (range.start / chunk, (range.end - 1) / chunk);
    let chunks = plain.div_ceil(chunk).max(1);
    let header = HEADER_LEN as u64;
    Ok(Span {
        sealed: header + first * SEALED_CHUNK
            ..(header + (last + 1) * SEALED_CHUNK).min(sealed_len(plain)),
        first_chunk: u32::try_from(first).map_err(|_| SealError::Malformed)?,
        skip: range.start - first * chunk,
        ends_blob: last + 1 == chunks,
    })
}

/// The chunks of a stream as its bytes arrive: full chunks are handed on only once more
/// bytes follow them, since only the end of the input tells which chunk is the last.
struct Chunks {
    full: usize,
    pending: Vec<u8>,
}

impl Chunks {
    fn new(full: usize) -> Self {
        Self {
            full,
            pending: Vec::with_capacity(full),
        }
    }

    /// Takes `input`; every chunk it completed that is not the last, changed in place by
    /// `each`, one after the other.
    fn feed(
        &mut self,
        mut input: &[u8],
        mut each: impl FnMut(&mut Vec<u8>) -> Result<(), SealError>,
    ) -> Result<Vec<u8>, SealError> {
        let mut out = Vec::new();
        while !input.is_empty() {
            if self.pending.len() == self.full {
                let mut chunk = std::mem::replace(&mut self.pending, Vec::with_capacity(self.full));
                each(&mut chunk)?;
                out.append(&mut chunk);
            }
            let take = (self.full - self.pending.len()).min(input.len());
            let (now, later) = input.split_at(take);
            self.pending.extend_from_slice(now);
            input = later;
        }
        Ok(out)
    }

    /// What was held back: the last chunk.
    fn last(self) -> Vec<u8> {
        self.pending
    }
}

/// One blob's STREAM: its cipher, the chunks' associated data and the next chunk's number.
struct Chunked {
    stream: StreamBE32<Aes256Gcm>,
    aad: Vec<u8>,
    position: u32,
}

impl Chunked {
    fn new(
        key: &DataKey,
        header: &Header,
        context: &[u8],
        position: u32,
    ) -> Result<Self, SealError> {
        Ok(Self {
            stream: header.stream(key)?,
            aad: header.associated(context),
            position,
        })
    }

    fn seal(&mut self, chunk: &mut Vec<u8>, last: bool) -> Result<(), SealError> {
        self.stream
            .encrypt_in_place(self.position, last, &self.aad, chunk)
            .map_err(|_| SealError::Forged)?;
        self.advance()
    }

    fn open(&mut self, chunk: &mut Vec<u8>, last: bool) -> Result<(), SealError> {
        self.stream
            .decrypt_in_place(self.position, last, &self.aad, chunk)
            .map_err(|_| SealError::Forged)?;
        self.advance()
    }

    fn advance(&mut self) -> Result<(), SealError> {
        self.position = self.position.checked_add(1).ok_or(SealError::Malformed)?;
        Ok(())
    }
}

/// Seals a blob as its plaintext arrives: [`Sealer::header`] first, then what each
/// [`Sealer::update`] returns, then [`Sealer::finish`].
pub struct Sealer {
    header: Header,
    chunked: Chunked,
    chunks: Chunks,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("key_id", &self.header.key_id)
            .field("position", &self.chunked.position)
            .finish_non_exhaustive()
    }
}

impl Sealer {
    /// A sealer under `key` for the blob named `context`, with a fresh nonce prefix.
    pub fn new(key: &DataKey, context: &[u8]) -> Result<Self, SealError> {
        let mut prefix = [0u8; PREFIX_LEN];
        random(&mut prefix)?;
        let header = Header {
            key_id: key.id(),
            prefix,
        };
        Ok(Self {
            chunked: Chunked::new(key, &header, context, 0)?,
            header,
            chunks: Chunks::new(CHUNK),
        })
    }

    /// The header, which goes before every chunk.
    pub fn header(&self) -> [u8; HEADER_LEN] {
        self.header.bytes()
    }

    /// Takes more plaintext; the sealed chunks it completed (possibly none).
    pub fn update(&mut self, plain: &[u8]) -> Result<Vec<u8>, SealError> {
        let chunked = &mut self.chunked;
        self.chunks.feed(plain, |chunk| chunked.seal(chunk, false))
    }

    /// The last chunk, sealed: what was held back, flagged as the end.
    pub fn finish(mut self) -> Result<Vec<u8>, SealError> {
        let mut chunk = self.chunks.last();
        self.chunked.seal(&mut chunk, true)?;
        Ok(chunk)
    }
}

/// Opens consecutive sealed chunks as they arrive, from chunk `first_chunk` on: every
/// [`Unsealer::update`] returns the plaintext of the chunks it completed, and
/// [`Unsealer::finish`] that of the final one.
pub struct Unsealer {
    chunked: Chunked,
    chunks: Chunks,
    ends_blob: bool,
}

impl std::fmt::Debug for Unsealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unsealer")
            .field("position", &self.chunked.position)
            .field("ends_blob", &self.ends_blob)
            .finish_non_exhaustive()
    }
}

impl Unsealer {
    /// An opener of the chunks of the blob named `context` with `header`, sealed under
    /// `key`, starting at chunk `first_chunk`; `ends_blob` when the input runs to the blob's
    /// end (its final chunk must then carry the "last" flag).
    pub fn new(
        key: &DataKey,
        header: &Header,
        context: &[u8],
        first_chunk: u32,
        ends_blob: bool,
    ) -> Result<Self, SealError> {
        Ok(Self {
            chunked: Chunked::new(key, header, context, first_chunk)?,
            chunks: Chunks::new(SEALED_CHUNK as usize),
            ends_blob,
        })
    }

    /// Takes more sealed bytes; the plaintext of the chunks they completed (possibly none).
    pub fn update(&mut self, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        let chunked = &mut self.chunked;
        self.chunks.feed(sealed, |chunk| chunked.open(chunk, false))
    }

    /// The plaintext of the final chunk; `Forged` when the input was cut short.
    pub fn finish(mut self) -> Result<Vec<u8>, SealError> {
        let mut chunk = self.chunks.last();
        if chunk.len() < TAG_LEN {
            return Err(SealError::Forged);
        }
        self.chunked.open(&mut chunk, self.ends_blob)?;
        Ok(chunk)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
mod tests {
    use super::*;

    fn key() -> DataKey {
        DataKey::generate(KeyId(5)).unwrap()
    }

    /// `plain` sealed, fed to the sealer in pieces of `piece` bytes.
    fn seal_all(key: &DataKey, context: &[u8], plain: &[u8], piece: usize) -> Vec<u8> {
        let mut sealer = Sealer::new(key, context).unwrap();
        let mut sealed = sealer.header().to_vec();
        for part in plain.chunks(piece.max(1)) {
            sealed.extend(sealer.update(part).unwrap());
        }
        sealed.extend(sealer.finish().unwrap());
        sealed
    }

    /// Opens `sealed[span.sealed]`, fed in pieces of `piece` bytes.
    fn open_span(
        key: &DataKey,
        context: &[u8],
        sealed: &[u8],
        span: &Span,
        piece: usize,
    ) -> Result<Vec<u8>, SealError> {
        let header = Header::parse(sealed)?;
        let mut unsealer = Unsealer::new(key, &header, context, span.first_chunk, span.ends_blob)?;
        let mut plain = Vec::new();
        let part = &sealed[span.sealed.start as usize..span.sealed.end as usize];
        for piece in part.chunks(piece) {
            plain.extend(unsealer.update(piece)?);
        }
        plain.extend(unsealer.finish()?);
        Ok(plain)
    }

    fn whole(len: u64) -> Span {
        if len == 0 {
            return Span {
                sealed: HEADER_LEN as u64..sealed_len(0),
                first_chunk: 0,
                skip: 0,
                ends_blob: true,
            };
        }
        span(0..len, len).unwrap()
    }

    fn bytes(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn blobs_of_every_awkward_length_round_trip_whatever_the_pieces() {
        let key = key();
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17] {
            let plain = bytes(len);
            for piece in [1000, CHUNK, 7 * CHUNK] {
                let sealed = seal_all(&key, b"media/a", &plain, piece);
                assert_eq!(sealed.len() as u64, sealed_len(len as u64), "{len}");
                assert_eq!(plain_len(sealed.len() as u64).unwrap(), len as u64);
                let opened = open_span(&key, b"media/a", &sealed, &whole(len as u64), 4096);
                assert_eq!(opened.unwrap(), plain, "{len} in pieces of {piece}");
            }
        }
    }

    #[test]
    fn a_range_opens_only_the_chunks_it_covers() {
        let key = key();
        let plain = bytes(3 * CHUNK + 100);
        let sealed = seal_all(&key, b"k", &plain, 5000);
        let len = plain.len() as u64;
        for range in [
            0..1,
            10..20,
            CHUNK as u64 - 1..CHUNK as u64 + 1,
            2 * CHUNK as u64..len,
            len - 1..len,
        ] {
            let span = span(range.clone(), len).unwrap();
            let chunks = (span.sealed.end - span.sealed.start).div_ceil(SEALED_CHUNK);
            assert!(chunks <= 2, "{range:?} read {chunks} chunks");
            let opened = open_span(&key, b"k", &sealed, &span, 3000).unwrap();
            let (start, wanted) = (span.skip as usize, (range.end - range.start) as usize);
            assert_eq!(
                &opened[start..start + wanted],
                &plain[range.start as usize..range.end as usize]
            );
        }
    }

    #[test]
    fn a_blob_cut_short_changed_or_renamed_does_not_open() {
        let key = key();
        let plain = bytes(2 * CHUNK + 5);
        let sealed = seal_all(&key, b"media/a", &plain, CHUNK);
        let len = plain.len() as u64;
        // Cut after the first two chunks, which are whole: the second is not flagged last.
        let cut = &sealed[..HEADER_LEN + 2 * SEALED_CHUNK as usize];
        assert!(
            open_span(
                &key,
                b"media/a",
                cut,
                &span(0..2 * CHUNK as u64, 2 * CHUNK as u64).unwrap(),
                999
            )
            .is_err()
        );
        let mut changed = sealed.clone();
        changed[HEADER_LEN + 10] ^= 1;
        assert_eq!(
            open_span(&key, b"media/a", &changed, &whole(len), 999).unwrap_err(),
            SealError::Forged
        );
        assert_eq!(
            open_span(&key, b"media/b", &sealed, &whole(len), 999).unwrap_err(),
            SealError::Forged
        );
        let other = DataKey::generate(KeyId(6)).unwrap();
        assert_eq!(
            open_span(&other, b"media/a", &sealed, &whole(len), 999).unwrap_err(),
            SealError::Forged
        );
        assert!(
            !sealed
                .windows(32)
                .any(|w| plain.windows(32).next() == Some(w))
        );
    }

    #[test]
    fn lengths_no_plaintext_seals_to_are_malformed() {
        assert_eq!(
            plain_len(HEADER_LEN as u64 + 15).unwrap_err(),
            SealError::Malformed
        );
        assert_eq!(
            plain_len(sealed_len(CHUNK as u64) + 1).unwrap_err(),
            SealError::Malformed
        );
        assert_eq!(
            plain_len(sealed_len(CHUNK as u64) + TAG_LEN as u64).unwrap_err(),
            SealError::Malformed
        );
        assert_eq!(
            Header::parse(b"not a header at all").unwrap_err(),
            SealError::Malformed
        );
    }
}
