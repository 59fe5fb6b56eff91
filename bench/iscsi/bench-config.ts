/**
 * The configuration both sides of the data-path benchmark serve, as
 * scst.conf: target `<prefix>:null` with a vdisk_nullio at LUN 1 and, with a
 * file, target `<prefix>:file` with a vdisk_fileio on it at LUN 1 (the LUN
 * tgt uses, since tgt keeps LUN 0 for its controller).
 */
export interface BenchLayout {
  prefix: string;
  nullSize: number;
  file: string | undefined;
}

export function benchConfig(layout: BenchLayout): string {
  const lines = ['HANDLER vdisk_nullio {', '\tDEVICE bench_null {', `\t\tsize ${layout.nullSize}`, '\t}', '}', ''];
  if (layout.file) lines.push('HANDLER vdisk_fileio {', '\tDEVICE bench_file {', `\t\tfilename ${layout.file}`, '\t}', '}', '');
  lines.push('TARGET_DRIVER iscsi {', '\tenabled 1', '');
  lines.push(`\tTARGET ${layout.prefix}:null {`, '\t\tenabled 1', '\t\tLUN 1 bench_null', '\t}', '');
  if (layout.file) lines.push(`\tTARGET ${layout.prefix}:file {`, '\t\tenabled 1', '\t\tLUN 1 bench_file', '\t}', '');
  lines.push('}', '');
  return lines.join('\n');
}
