export { nodeCryptoProvider } from './nodeCryptoProvider.ts';
export { opensslCryptoProvider } from './opensslCryptoProvider.ts';
