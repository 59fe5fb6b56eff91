/** Shared helpers for the SCSI service tests: CDB builders, nexuses, LUs over temp files. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nullBacking, openFileBacking, type FileBackingOptions } from '../../src/engine/backing/index.js';
import { DiskLogicalUnit, parseSense, ScsiStatus, type DeviceIdentity, type Nexus, type ScsiResponse } from '../../src/engine/scsi/index.js';
import type { DeviceFlags, LogicalUnit, LunMap } from '../../src/engine/scsi/index.js';

export function nexus(initiator = 'iqn.1994-05.com.redhat:client', relativeTargetPortId = 1): Nexus {
  return { initiatorName: initiator, relativeTargetPortId, targetPortName: 'iqn.2006-10.net.vlnb:tgt' };
}

export const IDENTITY: DeviceIdentity = {
  vendorId: 'SCST_FIO',
  productId: 'disk01',
  revision: '3110',
  t10DevId: '27cddc71-disk01',
  usn: '27cddc71',
};

export interface Exec {
  (cdb: number[] | Buffer, options?: { dataOut?: Buffer; expectedLength?: number; nexus?: Nexus; lunMap?: LunMap }): Promise<ScsiResponse>;
}

export function executor(lu: LogicalUnit, defaultNexus: Nexus = nexus()): Exec {
  return (cdb, options = {}) => {
    const bytes = Buffer.isBuffer(cdb) ? cdb : Buffer.from(cdb);
    return lu.execute({
      nexus: options.nexus ?? defaultNexus,
      cdb: bytes,
      expectedLength: options.expectedLength ?? options.dataOut?.length ?? 0,
      direction: options.dataOut ? 'write' : 'read',
      dataOut: options.dataOut ?? null,
      lunMap: options.lunMap,
    });
  };
}

/** Asserts CHECK CONDITION with key/asc/ascq; returns the parsed sense. */
export function assertCheck(response: ScsiResponse, key: number, asc: number, ascq = 0): ReturnType<typeof parseSense> {
  assert.equal(response.status, ScsiStatus.CHECK_CONDITION, 'status');
  assert.ok(response.sense, 'sense present');
  const sense = parseSense(response.sense!);
  assert.deepEqual([sense.key, sense.asc, sense.ascq], [key, asc, ascq]);
  return sense;
}

export function assertGood(response: ScsiResponse): Buffer {
  assert.equal(response.status, ScsiStatus.GOOD, response.sense ? `sense ${response.sense.toString('hex')}` : 'status');
  return response.dataIn ?? Buffer.alloc(0);
}

/** Consumes the power-on unit attention every new nexus starts with. */
export async function clearPowerOn(exec: Exec, n?: Nexus): Promise<void> {
  assertCheck(await exec([0, 0, 0, 0, 0, 0], { nexus: n }), 0x6, 0x29, 0x00);
}

export function cdb10(op: number, lba: number, blocks: number, byte1 = 0): number[] {
  return [op, byte1, (lba >>> 24) & 0xff, (lba >>> 16) & 0xff, (lba >>> 8) & 0xff, lba & 0xff, 0, (blocks >> 8) & 0xff, blocks & 0xff, 0];
}

export function cdb12(op: number, lba: number, blocks: number, byte1 = 0): number[] {
  const b = Buffer.alloc(12);
  b[0] = op;
  b[1] = byte1;
  b.writeUInt32BE(lba >>> 0, 2);
  b.writeUInt32BE(blocks >>> 0, 6);
  return [...b];
}

export function cdb16(op: number, lba: bigint | number, blocks: number, byte1 = 0): number[] {
  const b = Buffer.alloc(16);
  b[0] = op;
  b[1] = byte1;
  b.writeBigUInt64BE(BigInt(lba), 2);
  b.writeUInt32BE(blocks >>> 0, 10);
  return [...b];
}

export interface TempDisk {
  lu: DiskLogicalUnit;
  exec: Exec;
  path: string;
  cleanup(): Promise<void>;
}

/** A fileio LU over a fresh temp file of `blocks` blocks filled with `fill`; the power-on UA is consumed. */
export async function tempFileDisk(
  blocks: number,
  options: FileBackingOptions = {},
  flags: Partial<DeviceFlags> = {},
  fill = 0,
): Promise<TempDisk> {
  const dir = await mkdtemp(join(tmpdir(), 'scsi-test-'));
  const path = join(dir, 'disk.img');
  await writeFile(path, Buffer.alloc(blocks * (options.blockSize ?? 512), fill));
  const backing = await openFileBacking(path, options);
  const lu = new DiskLogicalUnit({ backing, identity: IDENTITY, flags });
  const exec = executor(lu);
  await clearPowerOn(exec);
  return {
    lu,
    exec,
    path,
    async cleanup() {
      await lu.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function nullDisk(sizeBytes = 1024 * 1024, blockSize = 512, flags: Partial<DeviceFlags> = {}): Promise<{ lu: DiskLogicalUnit; exec: Exec }> {
  const lu = new DiskLogicalUnit({ backing: nullBacking({ sizeBytes, blockSize }), identity: IDENTITY, flags });
  const exec = executor(lu);
  await clearPowerOn(exec);
  return { lu, exec };
}
