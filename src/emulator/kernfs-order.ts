/** kernfs readdir order (sysfs.md §1.6): ascending name hash, ties by strcmp. */

const MASK64 = (1n << 64n) - 1n;
const GOLDEN_RATIO_64 = 0x61c8864680b583ebn;

/** kernfs_name_hash() of a namespace-less name on a 64-bit kernel ≥ 4.8. */
export function kernfsNameHash(name: string): number {
  let h = 0n;
  for (const byte of Buffer.from(name, 'utf8')) {
    // `char` is signed on x86: bytes >= 0x80 are sign-extended to 64 bits.
    const c = byte >= 0x80 ? (BigInt(byte) - 256n) & MASK64 : BigInt(byte);
    h = ((h + ((c << 4n) & MASK64) + (c >> 4n)) * 11n) & MASK64;
  }
  let v = Number(((h * GOLDEN_RATIO_64) & MASK64) >> 32n) & 0x7fffffff;
  if (v < 2) v += 2;
  if (v >= 0x7fffffff) v = 0x7ffffffe;
  return v;
}

const hashCache = new Map<string, number>();

function cachedHash(name: string): number {
  let h = hashCache.get(name);
  if (h === undefined) {
    h = kernfsNameHash(name);
    if (hashCache.size > 100_000) hashCache.clear();
    hashCache.set(name, h);
  }
  return h;
}

/** Compares two names in kernel readdir order. */
export function compareKernfs(a: string, b: string): number {
  const ha = cachedHash(a);
  const hb = cachedHash(b);
  if (ha !== hb) return ha - hb;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Names sorted in kernel readdir order. */
export function kernfsSort(names: Iterable<string>): string[] {
  return [...names].sort(compareKernfs);
}
