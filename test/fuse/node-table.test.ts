import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeTable } from '../../src/emulator/fuse/node-table.js';
import { FUSE_ROOT_ID } from '../../src/emulator/fuse/protocol.js';

test('a path keeps its node id while the kernel holds lookups of it', () => {
  const table = new NodeTable();
  const first = table.lookup('devices/disk1', 'dir');
  const second = table.lookup('devices/disk1', 'dir');
  assert.equal(second.id, first.id);
  assert.notEqual(first.id, FUSE_ROOT_ID);
  assert.equal(first.lookups, 2);
  table.forget(first.id, 1);
  assert.equal(table.get(first.id)?.path, 'devices/disk1');
  table.forget(first.id, 1);
  assert.equal(table.get(first.id), undefined, 'released once every lookup is forgotten');
});

test('a forgotten path looked up again gets a new id (ids are never reused)', () => {
  const table = new NodeTable();
  const old = table.lookup('version', 'file');
  table.forget(old.id, 1);
  const renewed = table.lookup('version', 'file');
  assert.ok(renewed.id > old.id);
});

test('a path that comes back with another type gets another node', () => {
  const table = new NodeTable();
  const asDir = table.lookup('devices/x', 'dir');
  const asLink = table.lookup('devices/x', 'link');
  assert.notEqual(asLink.id, asDir.id);
  // The old node stays until the kernel forgets it, without disturbing the new one.
  assert.equal(table.get(asDir.id)?.type, 'dir');
  table.forget(asDir.id, 1);
  assert.equal(table.lookup('devices/x', 'link').id, asLink.id);
});

test('the root is never forgotten', () => {
  const table = new NodeTable();
  table.forget(FUSE_ROOT_ID, 100);
  assert.equal(table.get(FUSE_ROOT_ID)?.path, '');
  assert.equal(table.size, 1);
});
