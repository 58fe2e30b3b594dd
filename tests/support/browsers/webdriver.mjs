// A minimal W3C WebDriver client over HTTP (fetch), enough for the e2e page API: WebKitGTK's WebKitWebDriver has no
// BiDi, and selenium-webdriver needs Node >= 22. Commands of one session go out one at a time (a queue): the driver
// works through them in order anyway, and a test that polls while another call waits must not interleave them.

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'; // the spec's key of a web element reference

export async function createSession(driverUrl, capabilities) {
  const created = await call(driverUrl, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } });
  const base = `${driverUrl}/session/${created.sessionId}`;
  let queue = Promise.resolve();
  const send = (method, path, body) => {
    const next = queue.then(() => call(base, method, path, body));
    queue = next.catch(() => {});
    return next;
  };
  const execute = (script, args = []) => send('POST', '/execute/sync', { script, args });
  const find = async (selector) => ({ [ELEMENT]: (await send('POST', '/element', { using: 'css selector', value: selector }))[ELEMENT] });
  return {
    capabilities: created.capabilities,
    send,
    execute,
    find,
    elementId: (ref) => ref[ELEMENT],
    close: () => call(base, 'DELETE', ''),
  };
}

async function call(base, method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const { value } = await response.json();
  if (!response.ok) {
    throw new Error(`WebDriver ${method} ${path}: ${value?.error ?? response.status}: ${value?.message ?? ''}`);
  }
  return value;
}
