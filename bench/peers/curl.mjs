// Raw curl of the same parts to the same server: the physical limit of this machine. CreateMultipartUpload, then
// the parts as UploadPart requests `concurrency` at a time from one `curl --parallel` (a transfer pool with
// keep-alive connections, like the browser's), UNSIGNED-PAYLOAD as resumable-s3 sends, then Complete. The parts
// are separate files of fresh random data (curl -T sends a whole file).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { MiB, settle, writeRandom } from '../lib/files.mjs';
import { childCpuSeconds, reapedChildrenCpuSeconds } from '../lib/procs.mjs';

const run = promisify(execFile);
const sha256 = (data) => createHash('sha256').update(data).digest('hex');
// curl 7.88's --aws-sigv4 sends no x-amz-content-sha256 of its own (Garage requires one); it signs the value given.
const payloadHash = (data) => ['-H', `x-amz-content-sha256: ${sha256(data)}`];

async function curl(env, args) {
  try {
    const { stdout } = await run('curl', ['-sS', '--aws-sigv4', `aws:amz:${env.garage.region}:s3`,
      '--user', `${env.garage.accessKeyId}:${env.garage.secretAccessKey}`, ...args], { maxBuffer: 16 * MiB });
    return stdout;
  } catch (err) {
    throw new Error(`curl exited with ${err.code}: ${err.stderr?.trim()}\n${err.stdout ?? ''}`.trim());
  }
}

/** Same shape as browser.mjs's timedUpload: { seconds, cpuSeconds (curl's own: it runs outside the browser), serverCpuSeconds }. */
export async function curlUpload(env, size, { key, partSize, concurrency, parts }) {
  const partFiles = [];
  for (let i = 0; i < parts; i++) {
    partFiles.push(env.file(`${key.replaceAll('/', '_')}-part${i + 1}.bin`));
    writeRandom(partFiles[i], Math.min(partSize, size - i * partSize));
  }
  const url = `${env.garage.endpoint}/${env.garage.bucket}/${key}`;
  try {
    settle();
    const cpu0 = reapedChildrenCpuSeconds();
    const server0 = childCpuSeconds('garage');
    const started = performance.now();
    const created = await curl(env, ['-X', 'POST', ...payloadHash(''), `${url}?uploads=`]); // not `?uploads`
    const uploadId = created.match(/<UploadId>([^<]+)<\/UploadId>/)?.[1];
    if (!uploadId) throw new Error(`CreateMultipartUpload failed: ${created}`);
    const partArgs = ['--parallel', '--parallel-immediate', '--parallel-max', String(concurrency),
      '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD', '-w', '%{http_code} %{url} %header{etag}\n'];
    partFiles.forEach((f, i) => partArgs.push('-T', f, '-o', '/dev/null',
      `${url}?partNumber=${i + 1}&uploadId=${encodeURIComponent(uploadId)}`));
    const partsOut = await curl(env, partArgs);
    const etags = new Map();
    for (const line of partsOut.trim().split('\n')) {
      const [status, partUrl, etag] = line.split(' ');
      const n = Number(new URL(partUrl).searchParams.get('partNumber'));
      if (status !== '200' || !etag) throw new Error(`UploadPart ${n} failed: ${line}`);
      etags.set(n, etag);
    }
    if (etags.size !== parts) throw new Error(`only ${etags.size} of ${parts} parts answered:\n${partsOut}`);
    const xml = `<CompleteMultipartUpload>${[...etags.keys()].sort((a, b) => a - b)
      .map((n) => `<Part><PartNumber>${n}</PartNumber><ETag>${etags.get(n)}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const xmlFile = env.file(`${key.replaceAll('/', '_')}-complete.xml`);
    writeFileSync(xmlFile, xml);
    const completed = await curl(env, ['-X', 'POST', ...payloadHash(xml), '-H', 'content-type: application/xml',
      '--data-binary', `@${xmlFile}`, '-w', '\n%{http_code}', `${url}?uploadId=${encodeURIComponent(uploadId)}`]);
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = reapedChildrenCpuSeconds() - cpu0;
    const serverCpuSeconds = childCpuSeconds('garage') - server0;
    if (!/<CompleteMultipartUploadResult/.test(completed) || !completed.endsWith('\n200')) {
      throw new Error(`CompleteMultipartUpload failed: ${completed}`);
    }
    await env.verify(key, size, parts);
    return { seconds, cpuSeconds, serverCpuSeconds };
  } finally {
    for (const f of partFiles) rmSync(f, { force: true });
  }
}
