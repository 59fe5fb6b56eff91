/** Test scaffolding: a CommandContext over the fake client, capturing stdout/stderr. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext, CommandOptions } from '../../src/cli/context.js';
import { CommandAbort } from '../../src/cli/output.js';
import { parseConfig } from '../../src/conf/index.js';
import type { ScstConfig } from '../../src/model/config.js';
import type { LiveScst } from '../../src/model/live.js';
import { FakeScstClient } from './fake-client.js';

export interface TestRun {
  ctx: CommandContext;
  client: FakeScstClient;
  stdout(): string;
  stderr(): string;
  interrupt(): void;
}

export function makeRun(
  live: LiveScst,
  options: Partial<CommandOptions & { preserveClusterMode: boolean; lip: boolean }> = {},
  answer = true,
): TestRun {
  const client = new FakeScstClient(live);
  let out = '';
  let err = '';
  let interrupted = false;
  const ctx: CommandContext = {
    client,
    live: structuredClone(live),
    async refresh() {
      ctx.live = await client.readLive();
      return ctx.live;
    },
    out: { write: (t) => void (out += t) },
    err: { write: (t) => void (err += t) },
    options: {
      force: false,
      noprompt: true,
      contOnErr: false,
      nonkey: false,
      dryRun: false,
      json: false,
      detailedExitcode: false,
      tty: false,
      backups: 3,
      ...options,
    },
    async confirm() {
      return answer;
    },
    get interrupted() {
      return interrupted;
    },
  };
  return { ctx, client, stdout: () => out, stderr: () => err, interrupt: () => void (interrupted = true) };
}

/** Runs a command the way the CLI entry does: CommandAbort → its exit status. */
export async function exitStatus(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof CommandAbort) return error.exitCode;
    throw error;
  }
}

let dir: string | undefined;
export function confFile(name: string, text: string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'scstadmin-plan-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

export function parse(text: string): ScstConfig {
  const { config, diagnostics } = parseConfig(text, 'test.conf');
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`test config does not parse: ${JSON.stringify(errors)}`);
  return config;
}

/** The §6.10 input (c1.conf). */
export const C1_CONF = `setup_id 0x1234

HANDLER vdisk_fileio {
	DEVICE disk1 {
		filename /disk1
		nv_cache 1
	}

	DEVICE disk2 {
		filename "/disk 2"
		t10_dev_id d2id
	}
}

HANDLER vdisk_nullio {
	DEVICE null1 {
		dummy 1
	}
}

TARGET_DRIVER iscsi {
	IncomingUser "joe 12charsecret"
	enabled 1

	TARGET iqn.2006-10.net.vlnb:tgt {
		IncomingUser "joe 12charsecret"
		enabled 1

		LUN 0 disk1
		LUN 1 disk2 {
			read_only 1
		}

		GROUP hosts {
			LUN 0 null1

			INITIATOR iqn.1991-05.com.microsoft:win1
		}
	}
}

TARGET_DRIVER scst_local {
	TARGET local {
		session_name sess1
		LUN 0 disk1
	}
}

DEVICE_GROUP dg1 {
	DEVICE disk1

	TARGET_GROUP tg1 {
		group_id 1
		state active

		TARGET iqn.2006-10.net.vlnb:tgt
		TARGET remote {
			rel_tgt_id 5
		}
	}
}
`;

/** The §6.11 input: the configuration shrunk. */
export const C2_CONF = `HANDLER vdisk_fileio {
	DEVICE disk1 {
		filename /disk1
		nv_cache 0
	}
}

TARGET_DRIVER iscsi {
	enabled 1

	TARGET iqn.2006-10.net.vlnb:tgt {
		enabled 1

		LUN 0 disk1 {
			read_only 1
		}

		GROUP hosts {
			INITIATOR iqn.1991-05.com.microsoft:win2
		}

		GROUP other {
			INITIATOR iqn.1991-05.com.microsoft:win1
		}
	}
}
`;
