//! CRC-64/NVME over a buffer in linear memory with each of the `crc` crate's table variants: the package uses
//! `Table<16>` (src/core/checksum.rs: slicing-by-16, tables built at first use, fed through a `Digest` as here).
//! Plain C-ABI exports, no wasm-bindgen: the page calls them on bytes it never copies.
use crc::{Crc, NoTable, Table, CRC_64_NVME};
use std::sync::OnceLock;

/// A buffer of `len` bytes, filled with a simple LCG (not all zeros), left allocated for the caller.
#[no_mangle]
pub extern "C" fn buffer(len: usize) -> *mut u8 {
    let mut data = vec![0u8; len];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for b in data.iter_mut() {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        *b = (x >> 56) as u8;
    }
    Box::leak(data.into_boxed_slice()).as_mut_ptr()
}

/// `len` bytes at `ptr`, fed through a `Digest` in 1 MiB chunks as the web shell feeds what it reads. (One function
/// per variant: `crc` implements `digest()` for each table type separately, not generically.)
macro_rules! variant {
    ($name:ident, $imp:ty) => {
        /// # Safety
        /// `ptr..ptr + len` must be readable: a buffer from `buffer(n)` with `len <= n`.
        #[no_mangle]
        pub unsafe extern "C" fn $name(ptr: *const u8, len: usize) -> u64 {
            static CRC: OnceLock<Crc<u64, $imp>> = OnceLock::new();
            // SAFETY: as the function's contract says.
            let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
            let mut d = CRC.get_or_init(|| Crc::<u64, $imp>::new(&CRC_64_NVME)).digest();
            for chunk in bytes.chunks(1 << 20) {
                d.update(chunk);
            }
            d.finalize()
        }
    };
}
variant!(crc64_table16, Table<16>);
variant!(crc64_table1, Table<1>);
variant!(crc64_notable, NoTable);

/// The variants by name, for the native run.
pub type Kernel = unsafe extern "C" fn(*const u8, usize) -> u64;
pub const VARIANTS: [(&str, Kernel); 3] = [("Table<16>", crc64_table16), ("Table<1>", crc64_table1), ("NoTable", crc64_notable)];
