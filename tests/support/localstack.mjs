// A real LocalStack S3 (localstack-core from PyPI, installed into $CACHE/localstack by scripts/setup.sh): the second
// upload server of the e2e suite. It follows AWS where Garage does not: it verifies every flexible checksum (part
// CRC-64/NVME, the FULL_OBJECT whole-object value at Complete), enforces EntityTooSmall, InvalidPart and
// InvalidPartOrder, honours If-None-Match on CompleteMultipartUpload and PutObject, keeps unfinished uploads until
// they are aborted (Garage drops an older one when a newer upload of the key completes, hiding leaks), and answers
// with AWS's error codes and x-amz-request-id. It does not verify signatures (Garage does).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort, putBucketCors, waitForServer } from './garage.mjs';

const CACHE = process.env.RESUMABLE_S3_CACHE || path.join(os.homedir(), '.cache', 'resumable-s3'); // as in garage.mjs
const PYTHON = path.join(CACHE, 'localstack', 'bin', 'python');
const REGION = 'us-east-1';
// LocalStack accepts any key; these are AWS's documented example keys.
const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

const running = new Set();
process.on('exit', () => running.forEach((child) => child.kill('SIGKILL')));

/** Is LocalStack installed (scripts/setup.sh installs it where a Python ≥ 3.13 exists)? */
export const localStackInstalled = () => existsSync(PYTHON);

/**
 * Starts LocalStack's S3 alone on 127.0.0.1 (a free port), with one bucket whose CORS rule is the README's.
 * Returns the same shape as startGarage: { endpoint, region, bucket, accessKeyId, secretAccessKey, s3, logPath, stop }.
 */
export async function startLocalStack({ corsOrigins = ['*'] } = {}) {
  if (!localStackInstalled()) throw new Error(`${PYTHON} not found: run scripts/setup.sh (step localstack_server)`);
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'localstack-'));
  const logPath = path.join(dir, 'localstack.log');
  const log = openSync(logPath, 'a');
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', PYTHON, '-m', 'localstack.runtime.main'], {
    stdio: ['ignore', log, log],
    cwd: dir,
    env: {
      ...process.env,
      GATEWAY_LISTEN: `127.0.0.1:${port}`,
      SERVICES: 's3',
      EAGER_SERVICE_LOADING: '1',
      FILESYSTEM_ROOT: dir,
      LOCALSTACK_VOLUME_DIR: path.join(dir, 'volume'),
      // Nothing but loopback: no DNS server (it looks for upstream resolvers), no analytics, no downloads.
      DNS_ADDRESS: '0',
      DISABLE_EVENTS: '1',
      SKIP_INFRA_DOWNLOADS: '1',
      SKIP_SSL_CERT_DOWNLOAD: '1',
    },
  });
  closeSync(log);
  running.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const endpoint = `http://127.0.0.1:${port}`;
  const s3 = new S3Client({ endpoint, region: REGION, forcePathStyle: true, credentials: CREDENTIALS });
  const stop = async () => {
    if (!running.delete(child)) return;
    s3.destroy();
    child.kill('SIGKILL'); // test data only: nothing to flush
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };

  const bucket = 'second';
  try {
    // The runtime loads in a few seconds (longer on a busy machine).
    await waitForServer('localstack', exited, async () => {
      const res = await fetch(`${endpoint}/_localstack/health`);
      const health = await res.json();
      if (health.services?.s3 !== 'running') throw new Error(`s3 is ${health.services?.s3}`);
    }, 120_000);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await putBucketCors(s3, bucket, corsOrigins);
  } catch (err) {
    const tail = existsSync(logPath) ? readFileSync(logPath, 'utf8').slice(-4000) : '';
    await stop();
    throw new Error(`LocalStack did not start: ${err.message}\n--- ${logPath} ---\n${tail}`);
  }
  // What the dev server's /credentials hands the page (as Garage's mintKey does): LocalStack takes any key.
  const mintKey = async () => ({ ...CREDENTIALS, expiration: new Date(Date.now() + 3_600_000).toISOString() });
  return { endpoint, region: REGION, bucket, ...CREDENTIALS, s3, mintKey, logPath, stop };
}
