/**
 * The confirmation prompt (scstadmin.md §10, clients.md §6 B.9). On a
 * terminal an inquirer yes/no question (default no); otherwise scstadmin's
 * exact question on stdout and ONE line read from stdin: `y`/`yes` in any
 * case continues, anything else or EOF declines.
 */
import { confirm } from '@inquirer/prompts';

export const PROMPT_TEXT =
  'Performing this action may result in lost or corrupt data, are you sure you wish to continue (y/[n]) ? ';

export interface PromptStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Reads up to and including the first newline (or to EOF); undefined at EOF with nothing read. */
export function readOneLine(input: NodeJS.ReadableStream): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const finish = (line: string | undefined) => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onError);
      input.pause();
      resolve(line);
    };
    const onData = (chunk: Buffer | string) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0) finish(buffer.slice(0, newline + 1));
    };
    const onEnd = () => finish(buffer === '' ? undefined : buffer);
    const onError = (error: Error) => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      reject(error);
    };
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
    input.resume();
  });
}

/** Perl's `/^y$/i || /^yes$/i` on the line read: the `$` also matches before a final newline. */
export function isYes(answer: string | undefined): boolean {
  if (answer === undefined) return false;
  return /^(y|yes)\n?$/i.test(answer);
}

/** Asks once; resolves true to go on. Prints nothing else (the caller prints `Aborting action.`). */
export async function askConfirmation(streams: PromptStreams, write: (text: string) => void): Promise<boolean> {
  if (streams.stdin.isTTY && streams.stdout.isTTY) {
    try {
      return await confirm(
        { message: 'Performing this action may result in lost or corrupt data, are you sure you wish to continue?', default: false },
        { input: streams.stdin, output: streams.stdout },
      );
    } catch {
      return false; // Ctrl-C / closed terminal while asking
    }
  }
  write(PROMPT_TEXT);
  return isYes(await readOneLine(streams.stdin));
}
