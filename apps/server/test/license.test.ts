import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');

/** The root package.json and every workspace package's (apps/*, packages/*). */
function manifests(): string[] {
  const found = ['package.json'];
  for (const dir of ['apps', 'packages']) {
    for (const name of readdirSync(join(ROOT, dir))) if (existsSync(join(ROOT, dir, name, 'package.json'))) found.push(join(dir, name, 'package.json'));
  }
  return found;
}

describe('license', () => {
  it('the repository has an MIT LICENSE', () => {
    const text = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(text).toMatch(/^MIT License\n\nCopyright \(c\) 2026 Hearth contributors\n/);
    expect(text).toContain('THE SOFTWARE IS PROVIDED "AS IS"');
  });

  it('every package.json says "license": "MIT"', () => {
    const files = manifests();
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) expect((JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { license?: string }).license, file).toBe('MIT');
  });
});
