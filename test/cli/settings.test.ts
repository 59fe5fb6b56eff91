/** Settings file precedence and errors, and the tree selection it feeds. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSettings, SettingsError } from '../../src/cli/settings.js';
import type { TreeTarget } from '../../src/cli/main.js';
import { FakeScstClient, t07Live } from './fake-client.js';
import { run } from './harness.js';

async function fixture() {
  const dir = await mkdtemp('/tmp/scstadmin-ts-settings-');
  const system = join(dir, 'system.ini');
  const xdg = join(dir, 'xdg');
  await mkdir(xdg);
  return { dir, system, xdg };
}

describe('settings precedence', () => {
  test('defaults', async () => {
    const { system } = await fixture();
    assert.deepEqual(loadSettings({ env: {}, systemFile: system, home: '/nonexistent' }), { backups: 3, color: 'auto' });
  });

  test('system < XDG user file < SCSTADMIN_TS_CONFIG < environment', async () => {
    const { dir, system, xdg } = await fixture();
    await writeFile(system, 'backups = 5\ncolor = always\nsysfs_root = /from/system\n');
    await writeFile(join(xdg, 'scstadmin-ts.ini'), '[scstadmin-ts]\nbackups = 7\n');
    const env: Record<string, string> = { XDG_CONFIG_HOME: xdg };
    assert.deepEqual(loadSettings({ env, systemFile: system }), { backups: 7, color: 'always', sysfsRoot: '/from/system', emulate: undefined });
    await writeFile(join(dir, 'extra.ini'), 'emulate = /from/extra.json\n');
    env['SCSTADMIN_TS_CONFIG'] = join(dir, 'extra.ini');
    // A tree chosen by a later file replaces the earlier choice.
    assert.deepEqual(loadSettings({ env, systemFile: system }), { backups: 7, color: 'always', emulate: '/from/extra.json', sysfsRoot: undefined });
    env['SCST_SYSFS_ROOT'] = '/from/env';
    env['NO_COLOR'] = '1';
    assert.deepEqual(loadSettings({ env, systemFile: system }), { backups: 7, color: 'never', sysfsRoot: '/from/env', emulate: undefined });
  });

  test('~/.config is used without XDG_CONFIG_HOME', async () => {
    const { dir, system } = await fixture();
    await mkdir(join(dir, '.config'));
    await writeFile(join(dir, '.config', 'scstadmin-ts.ini'), 'backups = 0\n');
    assert.equal(loadSettings({ env: {}, systemFile: system, home: dir }).backups, 0);
  });

  const bad: Array<[string, string]> = [
    ['color = pink\n', ':1: color must be auto, always or never, got "pink"'],
    ['\n\nfoo = 1\n', ':3: unknown key "foo"'],
    ['[other]\n', ':1: unknown section [other]'],
    ['just words\n', ':1: expected "key = value", got "just words"'],
  ];
  for (const [text, message] of bad) {
    test(`bad file: ${message}`, async () => {
      const { system } = await fixture();
      await writeFile(system, text);
      assert.throws(() => loadSettings({ env: {}, systemFile: system }), (e: unknown) => e instanceof SettingsError && e.message.startsWith(`${system}${message}`));
    });
  }

  test('a missing SCSTADMIN_TS_CONFIG file is an error', async () => {
    assert.throws(() => loadSettings({ env: { SCSTADMIN_TS_CONFIG: '/nonexistent/x.ini' }, systemFile: '/nonexistent/y.ini' }), /\/nonexistent\/x\.ini: cannot read settings file \(ENOENT\)/);
  });
});

describe('tree selection', () => {
  async function selected(argv: string[], env: Record<string, string> = {}, systemText?: string): Promise<TreeTarget | undefined> {
    const { system } = await fixture();
    if (systemText !== undefined) await writeFile(system, systemText);
    let seen: TreeTarget | undefined;
    await run([...argv, '-list_driver'], {
      env,
      settingsSystemFile: system,
      connect: async (target) => {
        seen = target;
        return { client: new FakeScstClient(t07Live()) };
      },
    });
    return seen;
  }

  test('default is the kernel tree', async () => assert.deepEqual(await selected([]), { kind: 'directory', root: '/sys/kernel/scst_tgt', explicit: false }));
  test('settings file', async () => assert.deepEqual(await selected([], {}, 'emulate = /s.json\n'), { kind: 'emulate', file: '/s.json' }));
  test('environment beats the file', async () =>
    assert.deepEqual(await selected([], { SCST_SYSFS_ROOT: '/e' }, 'emulate = /s.json\n'), { kind: 'directory', root: '/e', explicit: true }));
  test('command line beats the environment', async () =>
    assert.deepEqual(await selected(['-emulate', '/c.json'], { SCST_SYSFS_ROOT: '/e' }), { kind: 'emulate', file: '/c.json' }));
  test('both on the command line is an error', async () => {
    const r = await run(['--emulate', 'a', '--sysfs-root', 'b', '-list_driver']);
    assert.deepEqual(r, { code: 1, stdout: 'Please specify only one of --emulate and --sysfs-root.\n', stderr: '' });
  });
});
