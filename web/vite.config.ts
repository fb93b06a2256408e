import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built to web/dist, served by the signet server itself (same origin, no CDN).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: { proxy: { '/console/api': 'http://127.0.0.1:8080' } },
});
