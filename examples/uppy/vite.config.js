import { defineConfig } from 'vite';

// resumable-s3 needs no plugin: Vite emits the .wasm it loads with new URL(..., import.meta.url) as an asset.
// The dev server passes /config and /credentials on to your backend (README.md).
const backend = process.env.RESUMABLE_S3_BACKEND ?? 'http://127.0.0.1:8787';

export default defineConfig({
  server: { proxy: { '/config': backend, '/credentials': backend } },
});
