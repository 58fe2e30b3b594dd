// Dev-only HTTP server: serves a built page statically plus two JSON endpoints backed by a Garage
// from ./garage.mjs. GET /credentials hands out real keys: never expose this outside localhost.
//   GET /credentials                    a 1-hour key (cached, re-minted 5 minutes before it expires)
//   GET /credentials?ttl=20s            a NEW key on every call, which Garage rejects after 20 s (any
//                                       `garage key create --expires-in` duration)
//   GET /credentials?ttl=20s&report=none  the same with `expiration: null`: the client only learns of the
//                                       expiry from the server's rejection (Garage: 403 AccessDenied "Access
//                                       key … has expired")
// server.credentialRequests counts the calls.
// GET /config answers { endpoint, region, bucket, forcePathStyle: true } plus startDevServer's `config` (other
// Uploader options for the page, e.g. { minPartSize, partSize, concurrency }).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm', // required by WebAssembly.instantiateStreaming
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

// Re-mint only when the cached key is about to expire: each key is a record in Garage, and the
// page may ask for credentials often.
const REMINT_MARGIN_MS = 5 * 60 * 1000;

export async function startDevServer({ port = 0, host = '127.0.0.1', root, garage, config = {} }) {
  const rootDir = path.resolve(root);
  const stats = { credentialRequests: 0, minted: [] };
  let cached;
  const credentials = async () => {
    if (!cached || Date.parse((await cached).expiration) - Date.now() < REMINT_MARGIN_MS) {
      cached = garage.mintKey({ expiresIn: '1h' });
      cached.catch(() => { cached = undefined; });
    }
    return { ...(await cached), sessionToken: null };
  };

  const json = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const serveFile = async (req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = path.join(rootDir, urlPath);
    if (file !== rootDir && !file.startsWith(rootDir + path.sep)) return json(res, 403, { error: 'forbidden' });
    let info = await stat(file).catch(() => null);
    if (info?.isDirectory()) {
      file = path.join(file, 'index.html');
      info = await stat(file).catch(() => null);
    }
    if (!info?.isFile()) return json(res, 404, { error: `not found: ${urlPath}` });
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  };

  const server = http.createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'method not allowed' });
      const { pathname } = new URL(req.url, 'http://x');
      if (pathname === '/config') {
        return json(res, 200, { endpoint: garage.endpoint, region: garage.region, bucket: garage.bucket, forcePathStyle: true, ...config });
      }
      if (pathname === '/credentials') {
        stats.credentialRequests += 1;
        const q = new URL(req.url, 'http://x').searchParams;
        const ttl = q.get('ttl');
        if (!ttl) return json(res, 200, await credentials());
        if (!/^\d+[smhd]$/.test(ttl)) return json(res, 400, { error: `ttl must look like 20s, 5m, 1h: ${ttl}` });
        const key = await garage.mintKey({ expiresIn: ttl });
        stats.minted.push({ accessKeyId: key.accessKeyId, expiration: key.expiration });
        return json(res, 200, { ...key, sessionToken: null, expiration: q.get('report') === 'none' ? null : key.expiration });
      }
      await serveFile(req, res);
    } catch (err) {
      if (!res.headersSent) json(res, 500, { error: err.message });
      else res.destroy(err);
    }
  });

  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const url = `http://${host}:${server.address().port}`;
  return {
    url,
    /** Calls of /credentials so far, and the short-lived keys minted ({ accessKeyId, expiration }). */
    get credentialRequests() { return stats.credentialRequests; },
    get minted() { return stats.minted.slice(); },
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
