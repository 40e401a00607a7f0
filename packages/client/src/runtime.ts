import { tweetnaclProvider, type CryptoProvider } from '@hearth/protocol';
import type { Transport } from './transport/Transport.ts';
import { webSocketTransport, type WebSocketConstructor } from './transport/webSocketTransport.ts';

// Node-only modules are imported through specifiers held in variables: bundlers (Vite, esbuild)
// leave such imports alone, so a browser bundle never contains or resolves them, while Node loads
// them on first use. The @vite-ignore comments silence Vite's warning about it.
const NODE_CRYPTO = '@hearth/protocol/node';
const NODE_TRANSPORTS = '@hearth/client/node';
const WS_PACKAGE = 'ws';

/** Whether this runs in Node (not a browser or a worker). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

let nodeProvider: Promise<CryptoProvider> | undefined;

/**
 * The crypto provider of the secure protocol: libsodium (`@hearth/protocol/node`) in Node,
 * tweetnacl elsewhere or when the native module cannot load.
 */
export function defaultProvider(): Promise<CryptoProvider> {
  if (!isNode()) return Promise.resolve(tweetnaclProvider);
  return (nodeProvider ??= import(/* @vite-ignore */ NODE_CRYPTO).then(
    (m: { nodeCryptoProvider: CryptoProvider }) => m.nodeCryptoProvider,
    () => tweetnaclProvider,
  ));
}

let wsTransport: Promise<Transport> | undefined;

let wsPackageTransport: Promise<Transport> | undefined;

/**
 * The transport for a URL's scheme: WebSocket for `ws:`/`wss:`, TCP for `tcp:` and TLS over TCP
 * for `tls:` (Node only). With TLS options in Node, WebSocket is the `ws` package (the global one
 * takes no certificate authority).
 */
export function defaultTransport(url: URL, tls = false): Promise<Transport> {
  if (url.protocol === 'ws:' || url.protocol === 'wss:') {
    if (tls && isNode()) return (wsPackageTransport ??= webSocketClass(true).then(webSocketTransport));
    return (wsTransport ??= webSocketClass(false).then(webSocketTransport));
  }
  if (url.protocol === 'tcp:' || url.protocol === 'tls:') {
    if (!isNode()) return Promise.reject(new Error(`${url.protocol}// needs Node; in a browser connect with ws:// or wss://`));
    return import(/* @vite-ignore */ NODE_TRANSPORTS).then((m: { tcpTransport: Transport }) => m.tcpTransport);
  }
  return Promise.reject(new Error(`unsupported URL scheme "${url.protocol}" in ${url.href}: use ws://, wss://, tcp:// or tls://`));
}

/** The global `WebSocket` (browsers, Node ≥ 22), else (or when `package`) the `ws` package. */
async function webSocketClass(usePackage: boolean): Promise<WebSocketConstructor> {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global !== undefined && !usePackage) return global;
  try {
    const m = (await import(/* @vite-ignore */ WS_PACKAGE)) as { WebSocket: WebSocketConstructor };
    return m.WebSocket;
  } catch (cause) {
    throw new Error('no WebSocket here: Node 20 needs the "ws" package (npm i ws), Node 22+ has one built in', { cause });
  }
}
