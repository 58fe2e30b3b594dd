//! The CRC of a byte range of the file, read in chunks so a large part never sits in memory whole.
use super::errors::describe;
use crate::core::checksum::{Algorithm, Hasher};
use crate::core::codes::FILE_UNREADABLE;
use crate::core::error::UploadError;
use crate::core::fingerprint::sample_ranges;
use crate::core::machine::Range;
use crate::core::plan::MIB;
use futures_util::future::{select, Either};
use gloo_timers::future::TimeoutFuture;
use js_sys::{ArrayBuffer, Function, Object, Reflect, Uint8Array};
use std::pin::pin;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ReadableStreamByobReader};

const CHUNK: u64 = MIB;
/// A byte-stream read of 1 MiB from a local file that takes this long is taken for stuck: the range is read again
/// with `arrayBuffer()`, which has no such stream machinery (a stuck checksum read would stop the upload for good).
const STREAM_READ_TIMEOUT_MS: u32 = 20_000;

/// A file changed or removed after it was chosen can no longer be read (NotReadableError, NotFoundError).
fn unreadable(e: JsValue) -> UploadError {
    UploadError::new(FILE_UNREADABLE, format!("the file can no longer be read ({}): choose it again", describe(&e)))
}

/// The fingerprint's sampled ranges of the file with their CRCs (of `algorithm`, the one the upload's own reads use),
/// read as an upload starts. An empty file is read whole instead: Chromium reports a file removed after it was chosen
/// (and never read) as empty, and only a read of the File itself, not of a slice, fails then (NotFoundError) where a
/// really empty file reads 0 bytes.
pub async fn samples(file: &Blob, size: u64, algorithm: Algorithm) -> Result<Vec<(Range, u64)>, UploadError> {
    if size == 0 {
        JsFuture::from(file.array_buffer()).await.map_err(unreadable)?;
        return Ok(vec![]);
    }
    let mut samples = vec![];
    for (offset, len) in sample_ranges(size) {
        samples.push((Range { offset, len }, range_crc(file, algorithm, offset, len).await?));
    }
    Ok(samples)
}

pub async fn range_crc(file: &Blob, algorithm: Algorithm, start: u64, len: u64) -> Result<u64, UploadError> {
    let slice = file.slice_with_f64_and_f64(start as f64, (start + len) as f64).map_err(unreadable)?;
    let mut reader = ChunkReader { crc: algorithm.hasher(), copy: Vec::new(), read: 0 };
    let streamed = match byob_reader(&slice) {
        Some(stream) => reader.read_stream(&stream).await.map_err(unreadable)?,
        None => false,
    };
    if !streamed {
        (reader.crc, reader.read) = (algorithm.hasher(), 0);
        reader.read_slices(&slice, len).await.map_err(unreadable)?;
    }
    // Firefox reads a file cut short on disk without an error, just fewer bytes.
    if reader.read != len {
        return Err(UploadError::file_changed());
    }
    Ok(reader.crc.finish())
}

/// The slice's bytes as a byte stream read into a buffer of ours ("bring your own buffer"), where Blob streams
/// are byte streams (Chromium).
fn byob_reader(slice: &Blob) -> Option<ReadableStreamByobReader> {
    let stream = slice.stream();
    let get_reader: Function = Reflect::get(&stream, &"getReader".into()).ok()?.dyn_into().ok()?;
    let options = Object::new();
    Reflect::set(&options, &"mode".into(), &"byob".into()).ok()?;
    // Throws where the stream is not a byte stream.
    get_reader.call1(&stream, &options).ok()?.dyn_into().ok()
}

struct ChunkReader {
    crc: Hasher,
    /// The chunk in wasm memory: the CRC runs there.
    copy: Vec<u8>,
    /// Bytes read so far.
    read: u64,
}

impl ChunkReader {
    fn update(&mut self, bytes: &Uint8Array) {
        self.copy.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut self.copy);
        self.crc.update(&self.copy);
        self.read += self.copy.len() as u64;
    }

    /// Reads into one buffer again and again: the bytes of a part never pile up as garbage waiting for the GC.
    /// `Ok(false)` when a read got stuck.
    async fn read_stream(&mut self, reader: &ReadableStreamByobReader) -> Result<bool, JsValue> {
        let mut buffer = ArrayBuffer::new(CHUNK as u32);
        loop {
            let view = Uint8Array::new(&buffer);
            let read = pin!(JsFuture::from(reader.read_with_array_buffer_view(&view)));
            let result = match select(read, pin!(TimeoutFuture::new(STREAM_READ_TIMEOUT_MS))).await {
                Either::Left((result, _)) => result?,
                Either::Right(_) => {
                    let _ = reader.cancel();
                    return Ok(false);
                }
            };
            if Reflect::get(&result, &"done".into())?.is_truthy() {
                return Ok(true);
            }
            // The read hands the buffer back (transferred) behind the view of what it filled.
            let filled: Uint8Array = Reflect::get(&result, &"value".into())?.dyn_into()?;
            self.update(&filled);
            buffer = filled.buffer();
        }
    }

    /// Where Blob streams are not byte streams, or a stream read got stuck: one `arrayBuffer()` per chunk.
    async fn read_slices(&mut self, slice: &Blob, len: u64) -> Result<(), JsValue> {
        let mut offset = 0;
        while offset < len {
            let next = len.min(offset + CHUNK);
            let chunk = slice.slice_with_f64_and_f64(offset as f64, next as f64)?;
            self.update(&Uint8Array::new(&JsFuture::from(chunk.array_buffer()).await?));
            offset = next;
        }
        Ok(())
    }
}
