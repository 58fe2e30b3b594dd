// The packed package's types as a TypeScript app sees them: tests/examples/typed-app uses the root entry and the
// react, vue and uppy subpaths (resolved through the exports map of the generated package.json) under --strict,
// with misuses that must be rejected. No browser, no server: tsc only.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { REPO, installApp, packPackage } from '../support/packed.mjs';

const run = promisify(execFile);

test('types: every entry resolves through the exports map and type-checks as documented', { timeout: 60_000 }, async (t) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'resumable-s3-types-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const app = await installApp({ from: path.join(REPO, 'tests/examples/typed-app'), into: path.join(tmp, 'app'), tarball: await packPackage(tmp) });
  const pkg = JSON.parse(readFileSync(path.join(app, 'node_modules/resumable-s3/package.json'), 'utf8'));
  for (const entry of ['react', 'vue', 'uppy']) {
    assert.deepEqual(pkg.exports[`./${entry}`], { types: `./${entry}.d.ts`, default: `./${entry}.js` });
  }
  assert.deepEqual(Object.keys(pkg.peerDependenciesMeta).sort(), Object.keys(pkg.peerDependencies).sort());
  assert.ok(Object.values(pkg.peerDependenciesMeta).every((meta) => meta.optional), 'a framework is required');
  const tsc = path.join(REPO, 'node_modules/typescript/bin/tsc');
  const result = await run(tsc, ['-p', app]).catch((error) => error);
  assert.equal(result.code ?? 0, 0, `tsc:\n${result.stdout}${result.stderr}`);
});
