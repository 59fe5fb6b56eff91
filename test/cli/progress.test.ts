import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBar } from '../../src/cli/progress.js';

test('the progress bar sits on stderr and is wiped around every stdout line; stdout is untouched', () => {
  let stdout = '';
  let stderr = '';
  let clock = 0;
  const bar = new ProgressBar({ write: (t) => (stderr += t) }, 4, () => clock);
  const out = bar.around({ write: (t) => (stdout += t) });
  out.write('\t-> Opening device: done.\n');
  bar.step();
  clock += 10;
  bar.step(); // within 50 ms of the last draw: not redrawn
  clock += 100;
  bar.step();
  out.write('\t-> Done.\n');
  bar.step();
  bar.finish();
  assert.equal(stdout, '\t-> Opening device: done.\n\t-> Done.\n');
  assert.equal(
    stderr,
    // drawn after the first line; steps 1 and 2 within 50 ms of that draw are skipped,
    // step 3 redraws in place; wiped and redrawn around the second line; the last step always draws
    '\r[..............................] 0/4 changes' +
      '\r[#######################.......] 3/4 changes' +
      '\r\x1b[K\r[#######################.......] 3/4 changes' +
      '\r[##############################] 4/4 changes' +
      '\r\x1b[K',
  );
});
