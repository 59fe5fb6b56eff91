/**
 * The iSCSI portal: a TCP listener on one address (default 127.0.0.1:3260)
 * that accepts connections while the driver is enabled, and keeps the
 * registry of live sessions for reinstatement (RFC 7143 §6.3.5: a new login
 * with the same InitiatorName+ISID to the same target replaces the old
 * session) and for the engine's force_close / target disable.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { IscsiBackend } from './backend.js';
import { IscsiConnection, type ConnectionHost } from './connection.js';

export interface IscsiServerOptions {
  host: string;
  port: number;
}

export class IscsiServer implements ConnectionHost {
  private server: Server | undefined;
  private readonly connections = new Set<IscsiConnection>();
  private readonly sessions = new Map<string, IscsiConnection>();
  private nextTsih = 1;
  private boundPort = 0;

  constructor(
    readonly backend: IscsiBackend,
    private readonly options: IscsiServerOptions,
  ) {}

  get portalHost(): string {
    return this.options.host;
  }

  get portalPort(): number {
    return this.boundPort || this.options.port;
  }

  /** Starts listening if the driver is enabled, stops if it is not (call after `enabled` changes). */
  async refresh(): Promise<void> {
    if (this.backend.driverEnabled()) await this.listen();
    else await this.stop();
  }

  async listen(): Promise<void> {
    if (this.server) return;
    // Paused: the connection starts reading once it has given the socket its own receive buffer.
    const server = createServer({ pauseOnConnect: true }, (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : this.options.port;
    this.server = server;
  }

  /** Stops listening and ends every connection. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const connection of [...this.connections]) connection.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  address(): { host: string; port: number } {
    return { host: this.options.host, port: this.portalPort };
  }

  /** Ends every session of a target (target disabled or deleted). */
  closeTargetSessions(targetName: string): void {
    for (const connection of [...this.connections]) if (connection.targetName === targetName) connection.close();
  }

  allocateTsih(): number {
    for (;;) {
      const tsih = this.nextTsih;
      this.nextTsih = this.nextTsih === 0xffff ? 1 : this.nextTsih + 1;
      if (![...this.sessions.values()].some((c) => c.tsih === tsih)) return tsih;
    }
  }

  sessionStarted(connection: IscsiConnection): void {
    const key = sessionKey(connection);
    const previous = this.sessions.get(key);
    if (previous && previous !== connection) previous.close(); // session reinstatement
    this.sessions.set(key, connection);
  }

  sessionEnded(connection: IscsiConnection): void {
    const key = sessionKey(connection);
    if (this.sessions.get(key) === connection) this.sessions.delete(key);
    this.connections.delete(connection);
  }

  private accept(socket: Socket): void {
    if (!this.backend.driverEnabled()) {
      socket.destroy();
      return;
    }
    const connection = new IscsiConnection(socket, this);
    this.connections.add(connection);
    socket.on('close', () => this.connections.delete(connection));
  }
}

function sessionKey(connection: IscsiConnection): string {
  return `${connection.targetName}\0${connection.initiatorName}\0${connection.isid}`;
}
