import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SENSE_ALUA_STANDBY,
  SENSE_ALUA_TRANSITIONING,
  SENSE_ALUA_UNAVAILABLE,
  aluaVerdict,
  inquiryNotConnected,
  type AluaState,
} from '../../src/engine/alua/index.js';

const cdb = (...bytes: number[]): Uint8Array => Uint8Array.from([...bytes, ...new Array(16 - bytes.length).fill(0)]);

const READ_10 = cdb(0x28);
const INQUIRY = cdb(0x12);
const MODE_SENSE_6 = cdb(0x1a);
const PR_OUT = cdb(0x5f);
const RTPG = cdb(0xa3, 0x0a);
const STPG = cdb(0xa4, 0x0a);
const READ_CAPACITY_16 = cdb(0x9e, 0x10);
const READ_16 = cdb(0x88);
const MAINTENANCE_IN_OTHER = cdb(0xa3, 0x0c);

function kinds(state: AluaState, cdbs: Uint8Array[]): string[] {
  return cdbs.map((c) => aluaVerdict(state, c).kind);
}

describe('ALUA command filter (scst_tg.c)', () => {
  test('active and nonoptimized accept everything', () => {
    for (const state of ['active', 'nonoptimized'] as const) {
      assert.deepEqual(kinds(state, [READ_10, READ_16, STPG, MAINTENANCE_IN_OTHER]), ['accept', 'accept', 'accept', 'accept']);
    }
  });

  test('standby accepts management commands and rejects media access with 02/04/0B', () => {
    assert.deepEqual(kinds('standby', [INQUIRY, MODE_SENSE_6, PR_OUT, RTPG, STPG, READ_CAPACITY_16]), Array(6).fill('accept'));
    assert.deepEqual(aluaVerdict('standby', READ_10), { kind: 'reject', sense: SENSE_ALUA_STANDBY });
    assert.deepEqual(aluaVerdict('standby', MAINTENANCE_IN_OTHER), { kind: 'reject', sense: SENSE_ALUA_STANDBY });
    assert.deepEqual(SENSE_ALUA_STANDBY, { key: 2, asc: 4, ascq: 0x0b });
  });

  test('unavailable and offline accept only informational commands and STPG, 02/04/0C otherwise', () => {
    for (const state of ['unavailable', 'offline'] as const) {
      assert.deepEqual(kinds(state, [INQUIRY, RTPG, STPG, READ_CAPACITY_16]), Array(4).fill('accept'));
      for (const c of [READ_10, MODE_SENSE_6, PR_OUT]) {
        assert.deepEqual(aluaVerdict(state, c), { kind: 'reject', sense: SENSE_ALUA_UNAVAILABLE });
      }
      assert.equal(inquiryNotConnected(state), true);
    }
    assert.equal(inquiryNotConnected('standby'), false);
  });

  test('transitioning delays a command once by 500 ms, then fails it with 02/04/0A', () => {
    assert.deepEqual(kinds('transitioning', [INQUIRY, RTPG, READ_CAPACITY_16]), Array(3).fill('accept'));
    assert.deepEqual(aluaVerdict('transitioning', READ_10), { kind: 'retry', delayMs: 500 });
    assert.deepEqual(aluaVerdict('transitioning', STPG, true), { kind: 'reject', sense: SENSE_ALUA_TRANSITIONING });
    assert.deepEqual(aluaVerdict('transitioning', READ_10, true), { kind: 'reject', sense: SENSE_ALUA_TRANSITIONING });
  });

});
