export { createPrivateDatabase, withDatabase, TEST_SERVER_URL } from './privateDatabase.ts';
export type { PrivateDatabase } from './privateDatabase.ts';
export { startTcpProxy } from './TcpProxy.ts';
export type { TcpProxy } from './TcpProxy.ts';
export { pgliteTemplate, openTestPglite } from './pgliteTemplate.ts';
