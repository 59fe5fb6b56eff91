/**
 * allowed_portal patterns: iscsi-scstd matches the portal address the
 * initiator connected to with fnmatch(3) — `*`, `?` and `[…]` classes,
 * case-sensitive (iscsi-scst README, "allowed_portal").
 */

export function portalMatches(pattern: string, address: string): boolean {
  return new RegExp('^' + translate(pattern) + '$').test(address);
}

function translate(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      out += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = close;
    } else out += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return out;
}

/** Formats `host:port,tpgt` as SendTargets' TargetAddress (IPv6 in brackets). */
export function targetAddress(host: string, port: number, tpgt: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `${h}:${port},${tpgt}`;
}
