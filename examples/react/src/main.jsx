import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import App from './App.jsx';

// The button outside the app unmounts it (its Uploader is destroyed: uploads stop, and resume when the same file is
// chosen again after mounting it anew) and mounts it again.
const toggle = document.getElementById('mount');
let root = null;
function mount() {
  root = createRoot(document.getElementById('root'));
  root.render(<StrictMode><App /></StrictMode>);
  toggle.textContent = 'Unmount';
}
toggle.onclick = () => {
  if (!root) return mount();
  root.unmount();
  root = null;
  toggle.textContent = 'Mount';
};
mount();
