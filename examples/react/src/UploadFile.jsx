import { useUpload } from 'resumable-s3/react';

function describe({ state, errorCode, nextTryAt }, { speed, etaSeconds }) {
  if (state === 'retrying') return `retrying at ${new Date(nextTryAt).toLocaleTimeString()} (${errorCode})`;
  if (state !== 'uploading' || !speed) return state;
  return `uploading, ${(speed / 1e6).toFixed(1)} MB/s, ${Math.ceil(etaSeconds)} s left`;
}

// One file's upload: the UploadHandle that uploader.start() returned. useUpload re-renders it on progress and state
// events and stops listening when it unmounts.
export default function UploadFile({ handle }) {
  const { progress, state, result, error, pause, resume, cancel } = useUpload(handle);
  const running = !['done', 'failed', 'cancelling'].includes(state.state);
  return (
    <li data-state={state.state}>
      <strong>{handle.key}</strong>
      <progress max={1} value={progress.totalBytes ? progress.bytesSent / progress.totalBytes : 1} />
      <span className="state">{describe(state, progress)}</span>
      {state.state === 'paused'
        ? <button onClick={resume}>Resume</button>
        : running && <button onClick={pause}>Pause</button>}
      {running && <button onClick={cancel}>Cancel</button>}
      {result && (
        <p className="result">
          {result.size} bytes at <a href={result.location}>{result.location}</a>
          {' '}({result.alreadyUploaded ? 'already there' : `CRC-64/NVME ${result.checksum}`}
          {result.resumedParts > 0 && `, ${result.resumedParts} parts resumed`})
        </p>
      )}
      {error && <p className="error">{error.code ?? error.name}: {error.message}</p>}
    </li>
  );
}
