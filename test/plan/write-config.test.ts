/** -write_config: §7.2 selection against scstadmin's own outputs, and the file handling of runWriteConfig. */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync, readdirSync, symlinkSync, lstatSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runWriteConfig } from '../../src/cli/commands/write-config.js';
import { writeConfig } from '../../src/conf/index.js';
import type { LiveAttributeMap, LiveDriver, LiveScst, LiveTarget, LiveLun } from '../../src/model/live.js';
import { selectForWrite } from '../../src/plan/index.js';
import { attr, attrs, keyAttr } from './fake-client.js';
import { makeRun } from './helpers.js';
import { sharedFixture } from './repo.js';

const ro = (value: string, key = false) => attr(value, { key, readOnly: true });

function lun(device: string, readOnly = '0'): LiveLun {
  return { device, attributes: attrs({ read_only: ro(readOnly, readOnly === '1') }) };
}

function target(entries: Partial<LiveTarget> & { attributes?: LiveAttributeMap }): LiveTarget {
  return {
    attributes: new Map(),
    hardware: false,
    luns: new Map(),
    lunCreateParams: ['read_only'],
    groups: new Map(),
    sessions: new Map(),
    ...entries,
  };
}

function driver(entries: Partial<LiveDriver>): LiveDriver {
  return {
    attributes: new Map(),
    virtualCapable: true,
    targetCreateParams: [],
    driverDynamicAttributes: [],
    targetDynamicAttributes: [],
    targets: new Map(),
    ...entries,
  };
}

const VDISK_PARAMS = ['blocksize', 'filename', 'nv_cache', 'read_only'];

function device(handler: string, a: Record<string, ReturnType<typeof attr>>) {
  return { handler, attributes: attrs(a), exports: [] };
}

/** The live state behind scstadmin.md §7.4. */
function example74(): LiveScst {
  return {
    version: '3.11.0-pre',
    attributes: attrs({ setup_id: keyAttr('0x1234'), threads: attr('8'), suspend: attr('0'), trace_level: { ...attr('0'), allowedValues: ['all'] } }),
    handlers: new Map([
      ['dev_disk', { attributes: attrs({ type: ro('0') }), devices: ['1:0:0:0'], virtual: true, deviceCreateParams: [] }],
      ['vdisk_blockio', { attributes: attrs({}), devices: [], virtual: true, deviceCreateParams: VDISK_PARAMS }],
      ['vdisk_fileio', { attributes: attrs({}), devices: ['disk2', 'disk1'], virtual: true, deviceCreateParams: VDISK_PARAMS }],
      ['vdisk_nullio', { attributes: attrs({}), devices: ['null1'], virtual: true, deviceCreateParams: ['dummy', 'blocksize'] }],
    ]),
    devices: new Map([
      ['1:0:0:0', device('dev_disk', { type: ro('0') })],
      ['disk1', device('vdisk_fileio', { filename: keyAttr('/disk1'), nv_cache: keyAttr('1'), blocksize: attr('512'), read_only: ro('0'), usn: attr('1a2b3c') })],
      ['disk2', device('vdisk_fileio', { filename: keyAttr('/disk 2#x'), blocksize: keyAttr('4096'), t10_dev_id: keyAttr('d2 id'), size: ro('1048576') })],
      ['null1', device('vdisk_nullio', { dummy: keyAttr('1') })],
    ]),
    drivers: new Map([
      ['copy_manager', driver({
        virtualCapable: false,
        targets: new Map([['copy_manager_tgt', target({
          hardware: true,
          luns: new Map([['0', lun('disk1')], ['1', lun('disk2')], ['2', lun('null1')], ['3', lun('1:0:0:0')]]),
        })]]),
      })],
      ['ib_srpt', driver({ virtualCapable: false })],
      ['iscsi', driver({
        attributes: attrs({ IncomingUser: keyAttr('joe 12charsecret'), enabled: attr('1') }),
        driverDynamicAttributes: ['IncomingUser'],
        targetDynamicAttributes: ['IncomingUser'],
        targets: new Map([
          ['iqn.2006-10.net.vlnb:tgt', target({
            attributes: attrs({
              enabled: attr('1'),
              HeaderDigest: keyAttr('CRC32C,None'),
              IncomingUser: keyAttr('joe 12charsecret', 'fred 12charsecret2'),
              rel_tgt_id: keyAttr('1'),
              hw_target: ro('0'),
              MaxRecvDataSegmentLength: attr('8192'),
            }),
            luns: new Map([['2', lun('null1', '1')], ['0', lun('disk1')], ['1', lun('disk2')]]),
            groups: new Map([['hosts', {
              attributes: attrs({ addr_method: attr('PERIPHERAL') }),
              luns: new Map([['10', lun('disk1')], ['0', lun('disk2')], ['9', lun('null1', '1')]]),
              initiators: ['iqn.1994-05.com.redhat:lin*', 'iqn.1991-05.com.microsoft:win1'],
            }]]),
          })],
          ['iqn.2006-10.net.vlnb:tgt2', target({ attributes: attrs({ enabled: attr('0'), rel_tgt_id: keyAttr('1') }) })],
        ]),
      })],
      ['scst_local', driver({
        targetCreateParams: ['session_name'],
        targets: new Map([['local', target({ luns: new Map([['0', lun('disk1')]]) })]]),
      })],
    ]),
    alua: { attributes: attrs({}) },
    deviceGroups: new Map([['dg1', {
      attributes: attrs({}),
      devices: ['disk1'],
      targetGroups: new Map([['tg1', {
        attributes: attrs({ group_id: keyAttr('1'), state: keyAttr('active'), preferred: attr('0') }),
        targets: new Map([
          ['remote_tgt', { attributes: attrs({ rel_tgt_id: keyAttr('2') }), local: false }],
          ['iqn.2006-10.net.vlnb:tgt', { attributes: attrs({}), local: true }],
        ]),
      }]]),
    }]]),
  };
}

const EXPECTED_74 = `# Automatically generated by SCST Configurator v3.11.0-pre.

setup_id 0x1234

HANDLER dev_disk {
\tDEVICE 1:0:0:0
}

HANDLER vdisk_fileio {
\tDEVICE disk1 {
\t\tfilename /disk1
\t\tnv_cache 1
\t}

\tDEVICE disk2 {
\t\tblocksize 4096
\t\tfilename "/disk 2\\#x"
\t\tt10_dev_id "d2 id"
\t}
}

HANDLER vdisk_nullio {
\tDEVICE null1 {
\t\tdummy 1
\t}
}

TARGET_DRIVER copy_manager {
\tTARGET copy_manager_tgt {
\t\tLUN 0 disk1
\t\tLUN 1 disk2
\t\tLUN 2 null1
\t\tLUN 3 1:0:0:0
\t}
}

TARGET_DRIVER iscsi {
\tIncomingUser "joe 12charsecret"
\tenabled 1

\tTARGET iqn.2006-10.net.vlnb:tgt {
\t\tHeaderDigest CRC32C,None
\t\tIncomingUser "fred 12charsecret2"
\t\tIncomingUser "joe 12charsecret"
\t\tenabled 1
\t\trel_tgt_id 1

\t\tLUN 0 disk1
\t\tLUN 1 disk2
\t\tLUN 2 null1 {
\t\t\tread_only 1
\t\t}

\t\tGROUP hosts {
\t\t\tLUN 0 disk2
\t\t\tLUN 9 null1 {
\t\t\t\tread_only 1
\t\t\t}
\t\t\tLUN 10 disk1

\t\t\tINITIATOR iqn.1991-05.com.microsoft:win1

\t\t\tINITIATOR iqn.1994-05.com.redhat:lin*
\t\t}
\t}

\tTARGET iqn.2006-10.net.vlnb:tgt2 {
\t\tenabled 0
\t\trel_tgt_id 1
\t}
}

TARGET_DRIVER scst_local {
\tTARGET local {
\t\tLUN 0 disk1
\t}
}

DEVICE_GROUP dg1 {
\tDEVICE disk1

\tTARGET_GROUP tg1 {
\t\tgroup_id 1
\t\tstate active

\t\tTARGET iqn.2006-10.net.vlnb:tgt
\t\tTARGET remote_tgt {
\t\t\trel_tgt_id 2
\t\t}
\t}
}

`;

/** The live state t/07 leaves (only scst_local kept, as the test filters). */
function example07(): LiveScst {
  const tg = (id: string, rel: string) =>
    new Map([
      ['tgroup1', { attributes: attrs({ group_id: keyAttr(id), state: keyAttr('active') }), targets: new Map([['local', { attributes: attrs({}), local: true }]]) }],
      ['tgroup2', {
        attributes: attrs({ group_id: keyAttr(String(Number(id) + 1)), state: keyAttr('active') }),
        targets: new Map([['remote', { attributes: attrs({ rel_tgt_id: keyAttr(rel) }), local: false }]]),
      }],
    ]);
  return {
    version: '3.11.0-pre',
    attributes: attrs({ threads: attr('8') }),
    handlers: new Map([
      ['vcdrom', { attributes: attrs({}), devices: [], virtual: true, deviceCreateParams: [] }],
      ['vdisk_fileio', { attributes: attrs({}), devices: ['disk0', 'disk1'], virtual: true, deviceCreateParams: VDISK_PARAMS }],
      ['vdisk_nullio', { attributes: attrs({}), devices: ['nodev'], virtual: true, deviceCreateParams: ['dummy'] }],
    ]),
    devices: new Map([
      ['disk0', device('vdisk_fileio', { filename: keyAttr('/dev/scstadmin-regression-test-vdisk'), read_only: ro('1', true), size: ro('1048576', true) })],
      ['disk1', device('vdisk_fileio', { filename: keyAttr('/dev/scstadmin-regression-test-vdisk'), nv_cache: keyAttr('1'), read_only: ro('0') })],
      ['nodev', device('vdisk_nullio', { dummy: keyAttr('1') })],
    ]),
    drivers: new Map([
      ['scst_local', driver({
        targetCreateParams: ['session_name'],
        targets: new Map([['local', target({
          luns: new Map([['0', lun('nodev')]]),
          groups: new Map([['ig', {
            attributes: attrs({}),
            luns: new Map([['0', lun('disk0', '1')], ['1', lun('disk1')]]),
            initiators: ['ini2', 'ini1'],
          }]]),
        })]]),
      })],
    ]),
    alua: { attributes: attrs({}) },
    deviceGroups: new Map([
      ['dgroup1', { attributes: attrs({}), devices: [], targetGroups: tg('256', '11') }],
      ['dgroup2', { attributes: attrs({}), devices: [], targetGroups: tg('258', '12') }],
    ]),
  };
}

describe('selectForWrite', () => {
  test('reproduces scstadmin.md §7.4 byte for byte', () => {
    assert.equal(writeConfig(selectForWrite(example74(), { nonkey: false }), { version: '3.11.0-pre' }), EXPECTED_74);
  });

  test('reproduces t/07-result.conf byte for byte', () => {
    // t/07 replaces the header's version (and its final dot) with "v..." before comparing
    const written = writeConfig(selectForWrite(example07(), { nonkey: false }), { version: '3.11.0-pre' });
    assert.equal(written.replace('v3.11.0-pre.\n', 'v...\n'), sharedFixture('07-result.conf'));
  });

  test('-nonkey adds the writable non-key attributes, never enabled/hw_target/trace_level', () => {
    const selected = selectForWrite(example74(), { nonkey: true });
    assert.deepEqual([...selected.nonKeyAttributes!], [['suspend', ['0']], ['threads', ['8']]]);
    assert.deepEqual([...selected.handlers.get('vdisk_fileio')!.devices.get('disk1')!.nonKeyAttributes!], [
      ['blocksize', ['512']],
      ['read_only', ['0']],
      ['usn', ['1a2b3c']],
    ]);
    const tgt = selected.drivers.get('iscsi')!.targets.get('iqn.2006-10.net.vlnb:tgt')!;
    assert.deepEqual([...tgt.nonKeyAttributes!], [['MaxRecvDataSegmentLength', ['8192']]]);
    assert.deepEqual([...selected.deviceGroups.get('dg1')!.targetGroups.get('tg1')!.nonKeyAttributes!], [['preferred', ['0']]]);
  });
});

describe('runWriteConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scstadmin-write-'));

  test('writes, prints scstadmin\'s line, keeps mode, rotates backups only on change', async () => {
    const file = join(dir, 'scst.conf');
    writeFileSync(file, 'old contents\n');
    chmodSync(file, 0o600);
    const run = makeRun(example74(), { backups: 2 });
    assert.equal(await runWriteConfig(run.ctx, file), 0);
    assert.equal(run.stdout(), `Writing current configuration to file '${file}'.. `);
    assert.equal(readFileSync(file, 'utf8'), EXPECTED_74);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(`${file}.1`, 'utf8'), 'old contents\n');

    // unchanged content: no new backup
    assert.equal(await runWriteConfig(makeRun(example74(), { backups: 2 }).ctx, file), 0);
    assert.ok(!existsSync(`${file}.2`));

    // changed again: .1 → .2, previous → .1, and never more than `backups`
    const changed = example74();
    changed.attributes.set('setup_id', keyAttr('0x99'));
    assert.equal(await runWriteConfig(makeRun(changed, { backups: 2 }).ctx, file), 0);
    assert.equal(readFileSync(`${file}.2`, 'utf8'), 'old contents\n');
    assert.equal(readFileSync(`${file}.1`, 'utf8'), EXPECTED_74);
    changed.attributes.set('setup_id', keyAttr('0x98'));
    assert.equal(await runWriteConfig(makeRun(changed, { backups: 2 }).ctx, file), 0);
    assert.ok(!existsSync(`${file}.3`));
    assert.ok(readFileSync(`${file}.1`, 'utf8').includes('setup_id 0x99'));
    assert.deepEqual(readdirSync(dir).filter((n) => n.includes('.tmp')), []);
  });

  test('a symlink stays a symlink; the target file is replaced', async () => {
    const real = join(dir, 'real.conf');
    const link = join(dir, 'link.conf');
    writeFileSync(real, 'x\n');
    symlinkSync(real, link);
    assert.equal(await runWriteConfig(makeRun(example74(), { backups: 0 }).ctx, link), 0);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readFileSync(real, 'utf8'), EXPECTED_74);
    assert.ok(!existsSync(`${real}.1`));
  });

  test('a character device is written straight through', async () => {
    const run = makeRun(example74());
    assert.equal(await runWriteConfig(run.ctx, '/dev/null'), 0);
    assert.equal(run.stdout(), "Writing current configuration to file '/dev/null'.. ");
  });

  test('a link to a pipe (like /dev/stdout) is written through, never replaced', async () => {
    const fifo = join(dir, 'fifo');
    const link = join(dir, 'stdout-like');
    execFileSync('mkfifo', [fifo]);
    symlinkSync(fifo, link);
    const received = readFile(fifo, 'utf8');
    const run = makeRun(example74());
    assert.equal(await runWriteConfig(run.ctx, link), 0);
    assert.equal(await received, EXPECTED_74);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.ok(statSync(fifo).isFIFO());
    assert.equal(run.stdout(), `Writing current configuration to file '${link}'.. `);
  });

  test('/dev/stdout goes through this process\'s own stdout, after the "Writing" line (no reopen, no truncation)', async () => {
    const run = makeRun(example74());
    assert.equal(await runWriteConfig(run.ctx, '/dev/stdout'), 0);
    assert.equal(run.stdout(), `Writing current configuration to file '/dev/stdout'.. ${EXPECTED_74}`);
    assert.ok(lstatSync('/dev/stdout').isSymbolicLink(), '/dev/stdout itself is left alone');
  });

  test('an unwritable destination: scstadmin\'s message, status 1', async () => {
    const run = makeRun(example74());
    const file = join(dir, 'missing-dir', 'scst.conf');
    assert.equal(await runWriteConfig(run.ctx, file), 1);
    assert.equal(run.stdout(), `Failed to save configuration to file '${file}': No such file or directory\n`);
  });
});
