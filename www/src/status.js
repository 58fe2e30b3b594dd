// What an upload's badge says, in plain words, from the library's state and what the row has counted.

/** The library's messages may start with the code ("NoSuchBucket: …"): the code is shown on its own. */
export function withoutCode(code, message) {
  const prefix = `${code}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/**
 * state: the library's { state, nextTryAt?, errorCode? }; resumedParts/totalParts: counted from `part` events;
 * failure: { code, message } once known (the state event may come first); now: epoch ms (for the retry countdown).
 */
export function badgeText({ state, nextTryAt, errorCode }, { resumedParts, totalParts, failure, now }) {
  switch (state) {
    case 'queued': return 'Queued';
    case 'uploading': return resumedParts > 0 ? `Resumed ${resumedParts} of ${totalParts} parts` : 'Uploading';
    case 'paused': return 'Paused';
    case 'cancelling': return 'Cancelling…';
    case 'waiting-for-network': return 'Waiting for network';
    case 'waiting-for-credentials': return 'Waiting for credentials';
    case 'retrying': {
      const seconds = Math.ceil((nextTryAt - now) / 1000);
      return seconds > 0 ? `Retrying in ${seconds} s` : 'Retrying now';
    }
    case 'done': return 'Done';
    case 'failed':
      if ((failure?.code ?? errorCode) === 'Cancelled') return 'Cancelled';
      return failure ? `Failed: ${withoutCode(failure.code, failure.message)}` : 'Failed';
    default: return state;
  }
}
