/**
 * The one SQL schema, as an ordered list of migrations. Append only: a released migration is never
 * edited (its name is recorded, and a database whose recorded name differs is refused).
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'accounts, profiles, objects, leaderboards',
    sql: `
CREATE TABLE hearth_users (
  id            text PRIMARY KEY,
  username      text UNIQUE,
  email         text UNIQUE,
  password_hash text,
  display_name  text NOT NULL,
  created_ms    bigint NOT NULL,
  last_seen_ms  bigint NOT NULL
);
CREATE TABLE hearth_devices (
  device_id   text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES hearth_users(id) ON DELETE CASCADE,
  secret_hash text NOT NULL,
  created_ms  bigint NOT NULL
);
CREATE INDEX hearth_devices_user ON hearth_devices (user_id);
CREATE TABLE hearth_identities (
  issuer     text NOT NULL,
  subject    text NOT NULL,
  user_id    text NOT NULL REFERENCES hearth_users(id) ON DELETE CASCADE,
  created_ms bigint NOT NULL,
  PRIMARY KEY (issuer, subject)
);
CREATE TABLE hearth_objects (
  user_id    text NOT NULL REFERENCES hearth_users(id) ON DELETE CASCADE,
  collection text NOT NULL,
  key        text NOT NULL,
  value      jsonb NOT NULL,
  version    bigint NOT NULL,
  updated_ms bigint NOT NULL,
  PRIMARY KEY (user_id, collection, key)
);
CREATE TABLE hearth_leaderboards (
  id         text PRIMARY KEY,
  operator   text NOT NULL CHECK (operator IN ('best', 'sum')),
  sort       text NOT NULL CHECK (sort IN ('desc', 'asc')),
  reset      text NOT NULL CHECK (reset IN ('never', 'daily', 'weekly', 'monthly')),
  created_ms bigint NOT NULL
);
CREATE TABLE hearth_records (
  leaderboard_id text NOT NULL REFERENCES hearth_leaderboards(id) ON DELETE CASCADE,
  period         text NOT NULL,
  user_id        text NOT NULL REFERENCES hearth_users(id) ON DELETE CASCADE,
  score          bigint NOT NULL,
  updated_ms     bigint NOT NULL,
  PRIMARY KEY (leaderboard_id, period, user_id)
);
CREATE INDEX hearth_records_rank ON hearth_records (leaderboard_id, period, score DESC, updated_ms, user_id);
`,
  },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
