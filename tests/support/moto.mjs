// A real moto server (installed into $CACHE/moto by scripts/setup.sh): the only local S3 + IAM + STS that
// verifies STS session tokens. Set it up with auth off (`createBucket`, `createUser`, `provisionRole`), then `enableAuth()`:
// from then on every request needs a valid signature from a known key, and the caller's IAM policies apply.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { freePort, waitForServer } from './garage.mjs';

const CACHE = process.env.RESUMABLE_S3_CACHE || path.join(os.homedir(), '.cache', 'resumable-s3'); // as in garage.mjs
const MOTO_BIN = path.join(CACHE, 'moto', 'bin', 'moto_server');
const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012'; // moto's default account
// Any key works while auth is off; moto routes a request to IAM, STS or S3 by the service in its signature.
const SETUP_CREDENTIALS = { accessKeyId: 'AKIASETUPSETUPSETUP0', secretAccessKey: 'setup' };

const running = new Set();
process.on('exit', () => running.forEach((child) => child.kill('SIGKILL')));

/**
 * Starts moto on 127.0.0.1 (a free port unless given), auth off. `partMinSize` lowers S3's 5 MiB minimum part
 * size (moto's S3_UPLOAD_PART_MIN_SIZE). Returns { endpoint, region, accountId, logPath, iam, createUser,
 * provisionRole, createBucket, enableAuth, assumedRoles, stop }.
 */
export async function startMoto({ port, partMinSize } = {}) {
  if (!existsSync(MOTO_BIN)) throw new Error(`${MOTO_BIN} not found: run scripts/setup.sh (step moto_server)`);
  port ??= await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'moto-'));
  const logPath = path.join(dir, 'moto.log');
  const log = openSync(logPath, 'a');
  // setpriv --pdeathsig: the kernel kills moto if this Node process dies without cleaning up (even SIGKILL).
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', MOTO_BIN, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', log, log],
    env: { ...process.env, ...(partMinSize ? { S3_UPLOAD_PART_MIN_SIZE: String(partMinSize) } : {}) },
  });
  closeSync(log);
  running.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const endpoint = `http://127.0.0.1:${port}`;
  const s3 = new S3Client({ endpoint, region: REGION, forcePathStyle: true, credentials: SETUP_CREDENTIALS });
  const stop = async () => {
    if (!running.delete(child)) return;
    s3.destroy();
    child.kill('SIGKILL'); // all state is in memory: nothing to flush
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitForServer('moto_server', exited, async () => {
      const res = await fetch(`${endpoint}/moto-api/`);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    });
  } catch (err) {
    const tail = readFileSync(logPath, 'utf8').slice(-4000);
    await stop();
    throw new Error(`moto did not start: ${err.message}\n--- ${logPath} ---\n${tail}`);
  }

  const iamSigner = new SignatureV4({ service: 'iam', region: REGION, credentials: SETUP_CREDENTIALS, sha256: Hash.bind(null, 'sha256') });
  /** One IAM Query API call (auth off). Returns the XML answer; throws with it on an error status. */
  const iam = async (action, params = {}) => {
    const body = new URLSearchParams({ Action: action, Version: '2010-05-08', ...params }).toString();
    const request = new HttpRequest({
      method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port, path: '/',
      headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/x-www-form-urlencoded' }, body,
    });
    const { headers } = await iamSigner.sign(request);
    const res = await fetch(`${endpoint}/`, { method: 'POST', headers, body });
    const text = await res.text();
    if (!res.ok) throw new Error(`IAM ${action}: ${res.status} ${text}`);
    return text;
  };
  const xmlField = (xml, name) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

  /**
   * An IAM user with an access key, allowed to assume a new role (trusting only that user) whose own
   * permissions are `rolePolicy`. Returns { accessKeyId, secretAccessKey, roleArn }.
   */
  const provisionRole = async ({ userName, roleName, rolePolicy }) => {
    const roleArn = `arn:aws:iam::${ACCOUNT_ID}:role/${roleName}`;
    await iam('CreateUser', { UserName: userName });
    await iam('PutUserPolicy', { UserName: userName, PolicyName: 'assume', PolicyDocument: JSON.stringify({
      Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }],
    }) });
    await iam('CreateRole', { RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:user/${userName}` }, Action: 'sts:AssumeRole' }],
    }) });
    await iam('PutRolePolicy', { RoleName: roleName, PolicyName: 'permissions', PolicyDocument: JSON.stringify(rolePolicy) });
    const key = await iam('CreateAccessKey', { UserName: userName });
    return { accessKeyId: xmlField(key, 'AccessKeyId'), secretAccessKey: xmlField(key, 'SecretAccessKey'), roleArn };
  };

  /** An IAM user with an access key and the given inline policy: { accessKeyId, secretAccessKey }. */
  const createUser = async ({ userName, policy }) => {
    await iam('CreateUser', { UserName: userName });
    await iam('PutUserPolicy', { UserName: userName, PolicyName: 'permissions', PolicyDocument: JSON.stringify(policy) });
    const key = await iam('CreateAccessKey', { UserName: userName });
    return { accessKeyId: xmlField(key, 'AccessKeyId'), secretAccessKey: xmlField(key, 'SecretAccessKey') };
  };

  const createBucket = (name) => s3.send(new CreateBucketCommand({ Bucket: name }));

  /** Auth on, for good: moto counts requests without auth up to this number (0) and checks every one after. */
  const enableAuth = async () => {
    const res = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '0' });
    if (!res.ok) throw new Error(`moto reset-auth: ${res.status} ${await res.text()}`);
  };

  /**
   * The AssumeRole sessions moto recorded (from its state dump, which needs no auth): [{ access_key_id,
   * role_arn, session_name, policy (the session policy JSON or null), … }].
   */
  const assumedRoles = async () => {
    const res = await fetch(`${endpoint}/moto-api/data.json`);
    if (!res.ok) throw new Error(`moto data.json: ${res.status}`);
    return (await res.json()).sts?.AssumedRole ?? [];
  };

  return { endpoint, region: REGION, accountId: ACCOUNT_ID, logPath, iam, createUser, provisionRole, createBucket, enableAuth, assumedRoles, stop };
}

