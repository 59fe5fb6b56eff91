import assert from 'node:assert/strict';
import { test } from 'node:test';
import { availableList, foldInstanceName, hasKeyMarker, splitFirstLine, traceLevelTokens } from '../../src/sysfs/attribute-text.js';

test('first line and KEY marker: line 2 for line readers, the whole remainder for the device reader', () => {
  assert.deepEqual(splitFirstLine('/img\n[key]\n\n'), { value: '/img', rest: '[key]\n\n' });
  assert.deepEqual(splitFirstLine('no newline'), { value: 'no newline', rest: '' });
  assert.equal(hasKeyMarker('[key]\n', false), true);
  assert.equal(hasKeyMarker('\n[key]\n', false), false);
  assert.equal(hasKeyMarker('\n[key]\n', true), true);
  assert.equal(hasKeyMarker('', true), false);
});

test('KEY instance folding: names ending in digits', () => {
  assert.deepEqual(foldInstanceName('IncomingUser'), { stem: 'IncomingUser', index: 0 });
  assert.deepEqual(foldInstanceName('IncomingUser12'), { stem: 'IncomingUser', index: 12 });
  assert.deepEqual(foldInstanceName('allowed_portal3'), { stem: 'allowed_portal', index: 3 });
  assert.deepEqual(foldInstanceName('12'), { stem: '12', index: 0 }, 'needs a non-digit stem');
});

test('trace_level tokens: from the first line without "[" on, between the first "[" and the last "]"', () => {
  assert.deepEqual(traceLevelTokens('\n\nUsage:\n\twhere TOKEN is one of [a, b ,c]\n'), ['a', 'b', 'c']);
  assert.deepEqual(traceLevelTokens('\n[skipped]\nstart\n[x,\n y]\n'), ['x', 'y']);
  assert.deepEqual(traceLevelTokens('\n\nno list\n'), []);
});

test('mgmt "available" lists: last matching line, trailing dot dropped, names trimmed', () => {
  const text = 'The following parameters available: a, b\nThe following parameters available:  c , d.\n\n';
  assert.deepEqual(availableList(text, 'The following parameters available:'), ['c', 'd']);
  assert.deepEqual(availableList('Usage: nothing\n', 'The following parameters available:'), []);
});
