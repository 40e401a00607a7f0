export { tcpTransport } from './tcpTransport.ts';
