// Every entry as its README section uses it. Each @ts-expect-error is a misuse the types must reject: if an
// entry's types failed to resolve (and became `any`), that line would compile and tsc would fail on it.
import { Uploader, type UploadHandle, type UploadResult } from 'resumable-s3';
import * as react from 'resumable-s3/react';
import * as vue from 'resumable-s3/vue';
import ResumableS3 from 'resumable-s3/uppy';
import Uppy from '@uppy/core';
import { ref, type ShallowRef } from 'vue';

const options = { endpoint: 'http://127.0.0.1:3900', region: 'garage', bucket: 'b', credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 's' }) };

// React
const uploader: Uploader | null = react.useUploader(options);
const handle: UploadHandle | undefined = uploader?.start(new Blob(['x']), { key: 'k' });
const upload = react.useUpload(handle);
const sent: number | undefined = upload.progress?.bytesSent;
const result: UploadResult | null = upload.result;
const code: string | undefined = upload.error?.code;
upload.pause(); upload.resume(); upload.cancel();
// @ts-expect-error: a state's name is one of the documented ones
if (upload.state?.state === 'stalled') console.log('never');
// @ts-expect-error: credentials or sign, not neither
react.useUploader({ endpoint: 'e', region: 'r', bucket: 'b' });

// Vue
const vueUploader: ShallowRef<Uploader | null> = vue.useUploader(ref(options));
vue.useUploader(() => null);
const vueUpload = vue.useUpload(() => vueUploader.value?.uploads[0]);
const progress = vueUpload.progress.value;
const fraction: number | null = progress && progress.bytesSent / progress.totalBytes;
vueUpload.cancel();
// @ts-expect-error: a handle, not a file
vue.useUpload(new Blob(['x']));

// Uppy
const uppy = new Uppy().use(ResumableS3, { ...options, getKey: (file) => `uploads/${file.name}` });
const plugin = uppy.getPlugin<ResumableS3<any, any>>('ResumableS3');
const shared: Uploader | null | undefined = plugin?.uploader;
// @ts-expect-error: the Uploader's options are required
new Uppy().use(ResumableS3, { getKey: (file) => file.name });
// @ts-expect-error: a key is a string
new Uppy().use(ResumableS3, { ...options, getKey: () => 42 });

console.log(sent, result, code, fraction, shared);
