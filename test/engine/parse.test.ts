import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32cRaw } from '../../src/engine/crc32c.js';
import { Lexer, kstrto, kstrtobool, matchPrefixKeyword, parseParams, scsiTypeText } from '../../src/engine/parse.js';
import { EngineError } from '../../src/engine/node.js';

const errno = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as EngineError).errno;
  }
};

test('lexeme tokeniser: whitespace and = separate, one delimiter consumed', () => {
  for (const s of ['a=b', 'a = b', 'a b', '  a==b\n']) {
    const l = new Lexer(s);
    assert.deepEqual([l.next(), l.next(), l.next(), l.next()], ['a', 'b', '', '']);
  }
  const l = new Lexer('add_device d1 filename=/x; nv_cache=1');
  assert.equal(l.next(), 'add_device');
  assert.equal(l.next(), 'd1');
  assert.equal(l.rest(), 'filename=/x; nv_cache=1');
});

test('parameter tokeniser: empty segment ends the list, segment rules', () => {
  assert.deepEqual(parseParams('a=1;b=2;', 'x'), [{ name: 'a', value: '1' }, { name: 'b', value: '2' }]);
  assert.deepEqual(parseParams('a=1;;b=2', 'x'), [{ name: 'a', value: '1' }]);
  assert.deepEqual(parseParams(';a=1', 'x'), []);
  assert.deepEqual(parseParams('a=1\nb=2\n', 'x'), [{ name: 'a', value: '1' }, { name: 'b', value: '2' }]);
  assert.equal(errno(() => parseParams('a=1; ', 'x')), 'EINVAL');
  assert.equal(errno(() => parseParams('a', 'x')), 'EINVAL');
  assert.equal(errno(() => parseParams('a=1 2', 'x')), 'EINVAL');
});

test('kstrto*: base detection, one newline, ranges', () => {
  const ul = { signed: false, bits: 64 } as const;
  const l = { signed: true, bits: 64 } as const;
  assert.equal(kstrto('010', ul), 8n);
  assert.equal(kstrto('0x1F\n', ul), 31n);
  assert.equal(kstrto('+5', ul), 5n);
  assert.equal(kstrto('-5', l), -5n);
  assert.equal(kstrto('0', ul), 0n);
  assert.equal(errno(() => kstrto('-5', ul)), 'EINVAL');
  assert.equal(errno(() => kstrto('', ul)), 'EINVAL');
  assert.equal(errno(() => kstrto(' 5', ul)), 'EINVAL');
  assert.equal(errno(() => kstrto('5\n\n', ul)), 'EINVAL');
  assert.equal(errno(() => kstrto('08', ul)), 'EINVAL');
  assert.equal(errno(() => kstrto('18446744073709551616', ul)), 'ERANGE');
  assert.equal(kstrto('18446744073709551615', ul), 18446744073709551615n);
  assert.equal(errno(() => kstrto('2147483648', { signed: true, bits: 32 })), 'ERANGE');
  assert.equal(kstrto('-2147483648', { signed: true, bits: 32 }), -2147483648n);
});

test('kstrtobool accepts the kernel spellings', () => {
  assert.equal(kstrtobool('on'), true);
  assert.equal(kstrtobool('off\n'), false);
  assert.equal(kstrtobool('Y'), true);
  assert.equal(errno(() => kstrtobool('x')), 'EINVAL');
});

test('prefix keywords (§2.4)', () => {
  const k = ['FLAT', 'PERIPHERAL', 'LUN'] as const;
  assert.equal(matchPrefixKeyword('flat\n', k), 'FLAT');
  assert.equal(matchPrefixKeyword('FlatXYZ', k), 'FLAT');
  assert.equal(matchPrefixKeyword('F', k), 'FLAT');
  assert.equal(matchPrefixKeyword('F\n', k), undefined);
  assert.equal(matchPrefixKeyword('lun', k), 'LUN');
});

test('CRC-32C test vectors of §7.6 and type strings', () => {
  assert.equal(crc32cRaw(0, Buffer.from('disk01\0')).toString(16), '27cddc71');
  assert.equal(crc32cRaw(0, Buffer.from('disk02\0')).toString(16), '132a74e8');
  assert.equal(scsiTypeText(5), '5 - CD-ROM device\n');
  assert.equal(scsiTypeText(16), '16 - unknown\n');
});
