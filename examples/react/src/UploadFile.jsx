import { useEffect, useState } from 'react';

// Progress, state and outcome of one UploadHandle, following its events while the component is mounted.
function useUpload(handle) {
  const [progress, setProgress] = useState(handle.progress);
  const [state, setState] = useState(handle.state);
  const [outcome, setOutcome] = useState({});
  useEffect(() => {
    let mounted = true;
    const stops = [handle.on('progress', setProgress), handle.on('state', setState)];
    handle.done.then((result) => mounted && setOutcome({ result }), (error) => mounted && setOutcome({ error }));
    // Catch up with events sent between the first render and this effect.
    setProgress(handle.progress);
    setState(handle.state);
    return () => {
      mounted = false;
      stops.forEach((stop) => stop());
    };
  }, [handle]);
  return { progress, state, ...outcome };
}

function describe({ state, errorCode, nextTryAt }, { speed, etaSeconds }) {
  if (state === 'retrying') return `retrying at ${new Date(nextTryAt).toLocaleTimeString()} (${errorCode})`;
  if (state !== 'uploading' || !speed) return state;
  return `uploading, ${(speed / 1e6).toFixed(1)} MB/s, ${Math.ceil(etaSeconds)} s left`;
}

export default function UploadFile({ handle }) {
  const { progress, state, result, error } = useUpload(handle);
  const running = !['done', 'failed', 'cancelling'].includes(state.state);
  return (
    <li data-state={state.state}>
      <strong>{handle.key}</strong>
      <progress max={1} value={progress.totalBytes ? progress.bytesSent / progress.totalBytes : 1} />
      <span className="state">{describe(state, progress)}</span>
      {state.state === 'paused'
        ? <button onClick={() => handle.resume()}>Resume</button>
        : running && <button onClick={() => handle.pause()}>Pause</button>}
      {running && <button onClick={() => handle.cancel()}>Cancel</button>}
      {result && (
        <p className="result">
          {result.size} bytes at <a href={result.location}>{result.location}</a>
          {' '}({result.alreadyUploaded ? 'already there' : `CRC-64/NVME ${result.checksum}`})
        </p>
      )}
      {error && <p className="error">{error.code ?? error.name}: {error.message}</p>}
    </li>
  );
}
