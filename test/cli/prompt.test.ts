/** The confirmation prompt's two faces (scstadmin.md §10): a terminal question, and scstadmin's one-line read. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { askConfirmation, isYes, PROMPT_TEXT, readOneLine } from '../../src/cli/prompt.js';

function fakeTerminal(): { input: PassThrough & { isTTY: boolean; setRawMode(): void }; output: PassThrough & { isTTY: boolean } } {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {} });
  const output = Object.assign(new PassThrough(), { isTTY: true });
  output.resume();
  return { input, output };
}

describe('prompt', () => {
  const answers: Array<[string | undefined, boolean]> = [
    ['y\n', true],
    ['Y\n', true],
    ['yes\n', true],
    ['yEs', true],
    [undefined, false],
    ['', false],
    ['\n', false],
    ['n\n', false],
    ['y \n', false],
    [' yes\n', false],
    ['yy\n', false],
  ];
  for (const [answer, expected] of answers) {
    test(`isYes(${JSON.stringify(answer)}) = ${expected}`, () => assert.equal(isYes(answer), expected));
  }

  test('readOneLine reads exactly one line, or undefined at EOF', async () => {
    assert.equal(await readOneLine(Readable.from(['ye', 's\nno\n'])), 'yes\n');
    assert.equal(await readOneLine(Readable.from(['y'])), 'y');
    assert.equal(await readOneLine(Readable.from([])), undefined);
  });

  test('without a terminal: scstadmin\'s question, one line read', async () => {
    let written = '';
    assert.equal(await askConfirmation({ stdin: Readable.from(['yes\n']), stdout: new PassThrough() }, (t) => (written += t)), true);
    assert.equal(written, PROMPT_TEXT);
    assert.equal(PROMPT_TEXT, 'Performing this action may result in lost or corrupt data, are you sure you wish to continue (y/[n]) ? ');
  });

  test('on a terminal: an interactive question, y + Enter continues', async () => {
    const { input, output } = fakeTerminal();
    let written = '';
    const answer = askConfirmation({ stdin: input, stdout: output }, (t) => (written += t));
    setTimeout(() => input.write('y\r'), 20);
    assert.equal(await answer, true);
    assert.equal(written, '', 'the scstadmin text is not printed on a terminal');
  });

  test('on a terminal: Enter alone takes the default, no', async () => {
    const { input, output } = fakeTerminal();
    const answer = askConfirmation({ stdin: input, stdout: output }, () => {});
    setTimeout(() => input.write('\r'), 20);
    assert.equal(await answer, false);
  });
});
