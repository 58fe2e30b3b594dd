//! Native micro-benchmark of the per-part CPU work in the core: CRC-64/NVME of the part's bytes, combining part CRCs
//! into the whole object's, and SigV4-signing an UploadPart request. Plain `std::time::Instant`, no harness:
//!
//!   cargo bench --bench core            (needs `[[bench]] name = "core" harness = false` in Cargo.toml)
//!
//! Native code: in the browser the same Rust runs as wasm (slower, no SIMD); bench/run.mjs measures that end to end.
use resumable_s3::core::checksum::{Algorithm, Crc64};
use resumable_s3::core::credentials::Credentials;
use resumable_s3::core::plan::Part;
use resumable_s3::core::s3::sign::sign;
use resumable_s3::core::s3::{upload_part, Endpoint, Object};
use std::hint::black_box;
use std::time::{Duration, Instant, UNIX_EPOCH};

const MIB: usize = 1024 * 1024;

/// Runs `f` at least `min_runs` times and for at least `min_time`; returns the median time of one run.
fn median_time(min_runs: usize, min_time: Duration, mut f: impl FnMut()) -> Duration {
    f(); // warm-up
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < min_runs || start.elapsed() < min_time {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

fn main() {
    // Not all-zero data (a CRC does not care, but keep the compiler from being clever): a simple LCG fill.
    let part = 8 * MIB;
    let mut data = vec![0u8; part];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for b in data.iter_mut() {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        *b = (x >> 56) as u8;
    }

    // CRC-64/NVME over one 8 MiB part, fed in 4 MiB chunks as the web shell reads a part.
    let crc_time = median_time(10, Duration::from_secs(2), || {
        let mut crc = Crc64::default();
        for chunk in data.chunks(4 * MIB) {
            crc.update(black_box(chunk));
        }
        black_box(crc.finish());
    });
    let crc_mbs = part as f64 / crc_time.as_secs_f64() / 1e6;

    // Combining 10,000 part CRCs into the whole object's (the most parts an upload can have).
    let combine_time = median_time(5, Duration::from_secs(1), || {
        let mut whole = 0u64;
        for i in 0..10_000u64 {
            whole = Algorithm::Crc64Nvme.combine(black_box(whole), black_box(i.wrapping_mul(0x1234_5678_9ABC_DEF1)), 8 * MIB as u64);
        }
        black_box(whole);
    });

    // Signing one UploadPart request (header SigV4, UNSIGNED-PAYLOAD, with the checksum header), as sent per part.
    let endpoint = Endpoint { url: "https://s3.eu-west-1.amazonaws.com".into(), region: "eu-west-1".into(), force_path_style: false };
    let object = Object { bucket: "my-bucket".into(), key: "uploads/some user/video file.mp4".into() };
    let credentials = Credentials {
        access_key_id: "ASIAIOSFODNN7EXAMPLE".into(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        session_token: Some("IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD".repeat(8)),
        expires_at_ms: None,
    };
    let time = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let signs = 1000;
    let sign_time = median_time(5, Duration::from_secs(2), || {
        for n in 1..=signs {
            let mut request = upload_part::request(
                &endpoint,
                &object,
                "2~abcdefghijklmnopqrstuvwxyz0123456789",
                &Part { number: n, offset: (n as u64 - 1) * part as u64, len: part as u64 },
            );
            upload_part::add_checksum(&mut request, Algorithm::Crc64Nvme, 0x1234_5678_9ABC_DEF0);
            sign(&mut request, "eu-west-1", &credentials, time).unwrap();
            black_box(request);
        }
    }) / signs;

    println!("core micro-benchmark (native, release, median of repeated runs)");
    println!("  CRC-64/NVME          {crc_mbs:8.0} MB/s   {:7.2} ms per 8 MiB part", crc_time.as_secs_f64() * 1e3);
    println!(
        "  combine 10,000 CRCs  {:8.2} ms         {:7.2} µs per part",
        combine_time.as_secs_f64() * 1e3,
        combine_time.as_secs_f64() * 1e6 / 10_000.0
    );
    println!("  sign UploadPart      {:8.1} µs per request", sign_time.as_secs_f64() * 1e6);
    let per_gib = (crc_time.as_secs_f64() + sign_time.as_secs_f64()) * 128.0;
    println!(
        "  per GiB in 8 MiB parts (128 parts): {:.3} CPU s (checksum {:.3} s + signing {:.4} s)",
        per_gib,
        crc_time.as_secs_f64() * 128.0,
        sign_time.as_secs_f64() * 128.0
    );
}
