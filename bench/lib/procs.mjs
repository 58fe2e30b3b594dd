// Chromium's process tree from /proc: CPU seconds (all processes) and resident memory, sampled while an upload runs.
import { readFileSync, readdirSync } from 'node:fs';

const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux (x86-64, arm64)
const PAGE = 4096;

function readStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state ppid … utime(14) stime(15) cutime(16) cstime(17), 1-based in proc(5).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
  } catch {
    return null; // gone meanwhile
  }
}

/** Every live process under (and including) `rootPid`. */
export function processTree(rootPid) {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => readStat(Number(d))).filter(Boolean);
  const children = new Map();
  for (const p of all) (children.get(p.ppid) ?? children.set(p.ppid, []).get(p.ppid)).push(p);
  const out = [];
  const queue = all.filter((p) => p.pid === rootPid);
  while (queue.length) {
    const p = queue.shift();
    out.push(p);
    queue.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

/**
 * CPU seconds (user + system) of the whole tree so far. Children that exited and were reaped count in their parent's
 * cutime/cstime (Chromium's zygote reaps its renderers), so a renderer that dies between two readings is not lost.
 */
export const treeCpuSeconds = (rootPid) => treeCpuByKind(rootPid).total;

/** The tree's CPU seconds by kind of process: { renderer, network, browser, other, total }. */
export function treeCpuByKind(rootPid) {
  const out = { renderer: 0, network: 0, browser: 0, other: 0, total: 0 };
  for (const p of processTree(rootPid)) {
    const c = cmdline(p.pid);
    const kind = p.pid === rootPid ? 'browser' : c.includes('--type=renderer') ? 'renderer'
      : c.includes('network.mojom.NetworkService') ? 'network' : 'other';
    out[kind] += p.ticks / CLK_TCK;
    out.total += p.ticks / CLK_TCK;
  }
  return out;
}

/** CPU seconds so far of this process's live children whose command line contains `name` (e.g. the Garage server). */
export function childCpuSeconds(name, parent = process.pid) {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => readStat(Number(d)))
    .filter((p) => p && p.ppid === parent && cmdline(p.pid).includes(name))
    .reduce((sum, p) => sum + p.ticks, 0) / CLK_TCK;
}

/** Own CPU seconds of a process's reaped children (e.g. curl, which this process waits for). */
export function reapedChildrenCpuSeconds(pid = process.pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / CLK_TCK;
}

const cmdline = (pid) => {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return ''; }
};
const rssBytes = (pid) => {
  try { return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE; } catch { return 0; }
};

/** Renderer processes of web pages (not Chromium's own UI renderers) in the tree. */
export const pageRenderers = (rootPid) => processTree(rootPid).map((p) => p.pid)
  .filter((pid) => { const c = cmdline(pid); return c.includes('--type=renderer') && !c.includes('--top-chrome-webui'); });

/**
 * Samples every `everyMs` until stopped: the largest RSS of the given renderer processes and of the whole tree
 * (the network service and browser process read and send Blob bodies, so their memory counts too), and the page's
 * JS heap (`heapUsage`: an async function, e.g. page.heapUsage). Returns { stop() → peaks }.
 */
export function sampleMemory({ rootPid, rendererPids, heapUsage, everyMs = 100 }) {
  const peak = { rendererRss: 0, treeRss: 0, heapUsed: 0, heapBacking: 0, samples: 0 };
  const takeRss = () => {
    peak.rendererRss = Math.max(peak.rendererRss, rendererPids.reduce((s, pid) => s + rssBytes(pid), 0));
    peak.treeRss = Math.max(peak.treeRss, processTree(rootPid).reduce((s, p) => s + rssBytes(p.pid), 0));
    peak.samples += 1;
  };
  let heapBusy = false;
  const takeHeap = async () => {
    if (heapBusy || !heapUsage) return;
    heapBusy = true;
    try {
      const h = await heapUsage();
      peak.heapUsed = Math.max(peak.heapUsed, h.usedSize);
      peak.heapBacking = Math.max(peak.heapBacking, h.backingStorageSize ?? 0); // ArrayBuffers outside the V8 heap
    } catch { /* page busy or gone */ } finally { heapBusy = false; }
  };
  takeRss();
  takeHeap();
  const timer = setInterval(() => { takeRss(); takeHeap(); }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      takeRss();
      await takeHeap();
      return peak;
    },
  };
}

/** RSS of the given processes now (bytes). */
export const rssNow = (pids) => pids.reduce((s, pid) => s + rssBytes(pid), 0);
