// Scenario 7: what an app ships. Each library's smallest real use (create the client/uploader, upload one file) bundled
// by esbuild --bundle --minify for the browser, then gzip -9; resumable-s3's wasm module is counted on top of its JS
// (the wasm-bindgen glue: the .wasm import itself is left to the app's bundler, as webpack/Vite load it).
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { verdict } from '../lib/stats.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Minimal uses, as each library's README shows them.
const ENTRIES = {
  // With wasm-bindgen's bundler layout the wasm module imports its JS shims from resumable_s3_bg.js: the .wasm is left
  // external, so esbuild cannot see those uses and the shims are re-exported to keep them, as the app's bundler does.
  // (The web layout builds the imports in JS and finds the .wasm with new URL(…, import.meta.url): nothing to add.)
  'resumable-s3': (pkg) => `import { Uploader } from ${JSON.stringify(pkg)};${existsSync(path.join(pkg, 'resumable_s3_bg.js'))
    ? ` export * as glue from ${JSON.stringify(`${pkg}/resumable_s3_bg.js`)};` : ''}
    export const up = (file, credentials) => new Uploader({ endpoint: 'https://s3.eu-west-1.amazonaws.com', region: 'eu-west-1',
      bucket: 'b', credentials }).upload(file, { key: file.name });`,
  'lib-storage': () => `import { S3Client } from '@aws-sdk/client-s3'; import { Upload } from '@aws-sdk/lib-storage';
    export const up = (file, credentials) => new Upload({ client: new S3Client({ region: 'eu-west-1', credentials }),
      params: { Bucket: 'b', Key: file.name, Body: file } }).done();`,
  uppy: () => `import Uppy from '@uppy/core'; import AwsS3 from '@uppy/aws-s3';
    export const up = (file, getCredentials) => { const u = new Uppy().use(AwsS3, { s3Endpoint: 'https://s3.eu-west-1.amazonaws.com/b',
      region: 'eu-west-1', getCredentials }); u.addFile({ name: file.name, data: file }); return u.upload(); };`,
  amplify: () => `import { Amplify } from 'aws-amplify'; import { uploadData } from 'aws-amplify/storage';
    export const up = (file, credentialsProvider) => { Amplify.configure({ Storage: { S3: { bucket: 'b', region: 'eu-west-1' } } },
      { Auth: { credentialsProvider } }); return uploadData({ path: file.name, data: file }).result; };`,
};

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const kb = (n) => (n / 1000).toFixed(1);

export async function packageSize(env, cfg, log) {
  const pkg = cfg.pkg ?? path.join(ROOT, 'pkg');
  if (!existsSync(path.join(pkg, 'package.json'))) throw new Error(`${pkg} is not built: run scripts/build.sh`);
  const dir = path.join(env.tmp, 'size');
  mkdirSync(dir, { recursive: true });
  const out = {};
  for (const [name, entry] of Object.entries(ENTRIES)) {
    const src = path.join(dir, `${name}.mjs`);
    writeFileSync(src, entry(pkg));
    const outfile = path.join(dir, `${name}.min.js`);
    await esbuild.build({
      entryPoints: [src], outfile, bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2020',
      define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' }, external: ['*.wasm'], logLevel: 'error',
      nodePaths: [path.join(ROOT, 'node_modules')],
    });
    const js = readFileSync(outfile);
    const wasmName = name === 'resumable-s3' ? readdirSync(pkg).find((f) => f.endsWith('.wasm')) : null;
    const wasmFile = wasmName ? path.join(pkg, wasmName) : null;
    const wasm = wasmFile ? readFileSync(wasmFile) : null;
    out[name] = { js: js.length, jsGz: gz(js), wasm: wasm?.length ?? 0, wasmGz: wasm ? gz(wasm) : 0 };
    out[name].totalGz = out[name].jsGz + out[name].wasmGz;
    log(`size ${name.padEnd(12)} JS ${kb(out[name].js)} kB min, ${kb(out[name].jsGz)} kB gz; wasm ${kb(out[name].wasm)} kB, ${kb(out[name].wasmGz)} kB gz`);
  }
  const names = Object.keys(out);
  const rows = [
    ['JS minified (kB)', ...names.map((n) => kb(out[n].js))],
    ['JS gzip -9 (kB)', ...names.map((n) => kb(out[n].jsGz))],
    ['wasm gzip -9 (kB)', ...names.map((n) => (out[n].wasm ? kb(out[n].wasmGz) : '–'))],
    ['total gzip -9 (kB)', ...names.map((n) => kb(out[n].totalGz))],
    ['resumable-s3 / this', ...names.map((n) => (out['resumable-s3'].totalGz / out[n].totalGz).toFixed(2))],
  ];
  const notes = [
    `kB = 1000 bytes. Package measured: ${pkg}. Target 7: ≤ lib-storage's: ${kb(out['resumable-s3'].totalGz)} vs ${kb(out['lib-storage'].totalGz)} kB → `
      + `${verdict(out['resumable-s3'].totalGz <= out['lib-storage'].totalGz)}`,
  ];
  return { title: '7. Package size: minimal browser bundle (esbuild --minify, gzip -9)', columns: ['', ...names], rows, notes, out };
}
