/**
 * Reads an accepted socket into one buffer of the connection's own, reused
 * for every read, instead of the fresh 64 KiB buffer Node allocates per read.
 *
 * Those per-read buffers are what made a Node target's memory balloon under
 * large writes: the framing copies the data out at once, but the buffers
 * themselves are freed only when V8 gets round to collecting their small
 * wrappers (≈ 64 MiB of garbage before it does). Node has exactly the
 * mechanism needed — `net.Socket`'s `onread` option — but in Node 20 only a
 * socket the program creates itself can be given it, not one a `net.Server`
 * accepts. The socket reads through the same code path either way; what the
 * option sets are two properties keyed by symbols private to Node, which are
 * found here by their descriptions on a socket created with the option. If
 * they cannot be found (another Node version), the socket's ordinary 'data'
 * events feed the same callback and only the memory benefit is lost;
 * `ownBufferReads` tells which way is in use.
 */
import { Socket, type SocketConstructorOpts } from 'node:net';

interface UserBufferKeys {
  buffer: symbol;
  callback: symbol;
}

interface StreamHandle {
  useUserBuffer(buffer: Uint8Array): void;
}

function findUserBufferKeys(): UserBufferKeys | undefined {
  // @types/node 20 lists `onread` only among the options of net.connect().
  const withOnread = { onread: { buffer: Buffer.alloc(1), callback: () => true } };
  const probe = new Socket(withOnread as unknown as SocketConstructorOpts);
  const keys = Object.getOwnPropertySymbols(probe);
  probe.destroy();
  const buffer = keys.find((k) => k.description === 'kBuffer');
  const callback = keys.find((k) => k.description === 'kBufferCb');
  return buffer && callback ? { buffer, callback } : undefined;
}

const userBufferKeys = findUserBufferKeys();

/** Whether sockets are read into the caller's buffer (true on Node 20) or through 'data' events. */
export const ownBufferReads = userBufferKeys !== undefined;

/**
 * Starts reading `socket` (accepted paused: `pauseOnConnect`) into `buffer`;
 * `onBytes` gets a view of the bytes read, valid only until it returns.
 */
export function receiveInto(socket: Socket, buffer: Buffer, onBytes: (bytes: Buffer) => void): void {
  const handle = (socket as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  if (userBufferKeys && handle && typeof handle.useUserBuffer === 'function') {
    const fields = socket as unknown as Record<symbol, unknown>;
    fields[userBufferKeys.buffer] = buffer;
    fields[userBufferKeys.callback] = (length: number): void => onBytes(buffer.subarray(0, length));
    handle.useUserBuffer(buffer);
  } else {
    socket.on('data', onBytes);
  }
  socket.resume();
}
