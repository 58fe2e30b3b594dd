import { useEffect, useRef, useState } from 'react';
import { useUploader } from 'resumable-s3/react';
import UploadFile from './UploadFile.jsx';

async function getJson(url) {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.json();
}

export default function App() {
  const [config, setConfig] = useState(null); // { prefix, options } once /config has answered
  const [problem, setProblem] = useState('');
  const [uploads, setUploads] = useState([]); // { id, handle }
  const nextId = useRef(0);

  useEffect(() => {
    let gone = false;
    // Your backend (e.g. examples/server): GET /config → { endpoint, region, bucket, prefix?, forcePathStyle?,
    // other Uploader options… }; GET /credentials → temporary keys to write under the prefix (asked again
    // before they expire).
    getJson('/config').then(({ prefix = 'uploads/', ...options }) => {
      if (!gone) setConfig({ prefix, options: { ...options, credentials: () => getJson('/credentials') } });
    }, (error) => gone || setProblem(`Not ready: ${error.message}`));
    return () => { gone = true; };
  }, []);

  // null until the config is there; destroyed when App unmounts (running uploads stop, their finished parts stay
  // on the server, and choosing the same file again resumes).
  const uploader = useUploader(config?.options);
  // For the browser console (and the test suite, which counts listeners through it).
  useEffect(() => { window.exampleUploader = uploader; }, [uploader]);

  // Uploads start from the event, not from an effect: StrictMode runs effects twice in development.
  const choose = (event) => {
    const started = [...event.target.files].map((file) =>
      ({ id: nextId.current++, handle: uploader.start(file, { key: config.prefix + file.name }) }));
    setUploads((list) => [...list, ...started]);
    event.target.value = ''; // the same file can be chosen again
  };

  return (
    <>
      <h1>Upload to S3</h1>
      <input type="file" multiple disabled={!uploader} onChange={choose} />
      {problem && <p className="error">{problem}</p>}
      <ul>
        {uploads.map(({ id, handle }) => <UploadFile key={id} handle={handle} />)}
      </ul>
    </>
  );
}
