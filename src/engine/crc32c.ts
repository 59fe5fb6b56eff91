/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8 so a
 * 1 MiB iSCSI data digest costs about one table lookup per byte. Two uses:
 * the kernel's raw crc32c_le (no inversions) that vdisk hashes device names
 * with (sysfs.md §7.6), and the standard form with initial value and final
 * XOR 0xFFFFFFFF that iSCSI header and data digests use (RFC 7143 §13.1).
 */

const TABLES: Uint32Array[] = buildTables();

function buildTables(): Uint32Array[] {
  const tables: Uint32Array[] = [];
  const first = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    first[n] = c >>> 0;
  }
  tables.push(first);
  for (let t = 1; t < 8; t++) {
    const prev = tables[t - 1];
    const next = new Uint32Array(256);
    for (let n = 0; n < 256; n++) next[n] = (prev[n] >>> 8) ^ first[prev[n] & 0xff];
    tables.push(next);
  }
  return tables;
}

/** The raw table-driven CRC (crc32c_le): `seed` in, register out, no inversions. */
export function crc32cRaw(seed: number, data: Uint8Array, start = 0, end = data.length): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let c = seed >>> 0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = (c ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24))) >>> 0;
    c =
      t7[lo & 0xff] ^
      t6[(lo >>> 8) & 0xff] ^
      t5[(lo >>> 16) & 0xff] ^
      t4[lo >>> 24] ^
      t3[data[i + 4]] ^
      t2[data[i + 5]] ^
      t1[data[i + 6]] ^
      t0[data[i + 7]];
  }
  for (; i < end; i++) c = t0[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return c >>> 0;
}

/** Continues a standard CRC32C (pass the previous return value; start with 0). */
export function crc32cUpdate(crc: number, data: Uint8Array, start = 0, end = data.length): number {
  return ~crc32cRaw(~crc >>> 0, data, start, end) >>> 0;
}

/** The standard CRC32C of `data` (iSCSI digests). */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  return crc32cUpdate(0, data, start, end);
}
