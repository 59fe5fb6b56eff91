/**
 * Starts the emulated machine's iSCSI portal: the engine's data path, the
 * engine-backed target view and a listening IscsiServer (what iscsi-scstd
 * and the iscsi-scst module do together on a real system).
 */
import { DataPath } from '../engine/data-path.js';
import { IscsiDriver } from '../engine/drivers/iscsi.js';
import type { ScstEngine } from '../engine/engine.js';
import { EngineIscsiBackend } from './engine-backend.js';
import { IscsiServer } from './server.js';

export interface IscsiPortal {
  readonly server: IscsiServer;
  close(): Promise<void>;
}

/** iscsi-scstd's portal when none is given (loopback only: servers here never listen beyond it). */
export const DEFAULT_PORTAL = { host: '127.0.0.1', port: 3260 };

/**
 * Serves the engine's iSCSI targets on a portal. It listens while the
 * driver's `enabled` is 1 (a write of `enabled` starts or stops it). Failing
 * to listen throws at start when the portal was asked for (`required`);
 * otherwise, and on every later change, it is reported through `onError` and
 * the machine goes on without iSCSI.
 */
export async function startIscsiPortal(
  engine: ScstEngine,
  portal: { host: string; port: number },
  options: { required?: boolean; onError?: (err: Error) => void } = {},
): Promise<IscsiPortal> {
  const onError = options.onError ?? ((err: Error) => process.stderr.write(`iscsi portal ${portal.host}:${portal.port}: ${err.message}\n`));
  const server = new IscsiServer(new EngineIscsiBackend(engine, new DataPath(engine)), portal);
  await server.refresh().catch((err: Error) => {
    if (options.required) throw err;
    onError(err);
  });
  const driver = engine.getDriver('iscsi');
  if (driver instanceof IscsiDriver) {
    driver.transport = {
      targetDisabled: (target) => server.closeTargetSessions(target.name),
      driverEnabledChanged: () => void server.refresh().catch(onError),
    };
  }
  return {
    server,
    async close() {
      if (driver instanceof IscsiDriver) driver.transport = undefined;
      await server.stop();
    },
  };
}
