/**
 * The parsed command line as commands see it. scstadmin validates with
 * "was the option given" (§2.4) but afterwards treats an empty value as
 * absent ("defined and non-empty", §2.2); `given` and `value` follow that.
 */
import type { OptionValue } from './argv.js';
import { parseAttributes } from './argv.js';

export class CommandArgs {
  readonly attributes: Map<string, string>;

  constructor(readonly values: ReadonlyMap<string, OptionValue>) {
    this.attributes = parseAttributes(this.raw('attributes'));
  }

  /** The option appeared on the command line (validation sense). */
  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The raw value, `''` included; undefined for absent options and flags. */
  raw(name: string): string | undefined {
    const value = this.values.get(name);
    return typeof value === 'string' ? value : undefined;
  }

  /** The value when given and non-empty (scstadmin's `valid()`). */
  value(name: string): string | undefined {
    const value = this.raw(name);
    return value === undefined || value === '' ? undefined : value;
  }

  flag(name: string): boolean {
    return this.values.get(name) === true;
  }
}
