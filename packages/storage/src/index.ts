export { openStorage, openClient, redact, DEFAULT_PGLITE_DIR } from './openStorage.ts';
export type { OpenStorageOptions } from './openStorage.ts';
export { SqlStorage, DEFAULT_MAX_OBJECT_BYTES } from './SqlStorage.ts';
export type { StorageOptions } from './SqlStorage.ts';
export type {
  Storage,
  Profile,
  NewUser,
  PasswordRecord,
  DeviceRecord,
  StoredObject,
  LeaderboardConfig,
  LeaderboardEntry,
  PeriodOption,
  ScoreOperator,
  ScoreSort,
  ResetSchedule,
} from './Storage.ts';
export { migrate } from './sql/migrate.ts';
export type { MigrationResult } from './sql/migrate.ts';
export { MIGRATIONS, SCHEMA_VERSION } from './sql/schema.ts';
export type { Migration } from './sql/schema.ts';
export type { SqlClient, SqlQuery, SqlParam } from './sql/SqlClient.ts';
export { openPostgres } from './sql/PostgresClient.ts';
export type { PostgresClientOptions } from './sql/PostgresClient.ts';
export { openPglite } from './sql/PgliteClient.ts';
export type { PgliteClient, PgliteOptions } from './sql/PgliteClient.ts';
export { periodOf, isPeriodKey } from './leaderboard/period.ts';
export { Limits } from './validate.ts';
export { checkJson, MAX_JSON_DEPTH } from './checkJson.ts';
export { Accounts } from './accounts/Accounts.ts';
export type { AccountLogin, AccountsOptions, DeviceCredentials, PasswordCredentials } from './accounts/Accounts.ts';
export { DEFAULT_ARGON2, hashPassword, verifyPassword, needsRehash } from './accounts/passwords.ts';
export type { Argon2Params } from './accounts/passwords.ts';
export { hashDeviceSecret } from './accounts/deviceSecret.ts';
export { deviceAuthenticator } from './accounts/deviceAuthenticator.ts';
export { passwordAuthenticator } from './accounts/passwordAuthenticator.ts';
export { jwtAuthenticator } from './accounts/jwtAuthenticator.ts';
export type { JwtOptions } from './accounts/jwtAuthenticator.ts';
export { accountsAuthenticator } from './accounts/accountsAuthenticator.ts';
export type { AuthenticatorSet } from './accounts/accountsAuthenticator.ts';
export { accountOf } from './accounts/accountOf.ts';
export { RegistrationLimit } from './accounts/RegistrationLimit.ts';
export type { RegistrationLimitOptions } from './accounts/RegistrationLimit.ts';
