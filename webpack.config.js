// Two builds: the demo page (www/ → www/dist) and the e2e test harness page
// (tests/e2e/harness/ → tests/e2e/harness/dist). `resumable-s3` is the
// wasm-bindgen --target bundler package in pkg/, built by scripts/build.sh.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import HtmlWebpackPlugin from 'html-webpack-plugin';
import CopyPlugin from 'copy-webpack-plugin';

const root = path.dirname(fileURLToPath(import.meta.url));
const mode = process.env.NODE_ENV === 'development' ? 'development' : 'production';

function page({ name, dir, entry, plugins = [] }) {
  return {
    name,
    mode,
    devtool: mode === 'development' ? 'source-map' : false,
    entry: path.join(root, dir, entry),
    output: { path: path.join(root, dir, 'dist'), clean: true },
    // The size hints are meant for JS; the wasm module is measured by scripts/build.sh.
    performance: { assetFilter: (file) => !file.endsWith('.wasm') },
    resolve: { alias: { 'resumable-s3': path.join(root, 'pkg') } },
    plugins: [new HtmlWebpackPlugin({ template: path.join(root, dir, 'index.html') }), ...plugins],
  };
}

export default [
  page({
    name: 'demo',
    dir: 'www',
    entry: 'src/index.js',
    plugins: [new CopyPlugin({ patterns: [path.join(root, 'www', 'src', 'style.css')] })],
  }),
  page({ name: 'harness', dir: 'tests/e2e/harness', entry: 'index.js' }),
];
