/**
 * iSCSI text parameters (RFC 7143 §6): `key=value` pairs, each terminated by
 * a NUL, carried in Login and Text PDU data segments.
 */

export type TextPairs = Array<[key: string, value: string]>;

/** A text data segment that does not follow the key=value\0 grammar. */
export class TextFormatError extends Error {
  override name = 'TextFormatError';
}

/** RFC 7143 §6.1: keys are at most 63 bytes, values at most 255 (8192 for some). */
const MAX_KEY_LENGTH = 63;
const MAX_VALUE_LENGTH = 8192;

export function decodeText(data: Buffer): TextPairs {
  const pairs: TextPairs = [];
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(0, start);
    if (end === -1) end = data.length; // tolerate a missing final NUL, as initiators pad
    if (end > start) {
      const item = data.toString('utf8', start, end);
      const eq = item.indexOf('=');
      if (eq <= 0) throw new TextFormatError(`text item without "key=": ${JSON.stringify(item.slice(0, 80))}`);
      const key = item.slice(0, eq);
      const value = item.slice(eq + 1);
      if (key.length > MAX_KEY_LENGTH) throw new TextFormatError(`text key longer than ${MAX_KEY_LENGTH} bytes`);
      if (value.length > MAX_VALUE_LENGTH) throw new TextFormatError(`value of ${key} longer than ${MAX_VALUE_LENGTH} bytes`);
      pairs.push([key, value]);
    }
    start = end + 1;
  }
  return pairs;
}

export function encodeText(pairs: TextPairs): Buffer {
  return Buffer.from(pairs.map(([k, v]) => `${k}=${v}\0`).join(''), 'utf8');
}
