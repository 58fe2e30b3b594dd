// Serves the built demo (www/dist) next to a persistent Garage; started by scripts/demo.sh.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../tests/support/dev-server.mjs';
import { startGarage } from '../tests/support/garage.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const cache = process.env.RESUMABLE_S3_CACHE || path.join(os.homedir(), '.cache', 'resumable-s3');
const origin = 'http://127.0.0.1:8080';

const garage = await startGarage({
  s3Port: 3900, rpcPort: 3901, adminPort: 3903,
  dataDir: path.join(cache, 'demo-data'),
  corsOrigins: [origin],
});
// garage.mjs stops Garage on Ctrl-C; the HTTP server ends with the process.
await startDevServer({ port: 8080, root: path.join(root, 'www', 'dist'), garage });
console.log(`Garage S3 API: ${garage.endpoint} (bucket "${garage.bucket}", log ${garage.logPath})`);
console.log(`Demo: ${origin}/   (Ctrl-C to stop)`);
