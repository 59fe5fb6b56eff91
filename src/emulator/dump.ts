/**
 * Prints a tree in the format of fixtures/real-kernel/S0.txt: pre-order,
 * each directory in readdir order, `== <path> <dir|link|file> <mode>`
 * headers, file contents with their length, link targets.
 */
import { SysfsError, type SysfsTree } from '../sysfs/tree.js';
import { ERRNO_NUMBER } from '../engine/parse.js';

export const SYSFS_PREFIX = '/sys/kernel/scst_tgt';

/** One printed entry. */
export interface DumpEntry {
  path: string;
  type: 'dir' | 'link' | 'file';
  mode: number;
  /** File content, link target; null for dirs and unreadable files. */
  body: string | null;
  /** `open_errno=13(EACCES)` or `read_errno=…` for files that cannot be read. */
  error?: string;
}

const octal = (mode: number): string => mode.toString(8).padStart(4, '0');

function errnoText(kind: 'open' | 'read', code: string): string {
  return `${kind}_errno=${ERRNO_NUMBER[code] ?? 0}(${code})`;
}

/** Collects the entries under `path` (root-relative, '' = whole tree). */
export async function collectTree(tree: SysfsTree, path = ''): Promise<DumpEntry[]> {
  const out: DumpEntry[] = [];
  const visit = async (rel: string): Promise<void> => {
    const st = await tree.lstat(rel);
    const shown = rel === '' ? SYSFS_PREFIX : `${SYSFS_PREFIX}/${rel}`;
    if (st.type === 'dir') {
      out.push({ path: shown, type: 'dir', mode: st.mode, body: null });
      for (const name of await tree.readdir(rel)) await visit(rel === '' ? name : `${rel}/${name}`);
      return;
    }
    if (st.type === 'link') {
      out.push({ path: shown, type: 'link', mode: st.mode, body: await tree.readlink(rel) });
      return;
    }
    if ((st.mode & 0o400) === 0) {
      out.push({ path: shown, type: 'file', mode: st.mode, body: null, error: errnoText('open', 'EACCES') });
      return;
    }
    try {
      out.push({ path: shown, type: 'file', mode: st.mode, body: await tree.read(rel) });
    } catch (err) {
      if (!(err instanceof SysfsError)) throw err;
      out.push({ path: shown, type: 'file', mode: st.mode, body: null, error: errnoText('read', err.code) });
    }
  };
  await visit(path);
  return out;
}

/** Formats entries exactly like S0.txt. */
export function formatEntries(entries: DumpEntry[]): string {
  let s = '';
  for (const e of entries) {
    const head = `== ${e.path} ${e.type} ${octal(e.mode)}`;
    if (e.type === 'dir') s += `${head}\n`;
    else if (e.type === 'link') s += `${head}\n${e.body}\n`;
    else if (e.error) s += `${head} ${e.error}\n`;
    else {
      const body = e.body!;
      s += `${head} len=${Buffer.byteLength(body, 'utf8')}\n${body}${body.endsWith('\n') ? '' : '\n'}`;
    }
  }
  return s;
}

/** Parses S0.txt-format text back into entries (for comparisons in tests and tools). */
export function parseDump(text: string): DumpEntry[] {
  const buf = Buffer.from(text, 'utf8');
  const entries: DumpEntry[] = [];
  let pos = 0;
  const readLine = (): string => {
    const nl = buf.indexOf(0x0a, pos);
    const end = nl < 0 ? buf.length : nl;
    const line = buf.subarray(pos, end).toString('utf8');
    pos = nl < 0 ? buf.length : nl + 1;
    return line;
  };
  while (pos < buf.length) {
    const header = readLine();
    const m = /^== (.+) (dir|link|file) ([0-7]{4})(?: (len=(\d+)|(?:open|read)_errno=\d+\(\w+\)))?$/.exec(header);
    if (!m) throw new Error(`dump: malformed header at byte ${pos}: ${JSON.stringify(header)}`);
    const [, path, type, mode, extra, len] = m;
    const entry: DumpEntry = { path: path!, type: type as DumpEntry['type'], mode: parseInt(mode!, 8), body: null };
    if (type === 'link') entry.body = readLine();
    else if (type === 'file' && len !== undefined) {
      const n = Number(len);
      entry.body = buf.subarray(pos, pos + n).toString('utf8');
      pos += n;
      if (!entry.body.endsWith('\n')) pos += 1;
    } else if (type === 'file') entry.error = extra;
    entries.push(entry);
  }
  return entries;
}
