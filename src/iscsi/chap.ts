/**
 * CHAP with MD5 (RFC 1994 as used by RFC 7143 §12.1): the target challenges,
 * the initiator proves it knows an IncomingUser secret, and for mutual CHAP
 * the target proves it knows the OutgoingUser secret.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ChapAccount } from './backend.js';

export const CHAP_MD5 = '5';

export class ChapError extends Error {
  override name = 'ChapError';
}

/** Decodes a CHAP binary value: `0x`/`0X` hex or `0b`/`0B` base64 (RFC 7143 §6.1). */
export function decodeChapBinary(value: string): Buffer {
  if (/^0x[0-9a-f]*$/i.test(value) && value.length > 2 && value.length % 2 === 0) {
    return Buffer.from(value.slice(2), 'hex');
  }
  if (/^0x[0-9a-f]*$/i.test(value) && value.length > 2) {
    return Buffer.from('0' + value.slice(2), 'hex'); // odd digit count: leading nibble
  }
  if (/^0b[A-Za-z0-9+/=]+$/i.test(value)) return Buffer.from(value.slice(2), 'base64');
  throw new ChapError(`malformed CHAP binary value "${value.slice(0, 40)}"`);
}

export function encodeChapBinary(data: Buffer): string {
  return '0x' + data.toString('hex');
}

export function chapResponse(id: number, secret: string, challenge: Buffer): Buffer {
  return createHash('md5')
    .update(Buffer.from([id & 0xff]))
    .update(Buffer.from(secret, 'utf8'))
    .update(challenge)
    .digest();
}

export interface ChapChallenge {
  id: number;
  challenge: Buffer;
}

export function newChallenge(): ChapChallenge {
  return { id: randomBytes(1)[0], challenge: randomBytes(16) };
}

/**
 * Checks the initiator's CHAP_N/CHAP_R against the accounts; returns the
 * matching account or throws.
 */
export function verifyInitiator(
  accounts: ChapAccount[],
  sent: ChapChallenge,
  name: string | undefined,
  response: string | undefined,
): ChapAccount {
  if (name === undefined || response === undefined) throw new ChapError('CHAP_N or CHAP_R missing');
  const account = accounts.find((a) => a.user === name);
  if (!account) throw new ChapError(`unknown CHAP user "${name}"`);
  const expected = chapResponse(sent.id, account.secret, sent.challenge);
  const got = decodeChapBinary(response);
  if (got.length !== expected.length || !got.equals(expected)) throw new ChapError(`wrong CHAP response for "${name}"`);
  return account;
}

/**
 * Answers the initiator's challenge for mutual CHAP. RFC 7143 §12.1.3: the
 * target must refuse a challenge identical to the one it sent (reflection).
 */
export function answerInitiatorChallenge(
  account: ChapAccount | undefined,
  sent: ChapChallenge,
  id: string,
  challenge: string,
): { name: string; response: string } {
  if (!account) throw new ChapError('mutual CHAP requested but no OutgoingUser is configured');
  if (!/^\d+$/.test(id) || Number(id) > 255) throw new ChapError(`malformed CHAP_I "${id}"`);
  const theirs = decodeChapBinary(challenge);
  if (theirs.equals(sent.challenge)) throw new ChapError('initiator reflected our CHAP challenge');
  return { name: account.user, response: encodeChapBinary(chapResponse(Number(id), account.secret, theirs)) };
}
