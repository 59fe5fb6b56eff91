/** The Getopt::Long normaliser on its own (scstadmin.md §2.1, §2.3). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgvError, parseArgv, parseAttributes } from '../../src/cli/argv.js';
import { OPTIONS } from '../../src/cli/options.js';

function parsed(argv: string[]): Record<string, string | true> {
  return Object.fromEntries(parseArgv(argv, OPTIONS).values);
}

function error(argv: string[]): string {
  try {
    parseArgv(argv, OPTIONS);
  } catch (e) {
    assert.ok(e instanceof ArgvError);
    return e.message;
  }
  assert.fail(`no error for ${argv.join(' ')}`);
}

describe('Getopt::Long semantics', () => {
  const cases: Array<[string, string[], Record<string, string | true>]> = [
    ['single dash', ['-list_device'], { list_device: '' }],
    ['double dash', ['--list_device'], { list_device: '' }],
    ['case-insensitive', ['-LIST_Device', 'disk0'], { list_device: 'disk0' }],
    ['unique prefix', ['-conf', 'x.conf'], { config: 'x.conf' }],
    ['prefix of a flag', ['-nonk', '-noprom'], { nonkey: true, noprompt: true }],
    ['-he is help', ['-he'], { help: true }],
    ['-h is exact', ['-h'], { h: true }],
    ['attached value', ['-config=/x.conf'], { config: '/x.conf' }],
    ['attached empty optional value', ['-config='], { config: '' }],
    ['mandatory value takes an option-looking arg', ['-open_dev', '-handler', 'h'], { open_dev: '-handler' }],
    ['optional value does not take an option', ['-config', '-force'], { config: '', force: true }],
    ['optional value takes a plain arg', ['-list_target', 'tgt', '-driver', 'iscsi'], { list_target: 'tgt', driver: 'iscsi' }],
    ['optional value at the end', ['-list_handler'], { list_handler: '' }],
    ['last occurrence wins', ['-driver', 'a', '-driver', 'b'], { driver: 'b' }],
    ['stray arguments are ignored', ['stray', '-force', 'more'], { force: true }],
    ['-- ends options', ['-force', '--', '-noprompt'], { force: true }],
    ['a lone dash is a stray argument', ['-', '-force'], { force: true }],
    ['mandatory value may be --', ['-driver', '--'], { driver: '--' }],
    ['-dr stays -driver despite --dry-run', ['-dr', 'iscsi'], { driver: 'iscsi' }],
    ['-e stays -enable_target despite --emulate', ['-e', 't'], { enable_target: 't' }],
    ['extension by unique prefix', ['--emu', 'f.json'], { emulate: 'f.json' }],
    ['extension alias with dashes', ['--dry-run', '--sysfs-root', '/tmp/x'], { dry_run: true, sysfs_root: '/tmp/x' }],
    ['dumpAttrs mixed case', ['-dumpattrs'], { dumpAttrs: true }],
    ['preserve_cluster_mode is accepted', ['-preserve_cluster_mode'], { preserve_cluster_mode: true }],
  ];
  for (const [name, argv, expected] of cases) {
    test(name, () => assert.deepEqual(parsed(argv), expected));
  }

  const errors: Array<[string[], string]> = [
    [['-con', 'x'], 'Option con is ambiguous (config, cont_on_err)'],
    [['--Bogus=3'], 'Unknown option: bogus'],
    [['-x'], 'Unknown option: x'],
    [['-write_config'], 'Option write_config requires an argument'],
    [['-write_config='], 'Option write_config requires an argument'],
    [['-force=1'], 'Option force does not take an argument'],
    [['-list_d'], 'Option list_d is ambiguous (list_dev_attr, list_device, list_dgrp, list_dgrp_attr, list_driver, list_drv_attr)'],
  ];
  for (const [argv, message] of errors) {
    test(`error: ${argv.join(' ')}`, () => assert.equal(error(argv), message));
  }

  test('the first error aborts the parse', () => assert.equal(error(['-bogus', '-con']), 'Unknown option: bogus'));

  test('canonical tokens keep order and values', () => {
    assert.deepEqual(parseArgv(['-force', '-conf=a', '-list_handler'], OPTIONS).tokens, ['--force', '--config=a', '--list_handler=']);
  });
});

describe('-attributes (§2.3)', () => {
  const cases: Array<[string | undefined, Array<[string, string]>]> = [
    [undefined, []],
    ['', []],
    ['0', []],
    ['filename=/a,read_only', [['filename', '/a'], ['read_only', '1']]],
    ['a=b=c', [['a', 'b=c']]],
    ['HeaderDigest=CRC32C,None', [['HeaderDigest', 'CRC32C'], ['None', '1']]],
    ['a=1,a=2', [['a', '2']]],
    ['iSNSServer=""', [['iSNSServer', '""']]],
    ['IncomingUser= u p', [['IncomingUser', ' u p']]],
    ['IncomingUser u p', [['IncomingUser u p', '1']]],
    ['a=1,,', [['a', '1']]],
    [',a=1', [['', '1'], ['a', '1']]],
  ];
  for (const [text, expected] of cases) {
    test(JSON.stringify(text), () => assert.deepEqual([...parseAttributes(text)], expected));
  }
});
