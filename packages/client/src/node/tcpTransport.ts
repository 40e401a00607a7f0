import { connect } from 'node:net';
import { ErrorCode, FrameReader, HearthError, encodeFrame } from '@hearth/protocol';
import type { Transport } from '../transport/Transport.ts';

/**
 * The TCP transport (Node only): frames of a u32 big-endian length and a body. Chosen
 * automatically for `tcp://` URLs in Node; import it from `@hearth/client/node` to pass it yourself.
 */
export const tcpTransport: Transport = (url, sink, options) =>
  new Promise((resolve, reject) => {
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = Number(url.port);
    if (url.port === '' || !Number.isInteger(port)) {
      reject(new HearthError('USAGE', `tcp URL ${url.href} has no port: use tcp://host:port`));
      return;
    }
    const socket = connect({ host, port, noDelay: true });
    let open = false;
    let closed = false;
    let failure: { code: string; text: string } | undefined;
    const finish = (code: string | undefined, text: string): void => {
      if (closed) return;
      closed = true;
      sink.closed(code, text);
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HearthError(ErrorCode.HANDSHAKE_TIMEOUT, `no TCP connection to ${host}:${port} within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    const reader = new FrameReader({ maxFrameBytes: options.maxFrameBytes });
    socket.on('data', (chunk) => {
      if (closed) return;
      try {
        reader.push(chunk, (body) => {
          if (!closed) sink.body(body);
        });
      } catch (error) {
        const e = error as HearthError;
        failure = { code: e.code, text: e.message };
        socket.destroy();
        finish(failure.code, failure.text);
      }
    });
    socket.on('error', (error) => {
      if (!open) {
        clearTimeout(timer);
        reject(new HearthError(ErrorCode.CLOSED, `cannot connect to ${host}:${port}: ${error.message}`, { cause: error }));
        return;
      }
      failure ??= { code: ErrorCode.CLOSED, text: error.message };
    });
    // A peer's half-close ends the session: answer with ours.
    socket.on('end', () => socket.end());
    socket.on('close', () => {
      reader.dispose();
      if (open) finish(failure?.code, failure?.text ?? 'TCP connection closed');
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      open = true;
      resolve({
        send: (body) => {
          if (!socket.destroyed && socket.writable) socket.write(encodeFrame(body));
        },
        close: () => {
          socket.end();
          // A peer that never closes its side must not keep the socket: bounded wait.
          setTimeout(() => socket.destroy(), 2_000).unref();
        },
        destroy: () => {
          socket.destroy();
          finish(failure?.code, failure?.text ?? 'closed by this side');
        },
      });
    });
  });
