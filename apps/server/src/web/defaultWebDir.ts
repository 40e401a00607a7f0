import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `apps/web/dist` beside this app (from `src/web` and from `dist/web` alike). */
export const BUILT_WEB_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/**
 * The directory the admin port serves: `--web-dir` as given, none for `off`, else the built
 * `apps/web/dist` when it holds an `index.html` (none when the page was not built).
 * @throws {Error} when `--web-dir` names no directory.
 */
export function resolveWebDir(flag: string | undefined): string | undefined {
  if (flag === 'off' || flag === '') return undefined;
  if (flag !== undefined) {
    if (!statSync(flag, { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`--web-dir: "${flag}" is not a directory; build the page (npx -y pnpm@10 --filter @hearth/web build) or pass --web-dir off`);
    }
    return flag;
  }
  return existsSync(join(BUILT_WEB_DIR, 'index.html')) ? BUILT_WEB_DIR : undefined;
}
