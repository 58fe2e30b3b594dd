// CRC-64/NVME (the checksum S3 calls CRC64NVME), computed independently of the library under test, to compare
// with the full-object checksum S3 reports. Reflected, poly 0x9a6c9329ac4bc9b5, init and xorout all ones;
// check value ("123456789") 0xae8b14860a799888. Byte-wise with a table on two 32-bit halves: ~100 MB/s.
const POLY_LO = 0xac4bc9b5;
const POLY_HI = 0x9a6c9329;
const TABLE_LO = new Uint32Array(256);
const TABLE_HI = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let lo = n;
  let hi = 0;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi >>>= 1;
    if (carry) {
      lo = (lo ^ POLY_LO) >>> 0;
      hi = (hi ^ POLY_HI) >>> 0;
    }
  }
  TABLE_LO[n] = lo;
  TABLE_HI[n] = hi;
}

/** Incremental: `const c = crc64nvme(); c.update(buf)…; c.digest()` → 8 bytes (big-endian), `c.base64()` as S3 prints it. */
export function crc64nvme() {
  let lo = 0xffffffff;
  let hi = 0xffffffff;
  const c = {
    update(bytes) {
      for (let i = 0; i < bytes.length; i++) {
        const index = (lo ^ bytes[i]) & 0xff;
        lo = (((lo >>> 8) | (hi << 24)) ^ TABLE_LO[index]) >>> 0;
        hi = ((hi >>> 8) ^ TABLE_HI[index]) >>> 0;
      }
      return c;
    },
    digest() {
      const out = Buffer.alloc(8);
      out.writeUInt32BE((hi ^ 0xffffffff) >>> 0, 0);
      out.writeUInt32BE((lo ^ 0xffffffff) >>> 0, 4);
      return out;
    },
    hex: () => c.digest().toString('hex'),
    base64: () => c.digest().toString('base64'),
  };
  return c;
}
