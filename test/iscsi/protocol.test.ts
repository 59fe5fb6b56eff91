/**
 * The iSCSI protocol pieces on their own: CRC32C, text keys, operational
 * negotiation, CHAP, PDU framing and the login state machine.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c, crc32cUpdate } from '../../src/engine/crc32c.js';
import { decodeText, encodeText, TextFormatError } from '../../src/iscsi/text.js';
import {
  DEFAULT_TARGET_PARAMS,
  NegotiationError,
  initialSessionParams,
  negotiateOperational,
} from '../../src/iscsi/params.js';
import { chapResponse, decodeChapBinary, encodeChapBinary, verifyInitiator, ChapError } from '../../src/iscsi/chap.js';
import { FramingError, PduReader } from '../../src/iscsi/framing.js';
import { LoginNegotiation } from '../../src/iscsi/login.js';
import { LoginStatus, setDataSegmentLength } from '../../src/iscsi/pdu.js';
import { portalMatches, targetAddress } from '../../src/iscsi/portal-pattern.js';
import { FakeBackend, FakeTarget, FixedLunMap } from './doubles.js';

describe('CRC32C', () => {
  // RFC 3720 Appendix B.4 test vectors.
  test('matches the RFC 3720 vectors', () => {
    assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
    assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
    assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e);
    assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i))), 0x113fdb5c);
  });
  test('incremental update equals one pass (slicing and byte paths agree)', () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff));
    assert.equal(crc32cUpdate(crc32c(data, 0, 333), data, 333), crc32c(data));
  });
});

describe('text parameters', () => {
  test('round trip of key=value pairs with NUL separators', () => {
    const pairs: Array<[string, string]> = [['InitiatorName', 'iqn.x:y'], ['SessionType', 'Normal']];
    assert.deepEqual(decodeText(encodeText(pairs)), pairs);
    assert.equal(encodeText(pairs).toString('latin1'), 'InitiatorName=iqn.x:y\0SessionType=Normal\0');
  });
  test('an item without "=" is a format error', () => {
    assert.throws(() => decodeText(Buffer.from('garbage\0')), TextFormatError);
  });
});

describe('operational negotiation (RFC 7143 §13)', () => {
  const negotiate = (pairs: Array<[string, string]>, target = DEFAULT_TARGET_PARAMS) => {
    const params = initialSessionParams(target);
    const answers = negotiateOperational(pairs, target, params, false);
    return { params, answers: Object.fromEntries(answers) };
  };
  test('numbers take the minimum, booleans AND/OR, MRDSL is declarative', () => {
    const { params, answers } = negotiate([
      ['MaxBurstLength', '16776192'],
      ['FirstBurstLength', '262144'],
      ['MaxOutstandingR2T', '1'],
      ['InitialR2T', 'No'],
      ['ImmediateData', 'Yes'],
      ['MaxRecvDataSegmentLength', '262144'],
      ['ErrorRecoveryLevel', '2'],
    ]);
    assert.deepEqual(answers, {
      MaxBurstLength: '1048576',
      FirstBurstLength: '65536',
      MaxOutstandingR2T: '1',
      InitialR2T: 'No',
      ImmediateData: 'Yes',
      ErrorRecoveryLevel: '0',
    });
    assert.equal(params.maxXmitDataSegmentLength, 262144);
    assert.equal(params.initialR2T, false);
  });
  test('InitialR2T is an OR: the target configured with Yes wins', () => {
    const { answers } = negotiate([['InitialR2T', 'No']], { ...DEFAULT_TARGET_PARAMS, InitialR2T: true });
    assert.equal(answers.InitialR2T, 'Yes');
  });
  test('digest: the first of the initiator list the target accepts; none acceptable fails', () => {
    const target = { ...DEFAULT_TARGET_PARAMS, HeaderDigest: ['CRC32C'] };
    assert.equal(negotiate([['HeaderDigest', 'None,CRC32C']], target).answers.HeaderDigest, 'CRC32C');
    assert.equal(negotiate([['HeaderDigest', 'None,CRC32C']]).answers.HeaderDigest, 'None');
    assert.throws(() => negotiate([['HeaderDigest', 'None']], target), NegotiationError);
  });
  test('unknown keys are NotUnderstood, out-of-range numbers fail', () => {
    assert.equal(negotiate([['X-com.example.Foo', '1']]).answers['X-com.example.Foo'], 'NotUnderstood');
    assert.throws(() => negotiate([['MaxBurstLength', '12']]), NegotiationError);
    assert.throws(() => negotiate([['MaxBurstLength', 'lots']]), NegotiationError);
  });
});

describe('CHAP', () => {
  test('response is MD5(id || secret || challenge) and verifies', () => {
    const challenge = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const r = chapResponse(7, 'twelve-chars-secret', challenge);
    assert.equal(r.length, 16);
    const account = verifyInitiator([{ user: 'joe', secret: 'twelve-chars-secret' }], { id: 7, challenge }, 'joe', encodeChapBinary(r));
    assert.equal(account.user, 'joe');
    assert.throws(() => verifyInitiator([{ user: 'joe', secret: 'other-secret-xx' }], { id: 7, challenge }, 'joe', encodeChapBinary(r)), ChapError);
  });
  test('binary values in hex and base64', () => {
    assert.deepEqual(decodeChapBinary('0x0102ff'), Buffer.from([1, 2, 255]));
    assert.deepEqual(decodeChapBinary('0bAQL/'), Buffer.from([1, 2, 255]));
    assert.throws(() => decodeChapBinary('zz'), ChapError);
  });
});

describe('PDU framing', () => {
  const pdu = (data: string, digests: boolean): Buffer => {
    const bhs = Buffer.alloc(48);
    bhs[0] = 0x04;
    setDataSegmentLength(bhs, data.length);
    const parts = [bhs];
    if (digests) parts.push(le(crc32c(bhs)));
    const payload = Buffer.from(data);
    const padded = Buffer.concat([payload, Buffer.alloc((4 - (payload.length % 4)) % 4)]);
    parts.push(padded);
    if (digests) parts.push(le(crc32c(padded)));
    return Buffer.concat(parts);
  };
  const le = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  test('a PDU split over many chunks comes out whole, padding removed', () => {
    const reader = new PduReader({ headerDigest: true, dataDigest: true, maxDataSegmentLength: 8192 });
    const bytes = Buffer.concat([pdu('SendTargets=All', true), pdu('abc', true)]);
    for (let i = 0; i < bytes.length; i += 5) reader.push(bytes.subarray(i, i + 5));
    assert.equal(reader.next()?.data.toString(), 'SendTargets=All');
    assert.equal(reader.next()?.data.toString(), 'abc');
    assert.equal(reader.next(), undefined);
  });
  test('a corrupted data digest and an oversized segment are framing errors', () => {
    const reader = new PduReader({ headerDigest: true, dataDigest: true, maxDataSegmentLength: 8192 });
    const bad = pdu('abcd', true);
    bad[bad.length - 1] ^= 1;
    reader.push(bad);
    assert.throws(() => reader.next(), (e: unknown) => e instanceof FramingError && e.digest === 'data');
    const small = new PduReader({ headerDigest: false, dataDigest: false, maxDataSegmentLength: 2 });
    small.push(pdu('abcd', false));
    assert.throws(() => small.next(), /exceeds the negotiated 2/);
  });
});

describe('login state machine', () => {
  const backend = new FakeBackend();
  const target = backend.add(new FakeTarget('iqn.t:1', () => new FixedLunMap(new Map())));
  const request = (csg: number, nsg: number, transit: boolean, pairs: Array<[string, string]>) => ({
    transit,
    csg,
    nsg,
    versionMax: 0,
    versionMin: 0,
    isid: Buffer.from('400001370000', 'hex'),
    tsih: 0,
    cid: 0,
    pairs,
  });
  test('mutual CHAP: the target proves its OutgoingUser secret', () => {
    target.incomingUsers = [{ user: 'ini', secret: 'initiator-secret' }];
    target.outgoingUser = { user: 'tgt', secret: 'target-secret-12' };
    const login = new LoginNegotiation(backend, { localAddress: '127.0.0.1' });
    const first = login.handle(request(0, 1, true, [['InitiatorName', 'iqn.i:1'], ['TargetName', 'iqn.t:1'], ['AuthMethod', 'CHAP,None']]));
    assert.deepEqual(first.pairs, [['TargetPortalGroupTag', '1'], ['AuthMethod', 'CHAP']]);
    assert.equal(first.transit, false, 'held in the security stage until CHAP succeeds');
    const challenge = login.handle(request(0, 1, false, [['CHAP_A', '5']]));
    const keys = Object.fromEntries(challenge.pairs);
    const myChallenge = Buffer.from('0f0e0d0c0b0a09080706050403020100', 'hex');
    const answer = chapResponse(Number(keys.CHAP_I), 'initiator-secret', decodeChapBinary(keys.CHAP_C));
    const done = login.handle(
      request(0, 1, true, [['CHAP_N', 'ini'], ['CHAP_R', encodeChapBinary(answer)], ['CHAP_I', '9'], ['CHAP_C', encodeChapBinary(myChallenge)]]),
    );
    assert.equal(done.status, LoginStatus.SUCCESS);
    assert.equal(done.transit, true);
    const proof = Object.fromEntries(done.pairs);
    assert.equal(proof.CHAP_N, 'tgt');
    assert.equal(proof.CHAP_R, encodeChapBinary(chapResponse(9, 'target-secret-12', myChallenge)));
    const final = login.handle(request(1, 3, true, [['MaxRecvDataSegmentLength', '65536']]));
    assert.equal(final.complete, true);
    assert.deepEqual(final.pairs, [['MaxRecvDataSegmentLength', '1048576']]);
  });
  test('skipping security when CHAP is required fails with 0x0201', () => {
    target.incomingUsers = [{ user: 'ini', secret: 'initiator-secret' }];
    const login = new LoginNegotiation(backend, { localAddress: '127.0.0.1' });
    const r = login.handle(request(1, 3, true, [['InitiatorName', 'iqn.i:1'], ['TargetName', 'iqn.t:1']]));
    assert.equal(r.status, LoginStatus.AUTH_FAILURE);
  });
  test('missing InitiatorName, unknown or disabled target', () => {
    target.incomingUsers = [];
    const login = () => new LoginNegotiation(backend, { localAddress: '127.0.0.1' });
    assert.equal(login().handle(request(1, 3, true, [['TargetName', 'iqn.t:1']])).status, LoginStatus.MISSING_PARAMETER);
    assert.equal(login().handle(request(1, 3, true, [['InitiatorName', 'i'], ['TargetName', 'iqn.t:2']])).status, LoginStatus.NOT_FOUND);
    target.enabled = false;
    assert.equal(login().handle(request(1, 3, true, [['InitiatorName', 'i'], ['TargetName', 'iqn.t:1']])).status, LoginStatus.NOT_FOUND);
    target.enabled = true;
  });
});

describe('portals', () => {
  test('allowed_portal uses fnmatch wildcards', () => {
    assert.equal(portalMatches('127.0.0.*', '127.0.0.1'), true);
    assert.equal(portalMatches('10.[0-9].*', '10.5.1.1'), true);
    assert.equal(portalMatches('10.*', '127.0.0.1'), false);
    assert.equal(portalMatches('127.0.0.?', '127.0.0.12'), false);
  });
  test('TargetAddress brackets IPv6', () => {
    assert.equal(targetAddress('::1', 3260, 1), '[::1]:3260,1');
    assert.equal(targetAddress('127.0.0.1', 3261, 2), '127.0.0.1:3261,2');
  });
});
