/** Bash completion: the script and the quiet `--complete <kind>` callback. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeFactory } from './fake-client.js';
import { run } from './harness.js';

describe('completion', () => {
  test('--completion bash prints a script that completes options and calls back', async () => {
    const r = await run(['--completion', 'bash'], { isRoot: false });
    assert.equal(r.code, 0);
    assert.ok(r.stdout.includes('complete -F _scstadmin_ts scstadmin-ts scstadmin\n'));
    assert.ok(r.stdout.includes(' -list_device '));
    assert.ok(r.stdout.includes('--dry-run'));
    assert.ok(r.stdout.includes('--complete "$1"'));
    assert.match(r.stdout, /-close_dev\|--close_dev\|[^\n]*\)\n\s+COMPREPLY=\( \$\(compgen -W "\$\(_scstadmin_ts_names device\)"/);
  });
  test('--completion zsh is refused', async () => {
    assert.equal((await run(['--completion', 'zsh'])).code, 1);
  });
  const kinds: Array<[string[], string]> = [
    [['--complete', 'handler'], 'vcdrom\nvdisk_blockio\nvdisk_fileio\nvdisk_nullio\n'],
    [['--complete', 'device'], 'disk0\ndisk1\nnodev\n'],
    [['--complete', 'target', '-driver', 'iscsi'], 'iqn.2006-10.net.vlnb:tgt\niqn.2006-10.net.vlnb:tgt2\n'],
    [['--complete', 'group'], 'ig\n'],
    [['--complete', 'unknown'], ''],
  ];
  for (const [argv, expected] of kinds) {
    test(argv.join(' '), async () => {
      const { connect } = await fakeFactory()();
      assert.deepEqual(await run(argv, { connect }), { code: 0, stdout: expected, stderr: '' });
    });
  }
});
