// Vite builds the SPA into web/dist (served by `berth serve`, src/http/ui.ts).
// `npm run web:dev` runs this dev server; it proxies the API, the registry and the token
// endpoint to a running Berth (BERTH_URL, default http://127.0.0.1:5000), so cookies stay same-origin.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const target = process.env.BERTH_URL ?? 'http://127.0.0.1:5000';
const proxied = { target, changeOrigin: false };

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed file names under assets/ get a year-long immutable cache from the server.
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { '/api': proxied, '/v2': proxied, '/auth': proxied },
  },
});
