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
 * driver's `enabled` is 1 (a write of `enabled` starts or stops it); a
 * failure to listen later is reported through `onError`.
 */
export async function startIscsiPortal(
  engine: ScstEngine,
  options: { host: string; port: number },
  onError: (err: Error) => void = (err) => process.stderr.write(`iscsi portal ${options.host}:${options.port}: ${err.message}\n`),
): Promise<IscsiPortal> {
  const server = new IscsiServer(new EngineIscsiBackend(engine, new DataPath(engine)), options);
  await server.refresh();
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
