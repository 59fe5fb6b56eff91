/** SIGINT/SIGTERM: the write in progress finishes, nothing after it runs. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { Operation } from '../../src/model/operations.js';
import { FakeScstClient, t07Live } from './fake-client.js';

describe('signals', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal} during a write`, async () => {
      const client = new FakeScstClient(t07Live());
      let release!: () => void;
      let started!: () => void;
      const firstWriteStarted = new Promise<void>((resolve) => (started = resolve));
      const performed: Operation[] = [];
      const slowClient = {
        tree: client.tree,
        readLive: () => client.readLive(),
        perform: async (op: Operation) => {
          performed.push(op);
          started();
          await new Promise<void>((resolve) => (release = resolve));
          await client.perform(op);
        },
      };
      let stdout = '';
      const running = main(['-set_scst_attr', '-attributes', 'threads=8,setup_id=0x1', '-noprompt'], {
        stdout: { write: (t: string) => (stdout += t) },
        stderr: { write: () => true },
        stdin: Readable.from([]),
        env: {},
        isRoot: true,
        home: '/nonexistent',
        settingsSystemFile: '/nonexistent/x.ini',
        connect: async () => ({ client: slowClient }),
      });
      await firstWriteStarted;
      process.emit(signal);
      release();
      assert.equal(await running, 1);
      assert.equal(performed.length, 1, 'no write after the signal');
      assert.equal(
        stdout,
        "\nCollecting current configuration: done.\n\n\n-> Making requested changes.\n\t-> Setting SCST attribute 'threads' to value '8': done.\n\t-> Done, 1 change(s) made.\n\n\nAborting immediately.\n",
      );
      assert.equal(process.listenerCount(signal), 0, 'handlers removed after the run');
    });
  }
});
