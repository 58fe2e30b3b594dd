// A local stand-in for your backend, for the examples: a Garage S3 server (temporary data, CORS open to any
// origin) plus GET /config and GET /credentials from the repo's dev server, which also serves a directory
// (default ./dist, so `npm run build` output works on this one origin). Dev only: /credentials hands out real keys.
//   node local-backend.mjs [dir] [--port 8787]
import { parseArgs } from 'node:util';
import { startDevServer } from '../tests/support/dev-server.mjs';
import { startGarage } from '../tests/support/garage.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { port: { type: 'string', default: '8787' } },
});
const garage = await startGarage();
const server = await startDevServer({ port: Number(values.port), root: positionals[0] ?? 'dist', garage });
console.log(`Garage S3 API: ${garage.endpoint} (bucket "${garage.bucket}")`);
console.log(`/config, /credentials and ${positionals[0] ?? 'dist'}/ on ${server.url}   (Ctrl-C to stop)`);
