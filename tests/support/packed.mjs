// The npm package in pkg/ as a user gets it: `npm pack` (offline: it only tars the files the package lists),
// unpacked into an app's node_modules. For tests that build apps against the published shape of the package.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PKG = path.join(REPO, 'pkg');

/** Packs pkg/ into `dest` and returns the tarball's path. */
export async function packPackage(dest) {
  if (!existsSync(path.join(PKG, 'package.json'))) throw new Error(`${PKG} is not built: run scripts/build.sh`);
  const { stdout } = await run('npm', ['pack', PKG, '--pack-destination', dest, '--json', '--silent']);
  return path.join(dest, JSON.parse(stdout)[0].filename);
}

/**
 * Copies the app in `from` (without its node_modules and dist) to `into` and installs its dependencies:
 * resumable-s3 is the tarball, unpacked into node_modules/resumable-s3 as npm would (a real directory, not a
 * link, so bundlers treat it like any package from the registry); every other package the app's package.json
 * lists (vite, vue, react, plugins…) is a link to the repo's node_modules instead of an `npm install`, which
 * would need the network. `into` should be outside the repo, so that nothing the app does not list resolves.
 */
export async function installApp({ from, into, tarball }) {
  cpSync(from, into, { recursive: true, filter: (src) => !['node_modules', 'dist'].includes(path.basename(src)) });
  const target = path.join(into, 'node_modules', 'resumable-s3');
  mkdirSync(target, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']); // the tarball's root is package/
  const { dependencies = {}, devDependencies = {} } = JSON.parse(readFileSync(path.join(into, 'package.json'), 'utf8'));
  for (const name of Object.keys({ ...dependencies, ...devDependencies })) {
    if (name === 'resumable-s3') continue;
    const link = path.join(into, 'node_modules', name);
    mkdirSync(path.dirname(link), { recursive: true }); // @scope/
    symlinkSync(path.join(REPO, 'node_modules', name), link, 'dir');
  }
  return into;
}
