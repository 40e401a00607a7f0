/**
 * Driver choice (`postgres` vs `pg`): the same parameterized query in a sequential loop (latency-bound)
 * and with 32 in flight (throughput-bound), each driver with a pool of 4 connections. Median of 3.
 * Prints JSON; run: node --import tsx bench/drivers.ts
 */
import pg from 'pg';
import postgres from 'postgres';

const URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const N = Number(process.env['BENCH_QUERIES'] ?? 5000);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function loop(run: (i: number) => Promise<unknown>, inFlight: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < N) await run(next++);
    }),
  );
  return Math.round(N / ((performance.now() - t0) / 1000));
}

async function main(): Promise<void> {
  const sql = postgres(URL, { max: 4 });
  const pool = new pg.Pool({ connectionString: URL, max: 4 });
  const q = 'SELECT $1::int + 1 AS x';
  const out: Record<string, number> = {};
  for (const inFlight of [1, 32]) {
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < 3; r++) {
      a.push(await loop((i) => sql.unsafe(q, [i], { prepare: true }), inFlight));
      b.push(await loop((i) => pool.query({ text: q, values: [i], name: 'q' }), inFlight));
    }
    out[`postgres.js ${inFlight} in flight q/s`] = median(a);
    out[`pg ${inFlight} in flight q/s`] = median(b);
  }
  console.log(JSON.stringify(out, null, 2));
  await sql.end();
  await pool.end();
}
await main();
