export { nodeCryptoProvider } from './nodeCryptoProvider.ts';
export { sodiumCryptoProvider } from './sodiumCryptoProvider.ts';
