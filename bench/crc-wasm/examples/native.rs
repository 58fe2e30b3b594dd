//! The same kernels natively: `cargo run --release --example native -- [MiB]` (bench/crc-wasm.mjs runs it).
use crc_wasm_bench::{buffer, VARIANTS};
use std::time::Instant;

fn main() {
    let mib: usize = std::env::args().nth(1).map_or(256, |a| a.parse().expect("MiB"));
    let data = buffer(mib << 20);
    for (name, f) in VARIANTS {
        // NoTable goes bit by bit (≈60× slower): a sixteenth of the buffer is enough.
        let len = if name == "NoTable" { mib << 16 } else { mib << 20 };
        // Warm-up (tables built); the CRC of the first MiB, to compare with wasm's.
        // SAFETY: `data` holds `mib` MiB, the most any call reads.
        let check = unsafe { f(data, 1 << 20) };
        let mut best = f64::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            // SAFETY: as above.
            std::hint::black_box(unsafe { f(std::hint::black_box(data), len) });
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!("{name}\t{:.3}\t{check:016x}", len as f64 / best / 1e9);
    }
}
