import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configsEqual, parseConfig } from '../../src/conf/index.js';
import type { ScstConfig } from '../../src/model/config.js';

function parse(text: string): ScstConfig {
  const { config, diagnostics } = parseConfig(text, 'x.conf');
  assert.deepEqual(diagnostics, []);
  return config;
}

const BASE = [
  'setup_id 1',
  'HANDLER vdisk_nullio {',
  '\tDEVICE a {',
  '\t\tblocksize 4096',
  '\t}',
  '\tDEVICE b',
  '}',
  'TARGET_DRIVER iscsi {',
  '\tIncomingUser "u1 secretsecret1"',
  '\tIncomingUser "u2 secretsecret2"',
  '\tTARGET t {',
  '\t\tLUN 0 a',
  '\t\tGROUP g {',
  '\t\t\tLUN 1 b',
  '\t\t\tINITIATOR i1',
  '\t\t\tINITIATOR i2',
  '\t\t}',
  '\t}',
  '}',
  'DEVICE_GROUP dg {',
  '\tDEVICE a',
  '\tDEVICE b',
  '\tTARGET_GROUP tg {',
  '\t\tgroup_id 1',
  '\t\tTARGET t',
  '\t}',
  '}',
  '',
].join('\n');

describe('configsEqual', () => {
  test('ignores origins, map order, value order, device-group member order and duplicated values', () => {
    const reordered = [
      'DEVICE_GROUP dg {',
      '\tTARGET_GROUP tg {',
      '\t\tTARGET t',
      '\t\tgroup_id 1',
      '\t}',
      '\tDEVICE b',
      '\tDEVICE a',
      '}',
      '',
      'TARGET_DRIVER iscsi {',
      '\tTARGET t {',
      '\t\tGROUP g {',
      '\t\t\tINITIATOR i2',
      '\t\t\tINITIATOR i1',
      '\t\t\tLUN 1 b',
      '\t\t}',
      '\t\tLUN 0 a',
      '\t}',
      '\tIncomingUser "u2 secretsecret2"',
      '\tIncomingUser "u1 secretsecret1"',
      '}',
      'HANDLER vdisk_nullio {',
      '\tDEVICE b',
      '\tDEVICE a { blocksize 4096 }',
      '}',
      'setup_id 1',
    ].join('\n');
    assert.equal(configsEqual(parse(BASE), parse(reordered)), true);
    const withDuplicate = parse(BASE);
    withDuplicate.attributes.set('setup_id', ['1', '1']);
    withDuplicate.attributes.set('never_set', []);
    assert.equal(configsEqual(parse(BASE), withDuplicate), true);
  });

  const changes: [string, (text: string) => string][] = [
    ['a core attribute value', (t) => t.replace('setup_id 1', 'setup_id 2')],
    ['a device attribute', (t) => t.replace('blocksize 4096', 'blocksize 512')],
    ['a missing device', (t) => t.replace('\tDEVICE b\n}', '}')],
    ['one value of a multi-valued attribute', (t) => t.replace('u2 secretsecret2', 'u3 secretsecret3')],
    ['the device of a LUN', (t) => t.replace('LUN 0 a', 'LUN 0 b')],
    ['a LUN number', (t) => t.replace('LUN 1 b', 'LUN 2 b')],
    ['an initiator', (t) => t.replace('INITIATOR i2', 'INITIATOR i3')],
    ['HW_TARGET', (t) => t.replace('\t\tLUN 0 a', '\t\tHW_TARGET\n\t\tLUN 0 a')],
    ['a device-group member', (t) => t.replace('\tDEVICE a\n\tDEVICE b\n\tTARGET_GROUP', '\tDEVICE a\n\tTARGET_GROUP')],
    ['a target-group member', (t) => t.replace('\t\tTARGET t', '\t\tTARGET u')],
    ['an ALUA attribute', (t) => t + 'ALUA {\n\tstpg_mode 1\n}\n'],
  ];
  for (const [what, change] of changes) {
    test(`sees a difference in ${what}`, () => {
      const changed = change(BASE);
      assert.notEqual(changed, BASE);
      assert.equal(configsEqual(parse(BASE), parse(changed)), false);
      assert.equal(configsEqual(parse(changed), parse(BASE)), false);
    });
  }

  test('non-key attributes count', () => {
    const a = parse(BASE);
    const b = parse(BASE);
    b.nonKeyAttributes = new Map([['threads', ['8']]]);
    assert.equal(configsEqual(a, b), false);
    a.nonKeyAttributes = new Map([['threads', ['8']]]);
    assert.equal(configsEqual(a, b), true);
  });
});
