//! CRC-64/NVME of a byte range of the file, read in chunks so a large part never sits in memory whole.
use super::errors::describe;
use crate::core::checksum::Crc64;
use crate::core::error::UploadError;
use crate::core::plan::{Part, MIB};
use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

const CHUNK: u64 = 4 * MIB;

pub async fn part_crc(file: &Blob, part: Part) -> Result<u64, UploadError> {
    range_crc(file, part.offset, part.len).await
}

pub async fn range_crc(file: &Blob, start: u64, len: u64) -> Result<u64, UploadError> {
    // A file changed or removed after it was chosen can no longer be read (NotReadableError).
    let unreadable = |e| UploadError::new("FileUnreadable", format!("the file can no longer be read ({}): choose it again", describe(&e)));
    let mut crc = Crc64::default();
    let mut buffer = Vec::new();
    let end = start + len;
    let mut offset = start;
    while offset < end {
        let next = end.min(offset + CHUNK);
        let slice = file.slice_with_f64_and_f64(offset as f64, next as f64).map_err(unreadable)?;
        let bytes = Uint8Array::new(&JsFuture::from(slice.array_buffer()).await.map_err(unreadable)?);
        buffer.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut buffer);
        crc.update(&buffer);
        offset = next;
    }
    Ok(crc.finish())
}
