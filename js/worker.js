// Worker mode, inside the worker: runs the engine here and talks to js/worker-engine.js on the page. The page keeps
// the app's callbacks; `credentials` and `sign` are asked for over postMessage and answered with `answer`.
import { localEngine } from './engine.js';
import { errorFields } from './errors.js';

let engine = null;
const tasks = new Map();
const calls = new Map();
let nextCall = 0;

function ask(name, arg) {
  const call = nextCall++;
  postMessage({ type: 'call', call, name, arg });
  return new Promise((resolve, reject) => calls.set(call, { resolve, reject }));
}

const handlers = {
  create({ options, signs }) {
    const callbacks = signs ? { sign: (request) => ask('sign', request) } : { credentials: () => ask('credentials') };
    engine = localEngine({ ...options, ...callbacks });
  },
  start({ id, file, uploadOptions }) {
    const task = engine.start(file, uploadOptions, (kind, event) => postMessage({ type: 'event', id, kind, event }));
    tasks.set(id, task);
    task.done.then(
      (result) => postMessage({ type: 'done', id, result }),
      (error) => postMessage({ type: 'done', id, error: errorFields(error) }),
    ).finally(() => tasks.delete(id));
  },
  command({ id, command }) {
    tasks.get(id)?.[command]();
  },
  answer({ call, value, error }) {
    const pending = calls.get(call);
    calls.delete(call);
    if (error) pending?.reject(Object.assign(new Error(error.message), { name: error.name }));
    else pending?.resolve(value);
  },
};

self.onmessage = ({ data }) => handlers[data.type](data);
