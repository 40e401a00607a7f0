import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The fenced code blocks of a markdown file. */
function codeBlocks(file: string): string[] {
  return [...readFileSync(join(ROOT, file), 'utf8').matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('docs', () => {
  it('no example runs the dev authenticator on a public interface', () => {
    for (const file of DOCS) {
      for (const block of codeBlocks(file)) {
        const dev = /--auth[ =]dev|devAuthenticator|HEARTH_AUTH=dev/.test(block);
        expect(dev && /0\.0\.0\.0|\[?::\]?[:\s]/.test(block), `${file}:\n${block}`).toBe(false);
      }
    }
  });

  it('every server command in the docs chooses --auth (the server has no default)', () => {
    for (const file of DOCS) {
      for (const line of readFileSync(join(ROOT, file), 'utf8').split('\n')) {
        if (/@hearth\/server start --/.test(line) && !/\[flags\]/.test(line)) expect(line, file).toMatch(/--auth /);
      }
    }
  });
});
