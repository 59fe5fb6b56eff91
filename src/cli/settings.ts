/**
 * The scstadmin-ts settings file (INI): `/etc/scstadmin-ts.ini`, then the
 * user's `$XDG_CONFIG_HOME/scstadmin-ts.ini` (or `~/.config/…`), then the
 * file named by `$SCSTADMIN_TS_CONFIG`; later files override earlier ones,
 * the environment (`SCST_SYSFS_ROOT`, `SCSTADMIN_EMULATE`, `NO_COLOR`)
 * overrides files, and command-line options override everything.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ini from 'ini';

export type ColorMode = 'auto' | 'always' | 'never';

export interface Settings {
  sysfsRoot?: string;
  emulate?: string;
  /** Rotated backups kept by -write_config. */
  backups: number;
  color: ColorMode;
}

export class SettingsError extends Error {
  override name = 'SettingsError';
}

const KEYS = new Set(['sysfs_root', 'emulate', 'backups', 'color']);
const DEFAULTS: Settings = { backups: 3, color: 'auto' };

/** Checks every line before handing the text to `ini` (which accepts anything). */
function validateLines(file: string, text: string): void {
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    const where = `${file}:${index + 1}`;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith(';') || trimmed.startsWith('#')) return;
    if (trimmed.startsWith('[')) {
      if (trimmed !== '[scstadmin-ts]') throw new SettingsError(`${where}: unknown section ${trimmed} (only [scstadmin-ts] is known)`);
      return;
    }
    const eq = trimmed.indexOf('=');
    if (eq < 0) throw new SettingsError(`${where}: expected "key = value", got "${trimmed}"`);
    const key = trimmed.slice(0, eq).trim();
    if (!KEYS.has(key)) throw new SettingsError(`${where}: unknown key "${key}" (known: ${[...KEYS].join(', ')})`);
    const value = trimmed.slice(eq + 1).trim();
    if (key === 'backups' && !/^\d+$/.test(value)) {
      throw new SettingsError(`${where}: backups must be a whole number, got "${value}"`);
    }
    if (key === 'color' && !['auto', 'always', 'never'].includes(value)) {
      throw new SettingsError(`${where}: color must be auto, always or never, got "${value}"`);
    }
  });
}

function readSettingsFile(file: string, required: boolean): Partial<Settings> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!required && code === 'ENOENT') return {};
    throw new SettingsError(`${file}: cannot read settings file (${code ?? String(error)})`);
  }
  validateLines(file, text);
  const parsed = ini.parse(text) as Record<string, unknown>;
  const section = { ...parsed, ...((parsed['scstadmin-ts'] as Record<string, unknown> | undefined) ?? {}) };
  const result: Partial<Settings> = {};
  const str = (key: string) => (typeof section[key] === 'string' ? (section[key] as string) : undefined);
  if (str('sysfs_root') !== undefined) result.sysfsRoot = str('sysfs_root');
  if (str('emulate') !== undefined) result.emulate = str('emulate');
  if (str('backups') !== undefined) result.backups = Number(str('backups'));
  if (str('color') !== undefined) result.color = str('color') as ColorMode;
  return result;
}

export interface SettingsSources {
  env: Record<string, string | undefined>;
  /** Overrides the system file (tests). */
  systemFile?: string;
  home?: string;
}

/** Settings files in increasing precedence. */
export function settingsFiles(sources: SettingsSources): Array<{ file: string; required: boolean }> {
  const { env } = sources;
  const userDir = env['XDG_CONFIG_HOME'] || join(sources.home ?? homedir(), '.config');
  const files = [
    { file: sources.systemFile ?? '/etc/scstadmin-ts.ini', required: false },
    { file: join(userDir, 'scstadmin-ts.ini'), required: false },
  ];
  if (env['SCSTADMIN_TS_CONFIG']) files.push({ file: env['SCSTADMIN_TS_CONFIG'], required: true });
  return files;
}

export function loadSettings(sources: SettingsSources): Settings {
  let settings: Settings = { ...DEFAULTS };
  for (const { file, required } of settingsFiles(sources)) {
    const fromFile = readSettingsFile(file, required);
    // A tree chosen by a later file replaces the one chosen by an earlier file.
    if (fromFile.sysfsRoot !== undefined || fromFile.emulate !== undefined) {
      settings.sysfsRoot = undefined;
      settings.emulate = undefined;
    }
    settings = { ...settings, ...fromFile };
  }
  const { env } = sources;
  // A tree chosen by the environment replaces the one chosen by a file.
  if (env['SCST_SYSFS_ROOT'] || env['SCSTADMIN_EMULATE']) {
    settings.sysfsRoot = env['SCST_SYSFS_ROOT'] || undefined;
    settings.emulate = env['SCSTADMIN_EMULATE'] || undefined;
  }
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') settings.color = 'never';
  return settings;
}
