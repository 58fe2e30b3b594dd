// A fault-injecting HTTP proxy owned by the test suite: sits between the browser (or a Node S3 client) and
// Garage, forwards every request unchanged (method, path+query, every header including Host, which SigV4
// signs) and streams bodies both ways, unless a scripted rule says otherwise.
//
//   const proxy = await startFaultProxy({ target: garage.endpoint });
//   proxy.rules([
//     // times: 2, because Chromium silently resends once after a reset on a reused connection (see below)
//     { match: { action: 'UploadPart', partNumber: 2, times: 2 }, fault: { resetAfterBytes: 1 << 20 } },
//     { match: { action: 'CompleteMultipartUpload', times: 2 }, fault: { respond: { status: 503, code: 'SlowDown', message: 'Reduce your request rate.' } } },
//   ]);
//   ... point the client's endpoint at proxy.url ...
//   proxy.stats().parts[2]  // { requests, bytesIn, completed, faulted }
//
// Rule: { match: { action?, partNumber?, key?, skewedOverMs?, when?, nth?, times? }, fault: { ... } }
//   action      an action name (see classify below) or an array of names; omitted: any request
//   partNumber  a number or an array of numbers (only UploadPart requests carry one)
//   key         the object key (path-style URLs: /bucket/key), string or RegExp
//   skewedOverMs only requests whose SigV4 time (X-Amz-Date header or query) is more than this many ms away
//               from the proxy's clock, as S3 checks (15 minutes there): with
//               fault: { respond: () => errors.requestTimeTooSkewed(new Date()) } the proxy emulates S3's check
//               (Garage does not check the request time at all).
//   when        a predicate on the request info { action, partNumber, key, headers (lower-case names) }: e.g. a
//               store that refuses some header (see ./store-profiles.mjs)
//   nth         1-based: the rule fires first on the nth request that matches action/partNumber/key
//               (every matching request counts, even one that an earlier rule faulted)
//   times       on how many matching requests it fires: default 1 with nth, unlimited without
// The first rule (in list order) that fires decides the fault. Faults:
//   { resetAfterBytes: N }              forward, then reset both TCP connections (RST) once N request-body
//                                       bytes have passed (0: at once, before anything is forwarded). A body
//                                       shorter than N passes untouched.
//   { stallMs: T, afterBytes?: N }      stop reading/forwarding the request body after N bytes (default 0) for
//                                       T ms, then go on; if the body is shorter than N, stall at its end.
//                                       If the client gives up meanwhile, everything is just cleaned up, but
//                                       note: while the proxy does not read a socket it cannot see it close, so
//                                       a client that gives up a large body mid-stall shows in the log (outcome
//                                       'client-closed') only when the stall ends; its next request is the sign.
//   { respond: { status, code, message, extraXml?, headers? } }
//                                       do not forward: drain the request body, answer with
//                                       <Error><Code/><Message/>{extraXml}<RequestId/></Error> and CORS headers.
//                                       `respond` may be a function (request info) => { status, code, … },
//                                       called when the rule fires (e.g. to put the current time in the answer).
//   { latencyMs: T }                    wait T ms before forwarding (may be combined with any other fault key).
//   { bandwidth: bytesPerSecond }       throttle the request body.
//   { flipByteAt: offset }              forward the body with the byte at `offset` XORed with 0xff.
//   { resetResponse: true }             forward the whole request, let the server act on it, then reset the
//                                       client's connection instead of passing the answer back (a lost reply).
//   { holdMs: T }                       a buffering proxy: take the whole request body, answer the client nothing,
//                                       and T ms later deliver the request to the server whatever the client did
//                                       meanwhile (a body given up on lands after its retry); the log entry ends
//                                       with the server's status. With cutAfterBytes: N, only the first N bytes
//                                       reach the server, then that connection is reset (a stale attempt that
//                                       dies mid-body after the server registered it: Garage then holds an
//                                       unfinished newest version of the part, and Complete refuses InvalidPart).
//   { rewriteResponse: (body) => body } forward, then pass the server's answer on with its body (text)
//                                       rewritten: e.g. a store that leaves out what Garage says.
// Helpers for common answers: see `errors` below.
//
// Chromium resends a request by itself, once, when its connection was a reused keep-alive one and it broke
// before any answer came back (ERR_CONNECTION_RESET / closed), even after megabytes of body, even after the whole
// body was sent (resetResponse). So with the default keepAlive: true, a reset that fires on one request only
// (nth, times: 1) is usually absorbed by the browser and the page never sees it; the proxy logs both requests.
// Either match at least two requests (the resend goes out on a fresh connection, which is not retried), or
// start the proxy with keepAlive: false (every answer says Connection: close, so no connection is reused).
// Also: XHR upload progress counts bytes handed to the socket, not bytes received (7 MiB "sent" when the proxy
// had 3 MiB at the reset, on loopback).
//
// proxy.cutAll() resets every open connection (client side and upstream) at once: with Chromium's
// context.setOffline(true) (which does not touch requests already in flight) it takes the network away.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Transform, pipeline } from 'node:stream';

const EXPOSE = 'ETag, Date, x-amz-request-id';
// How long a held body cut short (holdMs + cutAfterBytes) stays open after its bytes went out: time for the server
// to read them and record the attempt before the connection breaks.
const CUT_GRACE_MS = 500;

/** Ready-made `respond` bodies for the S3 errors clients must survive. */
export const errors = {
  internalError: () => ({ status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' }),
  slowDown: () => ({ status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' }),
  requestTimeout: () => ({ status: 400, code: 'RequestTimeout',
    message: 'Your socket connection to the server was not read from or written to within the timeout period.' }),
  // serverTime: the clock the client must adopt (default: 20 minutes ahead of ours). Date header carries it too.
  requestTimeTooSkewed: (serverTime = new Date(Date.now() + 20 * 60_000)) => ({
    status: 403, code: 'RequestTimeTooSkewed',
    message: 'The difference between the request time and the current time is too large.',
    extraXml: `<RequestTime>${new Date().toISOString()}</RequestTime><ServerTime>${serverTime.toISOString()}</ServerTime>`
      + '<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>',
    headers: { Date: serverTime.toUTCString() },
  }),
  expiredToken: () => ({ status: 400, code: 'ExpiredToken', message: 'The provided token has expired.' }),
  accessDenied: () => ({ status: 403, code: 'AccessDenied', message: 'Access Denied' }),
  operationAborted: () => ({ status: 409, code: 'OperationAborted',
    message: 'A conflicting conditional operation is currently in progress against this resource. Please try again.' }),
  badDigest: () => ({ status: 400, code: 'BadDigest', message: 'The Content-MD5 or checksum value that you specified did not match what the server received.' }),
  noSuchUpload: () => ({ status: 404, code: 'NoSuchUpload',
    message: 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.' }),
};

/**
 * The S3 action of a request, from method, path and query (path-style addressing: /bucket/key).
 * Returns { action, partNumber?, uploadId?, bucket?, key? }.
 */
export function classify(method, url) {
  const u = new URL(url, 'http://x');
  const q = u.searchParams;
  const [, bucket = '', ...rest] = u.pathname.split('/');
  const key = rest.length ? decodeURIComponent(rest.join('/')) : '';
  const out = { bucket: decodeURIComponent(bucket), key, uploadId: q.get('uploadId') ?? undefined };
  const pick = (action) => ({ action, ...out });
  if (method === 'OPTIONS') return pick('Preflight');
  if (q.has('uploads')) {
    if (method === 'POST') return pick('CreateMultipartUpload');
    if (method === 'GET') return pick('ListMultipartUploads');
  }
  if (q.has('uploadId')) {
    if (method === 'PUT' && q.has('partNumber')) return { ...pick('UploadPart'), partNumber: Number(q.get('partNumber')) };
    if (method === 'POST') return pick('CompleteMultipartUpload');
    if (method === 'DELETE') return pick('AbortMultipartUpload');
    if (method === 'GET') return pick('ListParts');
  }
  if (!key) {
    if (method === 'HEAD') return pick('HeadBucket');
    if (method === 'GET') return pick(q.has('cors') ? 'GetBucketCors' : 'ListObjects');
    if (method === 'PUT') return pick(q.has('cors') ? 'PutBucketCors' : 'CreateBucket');
    return pick(`Bucket${method[0]}${method.slice(1).toLowerCase()}`);
  }
  if (method === 'HEAD') return pick('HeadObject');
  if (method === 'GET') return pick('GetObject');
  if (method === 'PUT') return pick('PutObject');
  if (method === 'DELETE') return pick('DeleteObject');
  if (method === 'POST' && q.has('delete')) return pick('DeleteObjects');
  return pick(`Other${method}`);
}

// SigV4 request time (20260102T030405Z) from the X-Amz-Date header or a presigned URL's query; ms or undefined.
function amzDateMs(headers, url) {
  const text = headers['x-amz-date'] ?? new URL(url, 'http://x').searchParams.get('X-Amz-Date');
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(text ?? '');
  return m ? Date.UTC(m[1], m[2] - 1, m[3], m[4], m[5], m[6]) : undefined;
}

const emptyCounts = () => ({ requests: 0, bytesIn: 0, completed: 0, faulted: 0 });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const oneOf = (want, value) => want === undefined || (Array.isArray(want) ? want.includes(value) : want === value);
const keyMatches = (want, key) => want === undefined || (want instanceof RegExp ? want.test(key) : want === key);
const xmlEscape = (s) => String(s).replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The CORS headers of an answer the proxy makes itself for this request. */
export const corsHeaders = (req) => ({ 'Access-Control-Allow-Origin': req.headers.origin ?? '*', 'Access-Control-Expose-Headers': EXPOSE, Vary: 'Origin' });

/** An S3 error document. */
export const errorXml = (code, message, extraXml = '') => '<?xml version="1.0" encoding="UTF-8"?>\n'
  + `<Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message ?? code)}</Message>${extraXml}</Error>`;

/**
 * Starts the proxy on 127.0.0.1 (a free port unless given). `target`: the S3 server's base URL.
 * keepAlive: false makes every answer close its connection (see above: no silent browser resends).
 * profile: answers as another store would where it differs from the target, e.g. awsProfile() (./aws-profile.mjs):
 * { intercept(req, res, info, fault, entry) → true when it answered instead of the target,
 *   answer(req, res, info, upRes, fault, entry) → true when it passed the target's answer on itself }.
 */
export async function startFaultProxy({ target, port = 0, keepAlive = true, profile }) {
  const upstream = new URL(target);
  if (upstream.protocol !== 'http:') throw new Error(`fault proxy: only http targets, got ${target}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  // A socket to the server that a fault reset can still finish a pending write with EPIPE after http has let go of
  // it (no request listens any more): an 'error' with no listener would crash the test process. Requests keep
  // hearing their own socket's errors through http's listener.
  const createConnection = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => createConnection(options, callback)?.on('error', () => {});
  const started = performance.now();
  const now = () => Math.round((performance.now() - started) * 10) / 10;

  let ruleList = [];
  let counts, parts, log;
  // Requests from before a resetStats() (e.g. one held by a long stall) must not count in the new stats.
  let generation = 0;
  const resetStats = () => { counts = {}; parts = {}; log = []; generation += 1; };
  resetStats();

  // Bumps requests/bytesIn/completed/faulted for the action and, for UploadPart, the part number.
  const bump = (entry, field, n = 1) => {
    if (entry.generation !== generation) return;
    (counts[entry.action] ??= emptyCounts())[field] += n;
    if (entry.partNumber !== undefined) (parts[entry.partNumber] ??= emptyCounts())[field] += n;
  };

  const chooseFault = (info) => {
    let chosen;
    for (const rule of ruleList) {
      const m = rule.match ?? {};
      if (!oneOf(m.action, info.action) || !oneOf(m.partNumber, info.partNumber) || !keyMatches(m.key, info.key)) continue;
      if (m.skewedOverMs !== undefined && !(Math.abs((info.amzDate ?? Date.now()) - Date.now()) > m.skewedOverMs)) continue;
      if (m.when && !m.when(info)) continue;
      rule.seen += 1;
      if (chosen) continue; // count the match, but the first firing rule wins
      const first = m.nth ?? 1;
      const times = m.times ?? (m.nth !== undefined ? 1 : Infinity);
      if (rule.seen >= first && rule.fired < times) {
        rule.fired += 1;
        chosen = rule.fault;
      }
    }
    return chosen;
  };

  const sockets = new Set();
  // Requests not finished yet: { finish, cut } each, for cutAll().
  const active = new Set();
  const server = http.createServer({ keepAliveTimeout: 30_000, requestTimeout: 0, headersTimeout: 60_000 });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (req, res) => {
    handle(req, res).catch((err) => {
      console.error('fault proxy:', err);
      req.socket.destroy();
    });
  });

  async function handle(req, res) {
    const info = { ...classify(req.method, req.url), amzDate: amzDateMs(req.headers, req.url), headers: req.headers };
    let fault = chooseFault(info);
    if (typeof fault?.respond === 'function') fault = { ...fault, respond: fault.respond(info) };
    const entry = {
      t: now(), action: info.action, partNumber: info.partNumber, uploadId: info.uploadId, key: info.key,
      method: req.method, status: null, errorCode: null, outcome: 'pending', bytesIn: 0, fault: fault ? describe(fault) : null, tEnd: null,
      tFirstByte: null, tLastByte: null,
    };
    Object.defineProperty(entry, 'generation', { value: generation }); // not in stats()
    log.push(entry);
    bump(entry, 'requests');
    if (fault) bump(entry, 'faulted');
    let finished = false;
    let upReq;
    const tracked = {
      finish: (outcome) => finish(outcome),
      cut() {
        finish('cut');
        req.socket.resetAndDestroy();
        if (upReq?.socket) upReq.socket.resetAndDestroy();
        upReq?.destroy();
      },
    };
    active.add(tracked);
    const finish = (outcome, status = entry.status) => {
      if (finished) return;
      finished = true;
      active.delete(tracked);
      entry.outcome = outcome;
      entry.status = status;
      entry.tEnd = now();
      if (outcome === 'ok' && status >= 200 && status < 300) bump(entry, 'completed');
    };
    if (!keepAlive) res.shouldKeepAlive = false; // answers carry Connection: close
    // (Not res.writableFinished: Node reports true for an answer never written when the socket is destroyed.)
    let answered = false;
    res.once('finish', () => { answered = true; });
    res.once('close', () => finish(answered ? 'ok' : 'client-closed'));

    // Counts the body bytes as they arrive from the client, before any fault touches them.
    const counter = new Transform({
      transform(chunk, _enc, cb) {
        entry.bytesIn += chunk.length;
        entry.tLastByte = now();
        entry.tFirstByte ??= entry.tLastByte;
        bump(entry, 'bytesIn', chunk.length);
        cb(null, chunk);
      },
    });

    if (fault?.latencyMs) {
      await sleep(fault.latencyMs);
      if (req.destroyed || res.destroyed) return finish('client-closed');
    }

    if (fault?.respond) {
      pipeline(req, counter, (err) => {
        if (err) return finish('client-closed');
        const r = fault.respond;
        const requestId = randomBytes(8).toString('hex').toUpperCase();
        const body = req.method === 'HEAD' ? '' : errorXml(r.code, r.message, `${r.extraXml ?? ''}<RequestId>${requestId}</RequestId>`);
        entry.status = r.status;
        entry.errorCode = r.code;
        res.writeHead(r.status, {
          'Content-Type': 'application/xml',
          'Content-Length': Buffer.byteLength(body),
          Date: new Date().toUTCString(),
          'x-amz-request-id': requestId,
          ...corsHeaders(req),
          ...r.headers,
        });
        res.end(body);
      });
      counter.resume();
      return;
    }
    // A store profile answers what it answers differently from the server behind (./aws-profile.mjs).
    if (profile?.intercept(req, res, info, fault, entry)) {
      req.pipe(counter).resume();
      return;
    }

    const resetBoth = (upReq) => {
      finish('reset');
      req.socket.resetAndDestroy();
      if (upReq?.socket) upReq.socket.resetAndDestroy();
      upReq?.destroy();
    };

    if (fault?.resetAfterBytes === 0) return resetBoth(null);
    if (fault?.holdMs !== undefined) {
      const chunks = [];
      req.on('error', () => {});
      req.pipe(counter).on('data', (c) => chunks.push(c)).once('end', async () => {
        await sleep(fault.holdMs);
        const late = http.request({ host: upstream.hostname, port: upstream.port || 80, method: req.method, path: req.url,
          headers: req.rawHeaders, setHost: false, agent }, (upRes) => {
          upRes.resume();
          // The client has usually given up by now (finished 'client-closed'): the entry still says what the server did.
          upRes.once('end', () => Object.assign(entry, { outcome: 'held', status: upRes.statusCode, tEnd: now() }));
        });
        // `on`, not `once`: a held body delivered as the server or the proxy goes away can fail twice (EPIPE after a reset).
        late.on('error', () => {
          if (entry.outcome !== 'held-cut') Object.assign(entry, { outcome: 'upstream-error', tEnd: now() });
        });
        const body = Buffer.concat(chunks);
        if (fault.cutAfterBytes === undefined) return late.end(body);
        // Content-Length still says the whole body: the server waits for the rest, takes what came, then loses it.
        late.write(body.subarray(0, fault.cutAfterBytes));
        await sleep(CUT_GRACE_MS);
        Object.assign(entry, { outcome: 'held-cut', tEnd: now() });
        late.socket?.resetAndDestroy();
        late.destroy();
      });
      return;
    }

    upReq = http.request({
      host: upstream.hostname,
      port: upstream.port || 80,
      method: req.method,
      path: req.url,
      headers: req.rawHeaders, // the same headers, same case, same order, Host included
      setHost: false,
      agent,
    });
    const faultStage = bodyFault(fault, () => resetBoth(upReq), () => req.destroyed);

    upReq.on('response', (upRes) => {
      entry.status = upRes.statusCode;
      if (fault?.resetResponse) {
        upRes.resume();
        upRes.once('end', () => resetBoth(null));
        return;
      }
      if (profile?.answer(req, res, info, upRes, fault, entry)) return;
      // Connection management is ours (hop-by-hop): drop the server's Connection/Keep-Alive headers.
      const headers = [];
      for (let i = 0; i < upRes.rawHeaders.length; i += 2) {
        if (!/^(connection|keep-alive)$/i.test(upRes.rawHeaders[i])) headers.push(upRes.rawHeaders[i], upRes.rawHeaders[i + 1]);
      }
      if (fault?.rewriteResponse) {
        const chunks = [];
        upRes.on('data', (chunk) => chunks.push(chunk));
        upRes.once('end', () => {
          const body = Buffer.from(fault.rewriteResponse(Buffer.concat(chunks).toString('utf8')));
          const kept = [];
          for (let i = 0; i < headers.length; i += 2) {
            if (!/^content-length$/i.test(headers[i])) kept.push(headers[i], headers[i + 1]);
          }
          res.writeHead(upRes.statusCode, upRes.statusMessage, [...kept, 'Content-Length', String(body.length)]);
          res.end(body);
        });
        return;
      }
      res.writeHead(upRes.statusCode, upRes.statusMessage, headers);
      if (upRes.statusCode < 400) return pipeline(upRes, res, () => {});
      // An error answer: note S3's error code (<Code>) in the log as it passes.
      let head = '';
      const tap = new Transform({
        transform(chunk, _enc, cb) {
          if (head.length < 4096) head += chunk.toString('utf8', 0, Math.min(chunk.length, 4096));
          entry.errorCode ??= /<Code>([^<]*)<\/Code>/.exec(head)?.[1] ?? null;
          cb(null, chunk);
        },
      });
      pipeline(upRes, tap, res, () => {});
    });
    upReq.on('error', (err) => {
      if (finished) return;
      if (entry.status !== null) {
        // The server answered early (say 403 before reading a part) and closed: the answer is on its way
        // to the client; swallow the rest of the body as the server would.
        src.unpipe(upReq);
        src.resume();
        return;
      }
      if (!res.headersSent) {
        res.writeHead(502, { 'Content-Type': 'text/plain', 'Access-Control-Allow-Origin': req.headers.origin ?? '*' });
        res.end(`fault proxy: upstream error: ${err.message}`);
        finish('upstream-error', 502);
      } else {
        res.destroy();
        finish('upstream-error');
      }
    });
    // Not stream.pipeline: an upstream write error must not destroy the client's request before the
    // server's answer is passed on.
    req.on('error', () => {});
    res.once('close', () => {
      if (answered) return;
      // The client went away (mid-body, or while a fault held the request): drop timers, and don't leave
      // the server waiting for the rest.
      faultStage?.destroy();
      if (!upReq.destroyed) upReq.destroy();
    });
    let src = req.pipe(counter);
    if (faultStage) src = src.pipe(faultStage);
    src.pipe(upReq);
  }

  await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  const actualPort = server.address().port;
  const url = `http://127.0.0.1:${actualPort}`;

  const copy = (o) => JSON.parse(JSON.stringify(o));
  const proxy = {
    url,
    port: actualPort,
    target,
    /** Replaces the rule list (and restarts the rules' nth/times counting). Returns the proxy. */
    rules(list) {
      ruleList = list.map((rule) => {
        if (!rule.fault) throw new Error(`fault proxy: rule without fault: ${JSON.stringify(rule)}`);
        return { match: rule.match ?? {}, fault: rule.fault, seen: 0, fired: 0 };
      });
      return proxy;
    },
    /** Rules plus how often each matched and fired. */
    activeRules: () => ruleList.map(({ match, fault, seen, fired }) => ({ match, fault, seen, fired })),
    clearRules() { ruleList = []; return proxy; },
    /**
     * { actions: { [action]: counts }, parts: { [partNumber]: counts }, log: [entry...] }, a snapshot.
     * counts: { requests, bytesIn (request body bytes received from the client), completed (2xx answers
     * passed back in full), faulted (requests a rule fired on) }.
     * log entry: { t, tEnd (ms since the proxy started), action, partNumber, uploadId, key, method,
     * status (null if none reached the client), errorCode (S3's <Code> of an error answer, else null), outcome ('ok' | 'reset' | 'client-closed' | 'upstream-error'
     * | 'cut' | 'held' (holdMs: delivered late, status is the server's) | 'held-cut' (holdMs with cutAfterBytes)
     * | 'pending'), bytesIn, tFirstByte / tLastByte (when the first / latest request-body byte arrived
     * from the client, null for none), fault (e.g. 'resetAfterBytes=1048576' or null) }, in order of arrival.
     */
    stats: () => copy({ actions: counts, parts, log }),
    /** The proxy's clock (ms since it started), the time base of the log: to mark test events in it. */
    now,
    /**
     * Resets every open connection now, both to the client and upstream (requests in flight end with outcome
     * 'cut'). Returns how many requests were cut. New connections are accepted as usual.
     */
    cutAll() {
      const cut = [...active];
      for (const request of cut) request.cut();
      for (const socket of sockets) socket.resetAndDestroy();
      return cut.length;
    },
    resetStats() { resetStats(); return proxy; },
    async stop() {
      ruleList = [];
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
      agent.destroy();
      await new Promise((resolve) => setImmediate(resolve)); // let the cut requests' log entries settle
    },
  };
  return proxy;
}

function describe(fault) {
  const text = ([k, v]) => (k === 'respond' ? `respond=${v.status} ${v.code}` : typeof v === 'function' ? k : `${k}=${v}`);
  return Object.entries(fault).map(text).join(',');
}

// A Transform applying the body faults, or null when the body passes untouched.
function bodyFault(fault, reset, clientGone) {
  if (!fault) return null;
  if (fault.resetAfterBytes !== undefined) {
    const limit = fault.resetAfterBytes;
    let passed = 0;
    let fired = false;
    return new Transform({
      transform(chunk, _enc, cb) {
        if (fired) return cb();
        if (passed + chunk.length < limit) {
          passed += chunk.length;
          return cb(null, chunk);
        }
        fired = true;
        this.push(chunk.subarray(0, limit - passed));
        passed = limit;
        cb();
        setImmediate(reset);
      },
    });
  }
  if (fault.stallMs !== undefined) {
    const after = fault.afterBytes ?? 0;
    let passed = 0;
    let stalled = false;
    let timer;
    const stall = (cb) => {
      stalled = true;
      timer = setTimeout(() => { timer = undefined; if (!clientGone()) cb(); }, fault.stallMs);
    };
    return new Transform({
      transform(chunk, _enc, cb) {
        if (stalled || passed + chunk.length < after) {
          passed += chunk.length;
          return cb(null, chunk);
        }
        const head = chunk.subarray(0, after - passed);
        const tail = chunk.subarray(after - passed);
        passed += chunk.length;
        if (head.length) this.push(head);
        stall(() => cb(null, tail));
      },
      flush(cb) {
        if (stalled) return cb();
        stall(cb);
      },
      destroy(err, cb) {
        clearTimeout(timer);
        cb(err);
      },
    });
  }
  if (fault.bandwidth !== undefined) {
    const bps = fault.bandwidth;
    const slice = Math.max(1, Math.floor(bps / 20)); // ~20 sends a second
    let sent = 0;
    let start;
    let timer;
    let gone = false;
    return new Transform({
      async transform(chunk, _enc, cb) {
        start ??= performance.now();
        for (let off = 0; off < chunk.length; off += slice) {
          const piece = chunk.subarray(off, off + slice);
          const due = start + ((sent + piece.length) / bps) * 1000;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => { timer = setTimeout(resolve, wait); });
          if (gone) return;
          sent += piece.length;
          this.push(piece);
        }
        cb();
      },
      destroy(err, cb) {
        gone = true;
        clearTimeout(timer);
        cb(err);
      },
    });
  }
  if (fault.flipByteAt !== undefined) {
    const at = fault.flipByteAt;
    let passed = 0;
    return new Transform({
      transform(chunk, _enc, cb) {
        if (at >= passed && at < passed + chunk.length) {
          chunk = Buffer.from(chunk);
          chunk[at - passed] ^= 0xff;
        }
        passed += chunk.length;
        cb(null, chunk);
      },
    });
  }
  return null; // latencyMs / resetResponse only
}

/**
 * Parts sent again after S3 had confirmed them (a 2xx answer passed back in full): from a stats() snapshot,
 * every later UploadPart request (started after that answer) for the same uploadId and part number, but for the
 * library's one exception: once per part, a part sent more than once before that confirmation may be sent again
 * after a CompleteMultipartUpload refused as InvalidPart (its stale attempt may be what S3 holds now).
 * Returns [{ uploadId, partNumber, confirmedAt, resentAt }]; empty is what tests want.
 */
export function partsResentAfterConfirmation(stats) {
  const confirmed = new Map(); // `${uploadId} ${partNumber}` -> tEnd of the first confirmation
  const out = [];
  const parts = stats.log.filter((e) => e.action === 'UploadPart');
  const id = (e) => `${e.uploadId} ${e.partNumber}`;
  for (const e of parts) {
    if (e.outcome === 'ok' && e.status >= 200 && e.status < 300) {
      if (!confirmed.has(id(e)) || confirmed.get(id(e)) > e.tEnd) confirmed.set(id(e), e.tEnd);
    }
  }
  const refusals = stats.log.filter((e) => e.action === 'CompleteMultipartUpload' && e.errorCode === 'InvalidPart' && e.tEnd !== null);
  const excused = new Set();
  for (const e of parts) {
    const at = confirmed.get(id(e));
    if (at === undefined || e.t < at) continue;
    const sentTwice = parts.filter((o) => id(o) === id(e) && o.t < at).length > 1;
    const refused = refusals.some((c) => c.uploadId === e.uploadId && c.tEnd > at && c.tEnd <= e.t);
    if (sentTwice && refused && !excused.has(id(e))) {
      excused.add(id(e));
      continue;
    }
    out.push({ uploadId: e.uploadId, partNumber: e.partNumber, confirmedAt: at, resentAt: e.t });
  }
  return out;
}
