/**
 * Runs file-system operations on a FUSE mount in a separate process and
 * prints their results as JSON: the test process serves the mount, so it must
 * not make blocking calls on it itself.
 *
 * Usage: node probe.js '<JSON array of ProbeOp>'
 */
import * as fs from 'node:fs';

export type ProbeOp =
  | { op: 'read'; path: string }
  | { op: 'write'; path: string; data: string; flags?: string }
  | { op: 'readlink'; path: string }
  | { op: 'lstat'; path: string }
  | { op: 'stat'; path: string }
  | { op: 'readdir'; path: string }
  | { op: 'open'; path: string; flags: string; as: string }
  | { op: 'pread'; fd: string; offset: number; size: number }
  | { op: 'writeFd'; fd: string; data: string }
  | { op: 'close'; fd: string }
  | { op: 'fstat'; fd: string }
  | { op: 'access'; path: string; mode: 'f' | 'r' | 'w' | 'x' }
  | { op: 'mkdir'; path: string }
  | { op: 'utimes'; path: string }
  | { op: 'chdir'; path: string };

/** `errno` is the positive errno number: Node names only the portable ones in `error`. */
export type ProbeResult = { ok: unknown } | { error: string; errno: number };

const descriptors = new Map<string, number>();

function fdOf(name: string): number {
  const fd = descriptors.get(name);
  if (fd === undefined) throw new Error(`no descriptor ${name}`);
  return fd;
}

const ACCESS_MODES = { f: fs.constants.F_OK, r: fs.constants.R_OK, w: fs.constants.W_OK, x: fs.constants.X_OK };

function statResult(st: fs.Stats): unknown {
  return { mode: st.mode.toString(8), size: st.size, ino: st.ino, nlink: st.nlink, uid: st.uid, gid: st.gid };
}

function run(op: ProbeOp): unknown {
  switch (op.op) {
    case 'read':
      return fs.readFileSync(op.path, 'utf8');
    case 'write': {
      // Like the shell's `>`: one open, one write(2).
      const fd = fs.openSync(op.path, op.flags ?? 'w');
      try {
        return fs.writeSync(fd, Buffer.from(op.data));
      } finally {
        fs.closeSync(fd);
      }
    }
    case 'readlink':
      return fs.readlinkSync(op.path);
    case 'lstat':
    case 'stat': {
      return statResult(op.op === 'lstat' ? fs.lstatSync(op.path) : fs.statSync(op.path));
    }
    case 'fstat':
      return statResult(fs.fstatSync(fdOf(op.fd)));
    case 'access':
      fs.accessSync(op.path, ACCESS_MODES[op.mode]);
      return true;
    case 'mkdir':
      fs.mkdirSync(op.path);
      return true;
    case 'utimes':
      // Explicit times (only the owner may set them), unlike touch's "now".
      fs.utimesSync(op.path, 1_000_000, 1_000_000);
      return true;
    case 'chdir':
      process.chdir(op.path);
      return process.cwd();
    case 'readdir': {
      // opendir/readSync keeps the kernel's order (readdirSync may sort).
      const dir = fs.opendirSync(op.path);
      const names: string[] = [];
      for (let entry = dir.readSync(); entry; entry = dir.readSync()) {
        names.push(`${entry.name}:${entry.isDirectory() ? 'd' : entry.isSymbolicLink() ? 'l' : 'f'}`);
      }
      dir.closeSync();
      return names;
    }
    case 'open':
      descriptors.set(op.as, fs.openSync(op.path, op.flags));
      return true;
    case 'pread': {
      const buffer = Buffer.alloc(op.size);
      const length = fs.readSync(fdOf(op.fd), buffer, 0, op.size, op.offset);
      return buffer.toString('utf8', 0, length);
    }
    case 'writeFd':
      return fs.writeSync(fdOf(op.fd), Buffer.from(op.data));
    case 'close':
      fs.closeSync(fdOf(op.fd));
      return true;
  }
}

const ops = JSON.parse(process.argv[2] ?? '[]') as ProbeOp[];
const results: ProbeResult[] = ops.map((op) => {
  try {
    return { ok: run(op) };
  } catch (err) {
    const failure = err as NodeJS.ErrnoException;
    return { error: failure.code ?? String(err), errno: -(failure.errno ?? 0) };
  }
});
process.stdout.write(JSON.stringify(results));
