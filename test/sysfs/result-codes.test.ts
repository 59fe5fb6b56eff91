import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codesWithText, NO_TEXT_CODES, ResultCode, resultText } from '../../src/sysfs/index.js';
import { repoRoot } from './helpers.js';

test('result-code table of scstadmin.md §3.6', () => {
  assert.equal(codesWithText().length, 91);
  assert.equal(resultText(2), 'A fatal error occurred. See "dmesg" for more information.');
  assert.equal(resultText(8), 'SCST attribute specified is static');
  assert.equal(resultText(36), 'Failed to remove driver dymanic attribute. See "dmesg" for more information.');
  assert.equal(resultText(54), 'Failed to remove target - target has active sessions. See "dmesg" for more information.');
  assert.equal(resultText(160), 'Failed to add target to target group.');
  assert.equal(resultText(ResultCode.TGRP_TGT_SETATTR_FAIL), 'Failed to set target group target attribute. See "dmesg" for more information.');
  for (const code of NO_TEXT_CODES) assert.equal(resultText(code), undefined, String(code));
  assert.equal(resultText(0), undefined);
  assert.equal(resultText(999), undefined);
  for (const code of codesWithText()) assert.ok(Object.values(ResultCode).includes(code as never), `named constant for ${code}`);
});

test('every text is byte-identical to the table in the shared specification', () => {
  const spec = readFileSync(join(repoRoot(), '..', 'shared', 'spec', 'scstadmin.md'), 'utf8');
  const section = spec.slice(spec.indexOf('### 3.6'), spec.indexOf('### 3.7'));
  const rows = [...section.matchAll(/^\| (\d+) \| `(.*)`( \(sic\))? \|/gm)].map((m) => [Number(m[1]), m[2]] as const);
  assert.equal(rows.length, 91);
  for (const [code, text] of rows) assert.equal(resultText(code), text, `code ${code}`);
  assert.deepEqual(codesWithText(), rows.map(([code]) => code).sort((a, b) => a - b));
});
