// The pages the bench serves, built into a temp dir at the start of a run (a snapshot: the lead may rebuild the
// package in the tree meanwhile):
//   /resumable-s3/  a copy of the e2e harness page (tests/e2e/harness/dist: window.startUpload / runUpload)
//   /lib-storage/, /uppy/, /xhr-floor/, /amplify/  bench/pages/*.js bundled with esbuild (window.benchStart, see bench/pages/common.js)
import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const HARNESS_DIST = path.join(ROOT, 'tests/e2e/harness/dist');
const PAGES = path.join(ROOT, 'bench/pages');

// What the browser builds of the peers need: Node globals some of their dependencies still touch.
const BROWSER_BUILD = {
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'chrome120',
  minify: true,
  define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  logLevel: 'error',
};

export async function buildSite(dir, { harnessDist = HARNESS_DIST } = {}) {
  if (!existsSync(path.join(harnessDist, 'index.html'))) {
    throw new Error(`${harnessDist} is not built: run scripts/build.sh && npx webpack`);
  }
  cpSync(harnessDist, path.join(dir, 'resumable-s3'), { recursive: true });
  for (const peer of ['lib-storage', 'uppy', 'xhr-floor', 'amplify']) {
    const out = path.join(dir, peer);
    mkdirSync(out, { recursive: true });
    cpSync(path.join(PAGES, 'index.html'), path.join(out, 'index.html'));
    await esbuild.build({ ...BROWSER_BUILD, entryPoints: [path.join(PAGES, `${peer}.js`)], outfile: path.join(out, 'page.js') });
  }
  const wasm = readdirSync(path.join(dir, 'resumable-s3')).find((f) => f.endsWith('.wasm'));
  return {
    root: dir,
    wasm: wasm && `${wasm} (${statSync(path.join(dir, 'resumable-s3', wasm)).size} bytes, built ${statSync(path.join(harnessDist, wasm)).mtime.toISOString()})`,
  };
}
