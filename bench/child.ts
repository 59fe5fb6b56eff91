/**
 * Child processes of the benchmarks: started with a readiness check, always
 * stopped (SIGTERM, then SIGKILL), and tracked so an error or Ctrl-C in the
 * harness never leaves a tgtd or a target listening, nor temporary files.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const running = new Set<ChildProcess>();
const cleanups = new Set<() => Promise<unknown>>();

/** Registers work to do if the harness is interrupted; the returned function unregisters it. */
export function onInterrupt(cleanup: () => Promise<unknown>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export interface Started {
  child: ChildProcess;
  pid: number;
  output(): string;
}

/** Spawns `command` and resolves once `ready(output)` holds; rejects if it exits first or after `timeoutMs`. */
/**
 * The node flags and environment of bin/scst-emulator's interpreter line: a
 * benchmark's daemon or target runs as the daemon does (docs/performance.md §2).
 */
export const DAEMON_NODE_FLAGS = ['--optimize-for-size', '--expose-gc'];
export const DAEMON_ENV: NodeJS.ProcessEnv = { ...process.env, MALLOC_MMAP_THRESHOLD_: '65536' };

export function startChild(
  command: string,
  args: string[],
  ready: (output: string) => boolean,
  timeoutMs = 10_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Started> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  track(child);
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return new Promise((resolve, reject) => {
    const check = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) {
        clearInterval(timer);
        reject(new Error(`${command} exited before it was ready:\n${output}`));
      } else if (ready(output)) {
        clearInterval(timer);
        resolve({ child, pid: child.pid!, output: () => output });
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer);
        await stopChild(child);
        reject(new Error(`${command} was not ready after ${timeoutMs} ms:\n${output}`));
      }
    };
    const started = Date.now();
    const timer = setInterval(() => void check(), 50);
  });
}

/** Registers a child spawned elsewhere so stopAllChildren() ends it too. */
export function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** Stops every child still running, then runs the registered clean-ups (on error and on signals). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child)));
  await Promise.allSettled([...cleanups].map((cleanup) => cleanup()));
}

/** Runs a command to completion; rejects with its output on a non-zero exit. */
export async function run(command: string, args: string[], timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { timeout: timeoutMs, maxBuffer: 64 << 20 });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}
