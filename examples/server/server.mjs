// An upload backend for resumable-s3 (plain node:http, Node >= 20). Copy it into your app and put your own
// login check into `authorize`. Routes:
//   GET  /config       { endpoint, region, bucket, prefix, forcePathStyle }: what the page passes to `new Uploader`
//   GET  /credentials  temporary credentials for the browser, limited to multipart uploads under the prefix
//   POST /sign         backend-signed mode: { method, url, headers } in, { headers } (with authorization) out
// Run: node examples/server/server.mjs (configuration from environment variables: see README.md).
import http from 'node:http';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { cachedUntilExpiry, roleAssumer } from './credentials.mjs';
import { sessionPolicy } from './policy.mjs';
import { checkRequest, Refused } from './s3-request.mjs';
import { signHeaders } from './sign.mjs';

const MAX_BODY_BYTES = 64 * 1024; // a /sign request is a method, a URL and a few headers

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Returns a node:http Server (not yet listening). Options:
 *   endpoint        S3 endpoint URL; /sign signs only for it (path style endpoint/bucket/key or virtual-hosted
 *                   bucket.host/key). Default https://s3.<region>.amazonaws.com
 *   region          signing region (required)
 *   bucket, prefix  the only bucket, and the key prefix every upload must start with (required, non-empty)
 *   roleArn         the role assumed for the browser's credentials and for /sign (required unless signWith)
 *   signWith        for stores without STS (Garage, MinIO with a static key): /sign signs with these credentials
 *                   ({ accessKeyId, secretAccessKey, sessionToken? }, or a function returning them) instead of
 *                   an assumed role; without roleArn, /credentials answers 404
 *   credentials     the server's own { accessKeyId, secretAccessKey, sessionToken? } that may assume the role;
 *                   default: the AWS SDK's default chain (environment, ~/.aws, instance/task role)
 *   stsEndpoint     STS endpoint URL (default: the SDK's regional STS endpoint)
 *   durationSeconds lifetime of /credentials (default 3600; STS allows 900 up to the role's maximum)
 *   allowedOrigin   origin(s) allowed to call from another origin: a string, an array, or '*' (default: none)
 *   forcePathStyle  reported by /config for the page's Uploader (default false)
 *   allowedAcls     canned ACLs (the Uploader's `acl` option, header x-amz-acl) /sign may sign, e.g.
 *                   ['bucket-owner-full-control'] (default: none; x-amz-grant-* are always refused)
 *   authorize       (req) => boolean | Promise<boolean>: your login check, 401 when false (default: everyone)
 */
export function createServer(options) {
  const config = resolveOptions(options);
  const roles = roleAssumer({
    roleArn: config.roleArn, region: config.region, endpoint: config.stsEndpoint, credentials: config.credentials, durationSeconds: config.durationSeconds,
  });
  const browserPolicy = sessionPolicy({ bucket: config.bucket, prefix: config.prefix });
  // /sign checks bucket, prefix and action itself. It signs with fixed credentials (signWith) or with the role's,
  // scoped down by a session policy too, as a second fence.
  const signerCredentials = config.signWith
    ? async () => (typeof config.signWith === 'function' ? config.signWith() : config.signWith)
    : cachedUntilExpiry(() => roles.assume({
      policy: sessionPolicy({ bucket: config.bucket, prefix: config.prefix, listCondition: false }),
      sessionName: 'resumable-s3-signer',
    }));

  const routes = {
    'GET /config': () => ({
      endpoint: config.endpoint, region: config.region, bucket: config.bucket, prefix: config.prefix, forcePathStyle: config.forcePathStyle,
    }),
    'GET /credentials': () => {
      if (!config.roleArn) throw new HttpError(404, 'no role configured: this server only signs (POST /sign)');
      return roles.assume({ policy: browserPolicy, sessionName: 'resumable-s3-browser' });
    },
    'POST /sign': async (req) => {
      const checked = checkRequest(await readJson(req), config);
      return { headers: await signHeaders(checked, { credentials: await signerCredentials(), region: config.region }) };
    },
  };

  const server = http.createServer(async (req, res) => {
    const cors = corsHeaders(req.headers.origin, config.allowedOrigins);
    const send = (status, body) => {
      res.writeHead(status, { ...cors, 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method === 'OPTIONS') { // CORS preflight (the JSON POST to /sign has one)
        res.writeHead(204, cors);
        return res.end();
      }
      const route = routes[`${req.method} ${new URL(req.url, 'http://x').pathname}`];
      if (!route) throw new HttpError(404, `no route ${req.method} ${req.url}`);
      if (!(await config.authorize(req))) throw new HttpError(401, 'not signed in');
      send(200, await route(req));
    } catch (err) {
      if (err instanceof Refused) return send(403, { error: err.message });
      if (err instanceof HttpError) return send(err.status, { error: err.message });
      // STS or configuration trouble: the stack goes to the log, the message to the browser.
      console.error(`${req.method} ${req.url}:`, err);
      send(502, { error: `${err.name}: ${err.message}` });
    }
  });
  server.on('close', () => roles.destroy());
  return server;
}

/** createServer + listen. Returns { url, server, stop() }. `port` 0 (default) picks a free port. */
export async function startServer({ port = 0, host = '127.0.0.1', ...options }) {
  const server = createServer(options);
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return {
    url: `http://${host}:${server.address().port}`,
    server,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function resolveOptions(options) {
  const { region, bucket, prefix, roleArn, signWith } = options;
  for (const [name, value] of Object.entries({ region, bucket, prefix })) {
    // An empty prefix would hand out the whole bucket.
    if (typeof value !== 'string' || value === '') throw new Error(`option ${name} is required`);
  }
  if (!roleArn && !signWith) throw new Error('option roleArn is required (or signWith, to sign with fixed credentials)');
  const endpoint = (options.endpoint ?? `https://s3.${region}.amazonaws.com`).replace(/\/+$/, '');
  const origins = options.allowedOrigin ?? [];
  return {
    region, bucket, prefix, roleArn, signWith, endpoint,
    credentials: options.credentials,
    stsEndpoint: options.stsEndpoint,
    durationSeconds: options.durationSeconds ?? 3600,
    forcePathStyle: options.forcePathStyle ?? false,
    allowedAcls: options.allowedAcls ?? [],
    allowedOrigins: Array.isArray(origins) ? origins : [origins],
    authorize: options.authorize ?? (() => true),
  };
}

function corsHeaders(origin, allowed) {
  if (!origin || !(allowed.includes('*') || allowed.includes(origin))) return {};
  return {
    'access-control-allow-origin': allowed.includes('*') ? '*' : origin,
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': 'content-type, authorization',
    'access-control-max-age': '600',
    vary: 'origin',
  };
}

async function readJson(req) {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'send JSON (content-type: application/json)');
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request body too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
}

/** Options from environment variables (see README.md). */
export function optionsFromEnv(env = process.env) {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  return {
    region,
    endpoint: env.S3_ENDPOINT,
    stsEndpoint: env.STS_ENDPOINT,
    bucket: env.UPLOAD_BUCKET,
    prefix: env.UPLOAD_PREFIX,
    roleArn: env.UPLOAD_ROLE_ARN,
    durationSeconds: env.CREDENTIALS_TTL_SECONDS ? Number(env.CREDENTIALS_TTL_SECONDS) : undefined,
    allowedOrigin: env.ALLOWED_ORIGIN?.split(',').map((o) => o.trim()).filter(Boolean),
    forcePathStyle: env.FORCE_PATH_STYLE === 'true',
    port: Number(env.PORT ?? 8787),
    host: env.HOST ?? '127.0.0.1',
  };
}

const runAsCli = process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (runAsCli) {
  try {
    const { url } = await startServer(optionsFromEnv());
    console.log(`upload backend on ${url} (GET /config, GET /credentials, POST /sign)`);
  } catch (err) {
    console.error(`${err.message} (configuration: see examples/server/README.md)`);
    process.exit(1);
  }
}
