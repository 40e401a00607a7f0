import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { ErrorCode, FrameReader, HearthError, encodeFrame } from '@hearth/protocol';
import type { Transport } from '../transport/Transport.ts';

/** Node's codes of a certificate that does not verify: a configuration error, not worth a redial. */
const CERTIFICATE_ERRORS = /^(ERR_TLS_CERT|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE)|HOSTNAME_MISMATCH)/;

/**
 * The TCP transport (Node only): frames of a u32 big-endian length and a body, over plain TCP
 * (`tcp://`) or TLS (`tls://`, trusting `options.tls`). Chosen automatically for these URLs in
 * Node; import it from `@hearth/client/node` to pass it yourself.
 */
export const tcpTransport: Transport = (url, sink, options) =>
  new Promise((resolve, reject) => {
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = Number(url.port);
    if (url.port === '' || !Number.isInteger(port)) {
      reject(new HearthError('USAGE', `tcp URL ${url.href} has no port: use tcp://host:port`));
      return;
    }
    const secure = url.protocol === 'tls:';
    const tls = options.tls;
    const socket: Socket = secure
      ? connectTls({
          host,
          port,
          servername: tls?.servername ?? (/^[\d.]+$|:/.test(host) ? undefined : host),
          ...(tls?.ca !== undefined && {
            ca: (Array.isArray(tls.ca) ? tls.ca : [tls.ca]).map((c: string | Uint8Array) => (typeof c === 'string' ? c : Buffer.from(c))),
          }),
          rejectUnauthorized: tls?.rejectUnauthorized ?? true,
        })
      : connect({ host, port, noDelay: true });
    if (secure) socket.setNoDelay(true);
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
    socket.on('error', (error: Error & { code?: string }) => {
      if (!open) {
        clearTimeout(timer);
        const certificate = CERTIFICATE_ERRORS.test(error.code ?? '');
        reject(
          certificate
            ? new HearthError(ErrorCode.HANDSHAKE_FAILED, `TLS to ${host}:${port}: ${error.message} (${error.code}); trust the server's certificate with the "tls.ca" option`, { cause: error })
            : new HearthError(ErrorCode.CLOSED, `cannot connect to ${host}:${port}: ${error.message}`, { cause: error }),
        );
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
    socket.once(secure ? 'secureConnect' : 'connect', () => {
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
