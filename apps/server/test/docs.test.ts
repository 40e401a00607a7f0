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

  it('no doc says --auth is required: the default is accounts, dev is chosen explicitly', () => {
    for (const file of DOCS) {
      const text = readFileSync(join(ROOT, file), 'utf8').replace(/\s+/g, ' ');
      expect(text, file).not.toMatch(/--auth`? is required|no default authenticator|no default way to log players in|none: required/);
    }
  });

  it('every dev server command in the docs binds loopback or says --insecure-dev-auth', () => {
    for (const file of DOCS) {
      for (const line of readFileSync(join(ROOT, file), 'utf8').split('\n')) {
        if (/--auth[ =]dev\b/.test(line) && /--host[ =](?!127\.|localhost|::1)\S/.test(line)) expect(line, file).toMatch(/--insecure-dev-auth/);
      }
    }
  });
});
