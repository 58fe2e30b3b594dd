// @aws-sdk/lib-storage `Upload` (bench/pages/lib-storage.js): parts are read from File.stream() into byte arrays
// and sent with fetch; the SDK's default request checksum (CRC32 per part) is on.
import { benchPagePeer } from './bench-page.mjs';

export default benchPagePeer('lib-storage');
