// AWS Amplify v6 Storage `uploadData` (bench/pages/amplify.js). Its only way to an http:// endpoint is
// dangerouslyConnectToHttpEndpointForTesting, fixed at http://localhost:20005 (path style), so the page is pointed
// there and a plain TCP forwarder on that port leads to Garage (started once, on first use). Amplify's part size is
// its own: 5 MiB (doubled only past 10,000 parts), 4 parts in flight.
import net from 'node:net';
import { MiB } from '../lib/files.mjs';
import { benchPagePeer } from './bench-page.mjs';

export const AMPLIFY_TEST_ENDPOINT = { host: 'localhost', port: 20005 };
export const amplifyPartSize = (size) => {
  let part = 5 * MiB;
  while (Math.ceil(size / part) > 10_000) part *= 2;
  return part;
};

let forwarder;
/** Forwards localhost:20005 to `target` (an http://host:port URL) for the rest of the process; resolves when listening. */
function forwardTestPort(target) {
  const to = new URL(target);
  forwarder ??= new Promise((resolve, reject) => {
    const server = net.createServer((client) => {
      const up = net.connect(Number(to.port), to.hostname);
      client.pipe(up).pipe(client);
      const close = () => { client.destroy(); up.destroy(); };
      client.on('error', close);
      up.on('error', close);
    });
    server.unref();
    server.once('error', reject);
    server.listen(AMPLIFY_TEST_ENDPOINT.port, '127.0.0.1', () => resolve(server));
  });
  return forwarder;
}

const page = benchPagePeer('amplify');

export default {
  ...page,
  scenarios: ['throughput', 'memory', 'slow-link'],
  /** The part count Amplify produces for `size` (its part size, not the bench's): checked on the object. */
  expectedParts: (size) => Math.ceil(size / amplifyPartSize(size)),
  async prepare(env, o) {
    await forwardTestPort(o.endpoint);
    return page.options(o);
  },
};
