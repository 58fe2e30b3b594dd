//! The CRCs S3 computes for a whole multipart object (`x-amz-checksum-type: FULL_OBJECT`): CRC-64/NVME (the
//! default), CRC-32C and CRC-32, for stores that support one and not another. Parts finish in any order, so the
//! whole object's CRC is built by combining the parts' CRCs, never by reading the file twice.
use base64::Engine;

type Crc64Nvme = crc::Crc<u64, crc::Table<16>>;
type Crc32Of = crc::Crc<u32, crc::Table<16>>;

/// Slicing-by-16 tables (32 KiB), built at first use rather than at compile time: as constants they would be 32 KiB
/// of incompressible data in the wasm download.
fn crc64() -> &'static Crc64Nvme {
    static CRC64: std::sync::OnceLock<Crc64Nvme> = std::sync::OnceLock::new();
    CRC64.get_or_init(|| Crc64Nvme::new(&crc::CRC_64_NVME))
}

fn crc32c() -> &'static Crc32Of {
    static CRC32C: std::sync::OnceLock<Crc32Of> = std::sync::OnceLock::new();
    CRC32C.get_or_init(|| Crc32Of::new(&crc::CRC_32_ISCSI))
}

fn crc32() -> &'static Crc32Of {
    static CRC32: std::sync::OnceLock<Crc32Of> = std::sync::OnceLock::new();
    CRC32.get_or_init(|| Crc32Of::new(&crc::CRC_32_ISO_HDLC))
}

/// A checksum algorithm S3 can check a whole multipart object with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Algorithm {
    #[default]
    Crc64Nvme,
    Crc32C,
    Crc32,
}

impl Algorithm {
    pub const ALL: [Algorithm; 3] = [Algorithm::Crc64Nvme, Algorithm::Crc32C, Algorithm::Crc32];

    /// The name S3 gives it (`x-amz-checksum-algorithm`, the result's `checksumAlgorithm`).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Crc64Nvme => "CRC64NVME",
            Algorithm::Crc32C => "CRC32C",
            Algorithm::Crc32 => "CRC32",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name().eq_ignore_ascii_case(name))
    }

    /// The header that carries a value (part or whole object).
    pub fn header(self) -> &'static str {
        match self {
            Algorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            Algorithm::Crc32C => "x-amz-checksum-crc32c",
            Algorithm::Crc32 => "x-amz-checksum-crc32",
        }
    }

    /// The element that carries a value in ListParts and CompleteMultipartUpload XML.
    pub fn xml_tag(self) -> &'static str {
        match self {
            Algorithm::Crc64Nvme => "ChecksumCRC64NVME",
            Algorithm::Crc32C => "ChecksumCRC32C",
            Algorithm::Crc32 => "ChecksumCRC32",
        }
    }

    fn bytes(self) -> usize {
        match self {
            Algorithm::Crc64Nvme => 8,
            Algorithm::Crc32C | Algorithm::Crc32 => 4,
        }
    }

    /// The polynomial with its bits reversed (these CRCs are reflected), in the low `8 · bytes` bits.
    fn poly_reflected(self) -> u64 {
        match self {
            Algorithm::Crc64Nvme => 0x9A6C_9329_AC4B_C9B5,
            Algorithm::Crc32C => 0x82F6_3B78,
            Algorithm::Crc32 => 0xEDB8_8320,
        }
    }

    /// As S3 writes it: the big-endian bytes in base64.
    pub fn to_base64(self, crc: u64) -> String {
        base64::engine::general_purpose::STANDARD.encode(&crc.to_be_bytes()[8 - self.bytes()..])
    }

    pub fn from_base64(self, text: &str) -> Option<u64> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(text.trim()).ok()?;
        (bytes.len() == self.bytes()).then(|| bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    /// A running CRC of this algorithm.
    pub fn hasher(self) -> Hasher {
        match self {
            Algorithm::Crc64Nvme => Hasher::Crc64(Crc64::default()),
            Algorithm::Crc32C => Hasher::Crc32(crc32c().digest()),
            Algorithm::Crc32 => Hasher::Crc32(crc32().digest()),
        }
    }

    /// The CRC of `A ‖ B` from `crc(A)`, `crc(B)` and `len(B)` (the zlib `crc32_combine` method: it holds for
    /// CRCs whose initial value equals their final XOR, as these three's do).
    pub fn combine(self, crc_a: u64, crc_b: u64, len_b: u64) -> u64 {
        let gf = Gf { poly: self.poly_reflected(), top: 1 << (8 * self.bytes() - 1) };
        gf.mul(gf.shift_by_bytes(len_b), crc_a) ^ crc_b
    }
}

/// A running CRC of one [`Algorithm`] over bytes fed in order (a part is read in chunks).
pub enum Hasher {
    Crc64(Crc64),
    Crc32(crc::Digest<'static, u32, crc::Table<16>>),
}

impl Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Crc64(c) => c.update(bytes),
            Hasher::Crc32(c) => c.update(bytes),
        }
    }

    pub fn finish(self) -> u64 {
        match self {
            Hasher::Crc64(c) => c.finish(),
            Hasher::Crc32(c) => u64::from(c.finalize()),
        }
    }
}

/// A whole-object checksum as the store reported it (Complete's XML, or HeadObject's headers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reported {
    pub algorithm: Algorithm,
    /// base64, as S3 wrote it.
    pub value: String,
    /// `ChecksumType` / `x-amz-checksum-type`: `FULL_OBJECT` is a CRC of the whole object's bytes.
    pub checksum_type: Option<String>,
}

impl Reported {
    /// Does it prove that the object holds the bytes whose CRC is `crc`?
    pub fn proves(&self, algorithm: Algorithm, crc: u64) -> bool {
        self.algorithm == algorithm && self.checksum_type.as_deref() == Some("FULL_OBJECT") && algorithm.from_base64(&self.value) == Some(crc)
    }
}

/// A running CRC-64/NVME over bytes fed in order.
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

/// Polynomials mod P over GF(2) as reflected bit strings: `top` is x⁰, the bit below it x¹, and so on.
struct Gf {
    poly: u64,
    top: u64,
}

impl Gf {
    /// a·b mod P.
    fn mul(&self, a: u64, mut b: u64) -> u64 {
        let mut product = 0;
        let mut bit = self.top;
        while bit != 0 {
            if a & bit != 0 {
                product ^= b;
            }
            bit >>= 1;
            b = if b & 1 != 0 { (b >> 1) ^ self.poly } else { b >> 1 };
        }
        product
    }

    /// x^(8·len) mod P: shifting a CRC past `len` bytes, by squaring (O(log len)).
    fn shift_by_bytes(&self, len: u64) -> u64 {
        let mut result = self.top; // x⁰
        let mut power = self.top >> 8; // x⁸: one byte
        let mut n = len;
        while n != 0 {
            if n & 1 != 0 {
                result = self.mul(power, result);
            }
            power = self.mul(power, power);
            n >>= 1;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crc(algorithm: Algorithm, bytes: &[u8]) -> u64 {
        let mut c = algorithm.hasher();
        c.update(bytes);
        c.finish()
    }

    #[test]
    fn matches_the_catalogue_check_values_and_s3s_encoding() {
        assert_eq!(crc(Algorithm::Crc64Nvme, b"123456789"), 0xAE8B_1486_0A79_9888);
        assert_eq!(crc(Algorithm::Crc32C, b"123456789"), 0xE306_9283);
        assert_eq!(crc(Algorithm::Crc32, b"123456789"), 0xCBF4_3926);
        // S3 (and Garage) answered 6oVDgfCTY6I= for 5 MiB of byte 7; Garage answered these for "hello".
        assert_eq!(Algorithm::Crc64Nvme.to_base64(crc(Algorithm::Crc64Nvme, &vec![7u8; 5 * 1024 * 1024])), "6oVDgfCTY6I=");
        for (algorithm, hello) in [(Algorithm::Crc64Nvme, "M3eFcAZSQlc="), (Algorithm::Crc32C, "mnG7TA=="), (Algorithm::Crc32, "NhCmhg==")] {
            assert_eq!(algorithm.to_base64(crc(algorithm, b"hello")), hello, "{algorithm:?}");
            assert_eq!(algorithm.from_base64(hello), Some(crc(algorithm, b"hello")));
        }
        assert_eq!(Algorithm::Crc64Nvme.from_base64("Hf2flw=="), None, "a CRC32C is not a CRC64");
        assert_eq!(Algorithm::Crc32C.from_base64("M3eFcAZSQlc="), None, "a CRC64 is not a CRC32C");
    }

    #[test]
    fn names_round_trip() {
        for algorithm in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(algorithm.name()), Some(algorithm));
        }
        assert_eq!(Algorithm::from_name("crc32c"), Some(Algorithm::Crc32C));
        assert_eq!(Algorithm::from_name("SHA256"), None);
    }

    #[test]
    fn combining_part_crcs_gives_the_whole_objects_crc() {
        // Garage reported kb6tpkb4Azc= as the FULL_OBJECT CRC-64/NVME of those two parts.
        let (a, b) = (vec![7u8; 5 * 1024 * 1024], b"hello".to_vec());
        let c64 = Algorithm::Crc64Nvme;
        assert_eq!(c64.to_base64(c64.combine(crc(c64, &a), crc(c64, &b), b.len() as u64)), "kb6tpkb4Azc=");
        let data: Vec<u8> = (0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
        for algorithm in Algorithm::ALL {
            for split in [0, 1, 7, 8, 4096, 99_999, 100_000] {
                let (head, tail) = data.split_at(split);
                let combined = algorithm.combine(crc(algorithm, head), crc(algorithm, tail), tail.len() as u64);
                assert_eq!(combined, crc(algorithm, &data), "{algorithm:?} split at {split}");
            }
        }
    }

    #[test]
    fn chunked_updates_equal_one_pass() {
        let data = vec![42u8; 3_000_000];
        for algorithm in Algorithm::ALL {
            let mut c = algorithm.hasher();
            for chunk in data.chunks(1 << 20) {
                c.update(chunk);
            }
            assert_eq!(c.finish(), crc(algorithm, &data));
        }
    }

    #[test]
    fn only_a_matching_full_object_checksum_proves_the_object() {
        let value = Algorithm::Crc32C.to_base64(5);
        let reported = |checksum_type: Option<&str>| Reported {
            algorithm: Algorithm::Crc32C,
            value: value.clone(),
            checksum_type: checksum_type.map(Into::into),
        };
        assert!(reported(Some("FULL_OBJECT")).proves(Algorithm::Crc32C, 5));
        assert!(!reported(Some("FULL_OBJECT")).proves(Algorithm::Crc32C, 6), "another CRC");
        assert!(!reported(Some("COMPOSITE")).proves(Algorithm::Crc32C, 5), "a CRC of the parts' CRCs");
        assert!(!reported(None).proves(Algorithm::Crc32C, 5), "no type said");
        assert!(!reported(Some("FULL_OBJECT")).proves(Algorithm::Crc32, 5), "another algorithm");
    }
}
