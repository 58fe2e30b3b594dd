import { useEffect, useRef, useState } from 'react';
import { Uploader } from 'resumable-s3';
import UploadFile from './UploadFile.jsx';

async function getJson(url) {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.json();
}

export default function App() {
  // { uploader, prefix } once /config has answered: nothing to render, so a ref; `ready` is what the page shows.
  const target = useRef(null);
  const nextId = useRef(0);
  const [ready, setReady] = useState(false);
  const [problem, setProblem] = useState('');
  const [uploads, setUploads] = useState([]); // { id, handle }

  useEffect(() => {
    let created;
    let gone = false;
    // Your backend (e.g. examples/server): GET /config → { endpoint, region, bucket, prefix?, forcePathStyle?,
    // other Uploader options… }; GET /credentials → temporary keys to write under the prefix (asked again
    // before they expire).
    getJson('/config').then(({ prefix = 'uploads/', ...options }) => {
      if (gone) return;
      created = new Uploader({ ...options, credentials: () => getJson('/credentials') });
      target.current = { uploader: created, prefix };
      setReady(true);
    }, (error) => gone || setProblem(`Not ready: ${error.message}`));
    // Pauses what is still running: finished parts stay on the server, and choosing the same file again resumes.
    return () => {
      gone = true;
      created?.destroy();
      target.current = null;
      setReady(false);
    };
  }, []);

  // Uploads start from the event, not from an effect: StrictMode runs effects twice in development.
  const choose = (event) => {
    const { uploader, prefix } = target.current;
    const started = [...event.target.files].map((file) =>
      ({ id: nextId.current++, handle: uploader.start(file, { key: prefix + file.name }) }));
    setUploads((list) => [...list, ...started]);
    event.target.value = ''; // the same file can be chosen again
  };

  return (
    <>
      <h1>Upload to S3</h1>
      <input type="file" multiple disabled={!ready} onChange={choose} />
      {problem && <p className="error">{problem}</p>}
      <ul>
        {uploads.map(({ id, handle }) => <UploadFile key={id} handle={handle} />)}
      </ul>
    </>
  );
}
