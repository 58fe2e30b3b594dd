// The object options the demo's fields give: metadata as "name=value" pairs separated by ";" (S3 stores them as
// x-amz-meta-<name>), and a Content-Disposition with the file's own name (any characters: RFC 6266 filename*).
import { contentDisposition } from 'resumable-s3';

export function objectOptions(file, { metadata, disposition }) {
  const options = {};
  const pairs = metadata.split(';').map((pair) => pair.trim()).filter(Boolean);
  // A pair without "=" is kept as a name with an empty value: the library says what is wrong with it, if anything.
  if (pairs.length) {
    options.metadata = Object.fromEntries(pairs.map((pair) => {
      const [name, value = ''] = pair.split(/=(.*)/s);
      return [name.trim(), value.trim()];
    }));
  }
  if (disposition) options.contentDisposition = contentDisposition(file.name, disposition);
  return options;
}
