// Files from the picker, or dropped anywhere on the page (the drop zone lights up while files are dragged over
// the page, so a drop next to it does not make the browser open the file instead).

const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');

/** Calls onFiles(File[]) for every choice or drop of one or more files. */
export function acceptFiles({ zone, input, onFiles }) {
  let depth = 0; // dragenter/dragleave pairs: leaving a child element is not leaving the page
  const setOver = (over) => zone.classList.toggle('over', over);

  input.addEventListener('change', () => {
    onFiles([...input.files]);
    input.value = ''; // choosing the same file again fires `change` again
  });
  document.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    depth += 1;
    setOver(true);
  });
  document.addEventListener('dragleave', (event) => {
    if (!hasFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) setOver(false);
  });
  document.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  });
  document.addEventListener('drop', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    setOver(false);
    onFiles([...event.dataTransfer.files]);
  });
  input.disabled = false;
}
