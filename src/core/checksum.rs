//! CRC-64/NVME, the checksum S3 computes for a whole multipart object (`x-amz-checksum-type: FULL_OBJECT`).
//! Parts finish in any order, so the whole object's CRC is built by combining the parts' CRCs, never by
//! reading the file twice.
use base64::Engine;

type Crc64Nvme = crc::Crc<u64, crc::Table<16>>;

/// Slicing-by-16 tables (32 KiB), built at first use rather than at compile time: as constants they would be 32 KiB
/// of incompressible data in the wasm download.
fn crc64() -> &'static Crc64Nvme {
    static CRC64: std::sync::OnceLock<Crc64Nvme> = std::sync::OnceLock::new();
    CRC64.get_or_init(|| Crc64Nvme::new(&crc::CRC_64_NVME))
}
/// CRC-64/NVME's polynomial with its bits reversed (the CRC is reflected).
const POLY_REFLECTED: u64 = 0x9A6C_9329_AC4B_C9B5;

/// A running CRC-64/NVME over bytes fed in order (a part is read in chunks).
pub struct Crc64 {
    digest: crc::Digest<'static, u64, crc::Table<16>>,
}

impl Default for Crc64 {
    fn default() -> Self {
        Self { digest: crc64().digest() }
    }
}

impl Crc64 {
    pub fn update(&mut self, bytes: &[u8]) {
        self.digest.update(bytes);
    }

    pub fn finish(self) -> u64 {
        self.digest.finalize()
    }
}

/// As S3 writes it in `x-amz-checksum-crc64nvme`: the 8 big-endian bytes in base64.
pub fn to_base64(crc: u64) -> String {
    base64::engine::general_purpose::STANDARD.encode(crc.to_be_bytes())
}

pub fn from_base64(text: &str) -> Option<u64> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(text.trim()).ok()?;
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

/// The name S3 gives the algorithm, in the result and in headers.
pub const ALGORITHM: &str = "CRC64NVME";
/// The header that carries a CRC-64/NVME value (part or whole object).
pub const HEADER: &str = "x-amz-checksum-crc64nvme";

/// a·b mod P, with polynomials as reflected bit strings (bit 63 is x⁰).
fn mul_mod_p(a: u64, mut b: u64) -> u64 {
    let mut product = 0;
    let mut bit = 1u64 << 63;
    while bit != 0 {
        if a & bit != 0 {
            product ^= b;
        }
        bit >>= 1;
        b = if b & 1 != 0 { (b >> 1) ^ POLY_REFLECTED } else { b >> 1 };
    }
    product
}

/// x^(8·len) mod P: shifting a CRC past `len` bytes, by squaring (O(log len)).
fn shift_by_bytes(len: u64) -> u64 {
    let mut result = 1u64 << 63; // x⁰
    let mut power = 1u64 << 55; // x⁸: one byte
    let mut n = len;
    while n != 0 {
        if n & 1 != 0 {
            result = mul_mod_p(power, result);
        }
        power = mul_mod_p(power, power);
        n >>= 1;
    }
    result
}

/// The CRC of `A ‖ B` from `crc(A)`, `crc(B)` and `len(B)` (the zlib `crc32_combine` method: it holds for
/// CRCs whose initial value equals their final XOR, as CRC-64/NVME's does).
pub fn combine(crc_a: u64, crc_b: u64, len_b: u64) -> u64 {
    mul_mod_p(shift_by_bytes(len_b), crc_a) ^ crc_b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crc(bytes: &[u8]) -> u64 {
        let mut c = Crc64::default();
        c.update(bytes);
        c.finish()
    }

    #[test]
    fn matches_the_catalogue_check_value_and_s3s_encoding() {
        assert_eq!(crc(b"123456789"), 0xAE8B_1486_0A79_9888);
        // S3 (and Garage) answered 6oVDgfCTY6I= for 5 MiB of byte 7, M3eFcAZSQlc= for "hello".
        assert_eq!(to_base64(crc(&vec![7u8; 5 * 1024 * 1024])), "6oVDgfCTY6I=");
        assert_eq!(to_base64(crc(b"hello")), "M3eFcAZSQlc=");
        assert_eq!(from_base64("M3eFcAZSQlc="), Some(crc(b"hello")));
        assert_eq!(from_base64("Hf2flw=="), None, "a CRC32C is not a CRC64");
    }

    #[test]
    fn combining_part_crcs_gives_the_whole_objects_crc() {
        // Garage reported kb6tpkb4Azc= as the FULL_OBJECT checksum of those two parts.
        let (a, b) = (vec![7u8; 5 * 1024 * 1024], b"hello".to_vec());
        assert_eq!(to_base64(combine(crc(&a), crc(&b), b.len() as u64)), "kb6tpkb4Azc=");
        let data: Vec<u8> = (0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
        for split in [0, 1, 7, 8, 4096, 99_999, 100_000] {
            let (head, tail) = data.split_at(split);
            assert_eq!(combine(crc(head), crc(tail), tail.len() as u64), crc(&data), "split at {split}");
        }
    }

    #[test]
    fn chunked_updates_equal_one_pass() {
        let data = vec![42u8; 3_000_000];
        let mut c = Crc64::default();
        for chunk in data.chunks(1 << 20) {
            c.update(chunk);
        }
        assert_eq!(c.finish(), crc(&data));
    }
}
