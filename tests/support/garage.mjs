// A real single-node Garage S3 server (built into $CACHE/bin by scripts/setup.sh) for tests and the demo.
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { S3Client, HeadBucketCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';

// Node 20 is what these machines have; the SDK's "upgrade to Node 22 by 2027" notice is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const CACHE = process.env.RESUMABLE_S3_CACHE || path.join(os.homedir(), '.cache', 'resumable-s3');
const GARAGE_BIN = path.join(CACHE, 'bin', 'garage');
const REGION = 'us-east-1';
const hex = (bytes) => randomBytes(bytes).toString('hex');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Running servers, cleaned up however this process ends. (If it is SIGKILLed, setpriv --pdeathsig below
// still kills Garage; only the temp dir stays behind.)
const running = new Set();
process.on('exit', () => running.forEach((garage) => garage.killSync()));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, async () => {
    await Promise.allSettled([...running].map((garage) => garage.stop()));
    process.exit(128 + os.constants.signals[signal]);
  });
}

export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Secrets of a persistent data dir are kept next to the data: Garage refuses to start when the
// default key already exists with a different secret.
function loadSecrets(dir, persistent) {
  const file = path.join(dir, 'secrets.json');
  if (persistent && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const secrets = {
    rpcSecret: hex(32),
    adminToken: hex(32),
    accessKeyId: `GK${hex(12)}`,
    secretAccessKey: hex(32),
    bucket: 'demo',
  };
  if (persistent) writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/**
 * Starts Garage on 127.0.0.1 (free ports unless given) with a default key and bucket, CORS set for
 * `corsOrigins`. `dataDir` keeps data across runs (demo); otherwise a temp dir is used and removed on stop.
 */
export async function startGarage({ s3Port, rpcPort, adminPort, corsOrigins = ['*'], dataDir } = {}) {
  if (!existsSync(GARAGE_BIN)) throw new Error(`${GARAGE_BIN} not found: run scripts/setup.sh`);
  const persistent = Boolean(dataDir);
  const dir = persistent ? dataDir : mkdtempSync(path.join(os.tmpdir(), 'garage-'));
  mkdirSync(dir, { recursive: true });
  const secrets = loadSecrets(dir, persistent);
  s3Port ??= await freePort();
  rpcPort ??= await freePort();
  adminPort ??= await freePort();

  const configPath = path.join(dir, 'garage.toml');
  writeFileSync(configPath, `metadata_dir = "${dir}/meta"
data_dir = "${dir}/data"
db_engine = "lmdb"
replication_factor = 1
compression_level = "none"
rpc_bind_addr = "127.0.0.1:${rpcPort}"
rpc_public_addr = "127.0.0.1:${rpcPort}"
rpc_secret = "${secrets.rpcSecret}"

[s3_api]
s3_region = "${REGION}"
api_bind_addr = "127.0.0.1:${s3Port}"

[admin]
api_bind_addr = "127.0.0.1:${adminPort}"
admin_token = "${secrets.adminToken}"
`, { mode: 0o600 });

  const logPath = path.join(dir, 'garage.log');
  const log = openSync(logPath, 'a');
  // setpriv --pdeathsig: the kernel kills Garage if this Node process dies without cleaning up (even SIGKILL).
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', GARAGE_BIN, '-c', configPath,
    'server', '--single-node', '--default-bucket'], {
    stdio: ['ignore', log, log],
    detached: true, // own process group: a terminal's Ctrl-C reaches only us, and we stop Garage below
    env: {
      ...process.env,
      RUST_LOG: process.env.RUST_LOG || 'garage=warn',
      NO_COLOR: '1', // plain text in garage.log
      GARAGE_DEFAULT_ACCESS_KEY: secrets.accessKeyId,
      GARAGE_DEFAULT_SECRET_KEY: secrets.secretAccessKey,
      GARAGE_DEFAULT_BUCKET: secrets.bucket,
    },
  });
  closeSync(log);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const endpoint = `http://127.0.0.1:${s3Port}`;
  const { accessKeyId, secretAccessKey, bucket } = secrets;
  const s3 = new S3Client({ endpoint, region: REGION, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });

  const instance = {
    killSync() {
      running.delete(instance);
      s3.destroy();
      child.kill('SIGKILL');
      if (!persistent) rmSync(dir, { recursive: true, force: true });
    },
    async stop() {
      if (!running.has(instance)) return;
      s3.destroy(); // drop our own keep-alive connections first
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // Garage waits up to 10 s for clients (e.g. a browser's keep-alive connections) to go: don't.
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(timer);
      }
      instance.killSync();
    },
  };
  running.add(instance);

  const garageCli = async (...args) => {
    // TZ=UTC: the CLI prints dates in local time, which we parse below.
    const { stdout } = await promisify(execFile)(GARAGE_BIN, ['-c', configPath, ...args], { env: { ...process.env, TZ: 'UTC' } });
    return stdout;
  };

  // A fresh key that really expires, allowed to read and write the default bucket.
  const mintKey = async ({ expiresIn = '1h' } = {}) => {
    const out = await garageCli('key', 'create', '--expires-in', expiresIn, `temp-${Date.now()}-${hex(3)}`);
    const field = (name) => out.match(new RegExp(`^${name}:\\s+(.+)$`, 'm'))?.[1].trim();
    const id = field('Key ID');
    // e.g. "2026-11-25 11:50:00.123456789 +00:00" (local time, UTC because of TZ above)
    const [, date, time, ms = ''] = field('Expiration').match(/^(\S+) (\d\d:\d\d:\d\d)(\.\d{1,3})?/);
    await garageCli('bucket', 'allow', '--read', '--write', bucket, '--key', id);
    return { accessKeyId: id, secretAccessKey: field('Secret key'), expiration: new Date(`${date}T${time}${ms}Z`).toISOString() };
  };

  try {
    // The port opens in ~0.3 s; the default key and bucket exist ~1 s after start.
    await waitForServer('garage', exited, () => s3.send(new HeadBucketCommand({ Bucket: bucket })));
    await putBucketCors(s3, bucket, corsOrigins);
  } catch (err) {
    const tail = readFileSync(logPath, 'utf8').slice(-4000);
    await instance.stop();
    throw new Error(`Garage did not start: ${err.message}\n--- ${logPath} ---\n${tail}`);
  }

  return { endpoint, region: REGION, bucket, accessKeyId, secretAccessKey, s3, mintKey, logPath, stop: instance.stop };
}

/** The README's CORS rule for `origins`. */
export function putBucketCors(s3, bucket, origins) {
  return s3.send(new PutBucketCorsCommand({
    Bucket: bucket,
    CORSConfiguration: {
      CORSRules: [{
        AllowedOrigins: origins,
        AllowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'],
        AllowedHeaders: ['*'],
        ExposeHeaders: ['ETag', 'Date', 'x-amz-checksum-crc32', 'x-amz-checksum-crc32c', 'x-amz-checksum-crc64nvme', 'x-amz-checksum-type',
          'x-amz-request-id', 'x-amz-version-id', 'x-amz-server-side-encryption'],
        MaxAgeSeconds: 600,
      }],
    },
  }));
}

/**
 * Polls `probe` every 100 ms until it resolves (the server answers), failing at once if the server process exits
 * (`exited` resolves with its code) and after `timeoutMs` with the probe's last error.
 */
export async function waitForServer(name, exited, probe, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let exitCode;
  exited.then((code) => { exitCode = code ?? 'signal'; });
  for (;;) {
    if (exitCode !== undefined) throw new Error(`${name} exited (${exitCode})`);
    try {
      await probe();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${name} did not answer in ${timeoutMs} ms: ${err.message}`);
    }
    await sleep(100);
  }
}
