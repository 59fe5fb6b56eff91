/** The process frame, validation and exit codes of scstadmin.md §1–§2. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OPTIONS, REQUIREMENTS } from '../../src/cli/options.js';
import { usageText } from '../../src/cli/usage.js';
import { FakeScstClient, fakeFactory, t07Live } from './fake-client.js';
import { framed, run } from './harness.js';

const fake = fakeFactory();

describe('root check and option errors', () => {
  test('not root: message on stderr, 255, before option parsing', async () => {
    const r = await run(['-bogus'], { isRoot: false });
    assert.deepEqual(r, { code: 255, stdout: '', stderr: 'This program must run as root.\n' });
  });
  test('the emulator needs no root', async () => {
    const { connect } = await fake();
    const r = await run(['--emulate', '/tmp/x.json', '-list_driver'], { isRoot: false, connect });
    assert.equal(r.code, 0);
  });
  test('a directory tree outside /sys needs no root; --sysfs-root /sys/… does', async () => {
    const { connect } = await fake();
    assert.equal((await run(['--sysfs-root', '/tmp/copy', '-list_driver'], { isRoot: false, connect })).code, 0);
    assert.equal((await run(['--sysfs-root', '/sys/kernel/scst_tgt', '-list_driver'], { isRoot: false, connect })).code, 255);
  });
  test('unknown option: stderr, exit 1, nothing on stdout', async () => {
    assert.deepEqual(await run(['--Bogus=3']), { code: 1, stdout: '', stderr: 'Unknown option: bogus\n' });
  });
  test('ambiguous option', async () => {
    assert.deepEqual(await run(['-con', 'x']), { code: 1, stdout: '', stderr: 'Option con is ambiguous (config, cont_on_err)\n' });
  });
  test('-h prints the usage text and exits 0', async () => {
    const r = await run(['-h']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, usageText());
    assert.ok(r.stdout.startsWith('SCST Configurator v3.11.0-pre\n\nUsage:\n     -h, -help, --help       : Show this information.\n'));
    assert.ok(r.stdout.includes("     -replace_lun <lun>      : Replaces a LUN's device with a different one.\n"));
    assert.ok(r.stdout.includes('       scstadmin -open_dev DISK01 -handler vdisk_fileio \n'));
    assert.ok(!r.stdout.includes('dumpAttrs'));
    assert.ok(r.stdout.includes('     --emulate <file>        : '));
  });
  test('-help in any case is scstadmin\'s usage; --help alone is the modern help from the option table', async () => {
    assert.equal((await run(['-HELP'])).stdout, usageText());
    assert.equal((await run(['--help', '-noprompt'])).stdout, usageText(), 'as scstadmin when combined with options');
    const modern = await run(['--help'], { isRoot: false });
    assert.equal(modern.code, 0);
    assert.match(modern.stdout, /^Usage: scstadmin-ts -<command> \[argument\]/);
    for (const def of OPTIONS) assert.ok(modern.stdout.includes(`--${def.name}`), `--help lists ${def.name}`);
    assert.match(modern.stdout, /--write_config <file>\s+Write the current configuration to a file\./);
  });
});

describe('required options (§2.4), each with exit 1 and nothing else', () => {
  // One invocation per rule: the rule's first command with none of its companions.
  for (const rule of REQUIREMENTS) {
    const command = rule.commands[0]!;
    const def = OPTIONS.find((o) => o.name === command)!;
    const argv = def.value === 'flag' ? [`-${command}`] : [`-${command}`, 'x'];
    test(argv.join(' '), async () => {
      assert.deepEqual(await run(argv), { code: 1, stdout: `${rule.message}\n`, stderr: '' });
    });
  }
  test('-set_lun_attr does not really need -group', async () => {
    const { connect } = await fake();
    const r = await run(['-set_lun_attr', '0', '-driver', 'scst_local', '-target', 'local', '-attributes', 'x=1', '-noprompt'], { connect });
    assert.equal(r.code, 0);
  });
  test('-driver "" passes validation', async () => {
    const { connect } = await fake();
    const r = await run(['-add_target', 't', '-driver', ''], { connect });
    assert.ok(r.stdout.startsWith('\nCollecting current configuration: done.\n\n'));
  });
});

describe('mutual exclusion (§2.5)', () => {
  const only = 'Please specify only one non-query operation at a time.\n';
  test('two operations', async () => assert.deepEqual(await run(['-add_dgrp', 'a', '-rem_dgrp', 'b']), { code: 1, stdout: only, stderr: '' }));
  test('a list and a set', async () => assert.equal((await run(['-list_device', '-set_scst_attr'])).stdout, only));
  test('several lists count once and run in dispatch order', async () => {
    const { connect } = await fake();
    const r = await run(['-list_driver', '-list_handler'], { connect });
    assert.equal(r.stdout, framed('\tHandler\n\t-------------\n\tvcdrom\n\tvdisk_blockio\n\tvdisk_fileio\n\tvdisk_nullio\n\tDriver\n\t------------\n\tcopy_manager\n\tiscsi\n\tscst_local\n'));
  });
  test('-config is not counted: -list_device -resync_dev runs both', async () => {
    const { connect, performed } = await fake();
    const r = await run(['-list_driver', '-resync_dev', 'disk0'], { connect });
    assert.ok(r.stdout.includes('\tDriver\n'));
    assert.ok(r.stdout.includes("\t-> Setting device attribute 'resync_size' to value '1' for device 'disk0': done.\n"));
    assert.equal(performed().length, 1);
  });
});

describe('frame', () => {
  test('no command: No valid operations specified, exit 1, no All done', async () => {
    const { connect } = await fake();
    assert.deepEqual(await run(['-force'], { connect }), { code: 1, stdout: '\nCollecting current configuration: done.\n\nNo valid operations specified.\n', stderr: '' });
  });
  test('SCST not loaded: stderr message, hint, exit 2', async () => {
    const r = await run(['-list_driver'], { connect: async (target) => {
      assert.equal(target.kind, 'directory');
      const { TreeMissingError } = await import('../../src/cli/main.js');
      throw new TreeMissingError('/sys/kernel/scst_tgt');
    } });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.startsWith('Failed to obtain SCST version information. Are the SCST modules loaded?\n'));
    assert.ok(r.stderr.includes('--emulate'));
  });
  test('unparsable version', async () => {
    const client = new FakeScstClient(t07Live(), 'garbage');
    const r = await run(['-list_driver'], { connect: async () => ({ client }) });
    assert.deepEqual(r, { code: 255, stdout: '', stderr: "Failed to parse SCST version from 'garbage'\n" });
  });
  test('duplicate initiator is fatal without -force and names the target', async () => {
    const live = t07Live();
    const local = live.drivers.get('scst_local')!.targets.get('local')!;
    local.groups.set('ig2', { attributes: new Map(), luns: new Map(), initiators: ['ini2'] });
    const r = await run(['-list_driver'], { connect: async () => ({ client: new FakeScstClient(live) }) });
    assert.equal(r.code, 1);
    assert.equal(
      r.stdout,
      "\nCollecting current configuration: done.\n\n\t-> FATAL: Initiator 'ini2' belongs to more than one groups for driver/target 'scst_local/local', aborting. Use -force to override.\n",
    );
    const forced = await run(['-list_driver', '-force'], { connect: async () => ({ client: new FakeScstClient(live) }) });
    assert.equal(forced.code, 0);
  });
  test('settings error names file and line', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const dir = await mkdtemp('/tmp/scstadmin-ts-settings-');
    await writeFile(join(dir, 'bad.ini'), '; comment\nbackups = lots\n');
    const r = await run(['-list_driver'], { env: { SCSTADMIN_TS_CONFIG: join(dir, 'bad.ini') } });
    assert.deepEqual(r, { code: 1, stdout: '', stderr: `scstadmin-ts: ${join(dir, 'bad.ini')}:2: backups must be a whole number, got "lots"\n` });
  });
});

describe('prompt (§10)', () => {
  const argv = ['-rem_target', 'iqn.2006-10.net.vlnb:tgt', '-driver', 'iscsi'];
  const question = 'Performing this action may result in lost or corrupt data, are you sure you wish to continue (y/[n]) ? ';
  test('EOF on stdin: Aborting action, All done, exit 0, nothing written', async () => {
    const { connect, performed } = await fake();
    const r = await run(argv, { connect });
    assert.deepEqual(r, { code: 0, stdout: framed(`${question}Aborting action.\n`), stderr: '' });
    assert.deepEqual(performed(), []);
  });
  for (const answer of ['y\n', 'YES\n', 'Yes']) {
    test(`answer ${JSON.stringify(answer)} continues`, async () => {
      const { connect, performed } = await fake();
      const r = await run(argv, { connect, stdin: answer });
      assert.equal(
        r.stdout,
        framed(`${question}\n-> Making requested changes.\n\t-> Removing virtual target 'iqn.2006-10.net.vlnb:tgt' from driver 'iscsi': done.\n\t-> Done.\n`),
      );
      assert.equal(performed().length, 1);
    });
  }
  for (const answer of [' y\n', 'no\n', 'yess\n', '\n']) {
    test(`answer ${JSON.stringify(answer)} declines`, async () => {
      const { connect } = await fake();
      assert.equal((await run(argv, { connect, stdin: answer })).stdout, framed(`${question}Aborting action.\n`));
    });
  }
  test('-noprompt does not ask', async () => {
    const { connect } = await fake();
    const r = await run([...argv, '-noprompt'], { connect });
    assert.ok(!r.stdout.includes(question));
    assert.equal(r.code, 0);
  });
  test('non-prompting commands do not read stdin', async () => {
    const { connect } = await fake();
    const r = await run(['-add_group', 'g', '-driver', 'iscsi', '-target', 'iqn.2006-10.net.vlnb:tgt'], { connect });
    assert.ok(!r.stdout.includes(question));
  });
});
