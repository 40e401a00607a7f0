// Vite builds the Arena page (index.html) and the admin dashboard (admin/index.html) into dist/,
// which the server serves on its admin port (--web-dir). Sibling packages are read from source
// (the @hearth/source condition), so the page builds without building them first.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** Where `vite` (the dev server) sends `/config.json` and `/admin/api/*`: a running server's admin port. */
const admin = process.env['HEARTH_ADMIN_URL'] ?? 'http://127.0.0.1:7702';

// eslint-disable-next-line no-restricted-syntax -- Vite reads the default export
export default defineConfig({
  resolve: { conditions: ['@hearth/source', 'browser', 'module', 'import', 'default'] },
  build: {
    target: 'es2022',
    rollupOptions: { input: { main: resolve(import.meta.dirname, 'index.html'), admin: resolve(import.meta.dirname, 'admin/index.html') } },
  },
  server: { proxy: { '/config.json': admin, '/admin/api': admin } },
});
