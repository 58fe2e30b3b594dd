//! Which stored upload record belongs to a dropped file. Name, size and modification time alone let a different
//! file with the same metadata resume into the wrong upload, so a CRC of a few sampled slices goes in too
//! (and every reused part is still checked against the file by its own checksum).
use crate::core::checksum::Crc64;
use crate::core::s3::Endpoint;

/// Bytes read at each sampled place.
const SAMPLE: u64 = 64 * 1024;

/// The byte ranges sampled: start, middle and end (the whole file when it is small).
pub fn sample_ranges(size: u64) -> Vec<(u64, u64)> {
    if size <= 3 * SAMPLE {
        return vec![(0, size)];
    }
    vec![(0, SAMPLE), (size / 2 - SAMPLE / 2, SAMPLE), (size - SAMPLE, SAMPLE)]
}

/// What identifies the file being uploaded.
pub struct FileIdentity<'a> {
    pub name: &'a str,
    pub size: u64,
    pub last_modified_ms: u64,
    /// CRC-64/NVME of the sampled ranges, read in order.
    pub samples_crc: u64,
}

/// The record key: this file going to this object.
pub fn record_id(file: &FileIdentity, endpoint: &Endpoint, bucket: &str, key: &str) -> String {
    let mut crc = Crc64::default();
    for field in [file.name, &endpoint.url, bucket, key] {
        // Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
        crc.update(&(field.len() as u64).to_le_bytes());
        crc.update(field.as_bytes());
    }
    format!("{:016x}-{}-{}-{:016x}", crc.finish(), file.size, file.last_modified_ms, file.samples_crc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_three_places_of_a_large_file_and_all_of_a_small_one() {
        assert_eq!(sample_ranges(100), vec![(0, 100)]);
        let big = 10 * 1024 * 1024 * 1024;
        assert_eq!(sample_ranges(big), vec![(0, SAMPLE), (big / 2 - SAMPLE / 2, SAMPLE), (big - SAMPLE, SAMPLE)]);
    }

    #[test]
    fn the_id_changes_with_any_part_of_the_identity() {
        let endpoint = Endpoint { url: "http://h".into(), region: "r".into(), force_path_style: true };
        let file = FileIdentity { name: "a.mp4", size: 10, last_modified_ms: 5, samples_crc: 99 };
        let id = record_id(&file, &endpoint, "b", "k");
        assert_eq!(id, record_id(&file, &endpoint, "b", "k"));
        assert_ne!(id, record_id(&FileIdentity { samples_crc: 98, ..file }, &endpoint, "b", "k"), "same metadata, other bytes");
        let file = FileIdentity { name: "a.mp4", size: 10, last_modified_ms: 5, samples_crc: 99 };
        assert_ne!(id, record_id(&file, &endpoint, "b", "k2"));
        assert_ne!(record_id(&file, &endpoint, "ab", "c"), record_id(&file, &endpoint, "a", "bc"));
    }
}
