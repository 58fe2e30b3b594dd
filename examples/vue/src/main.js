import { createApp } from 'vue';
import App from './App.vue';

// The button outside the app unmounts it (its Uploader is destroyed: uploads stop, and resume when the same file is
// chosen again after mounting it anew) and mounts it again.
const toggle = document.getElementById('mount');
let app = null;
function mount() {
  app = createApp(App);
  app.mount('#app');
  toggle.textContent = 'Unmount';
}
toggle.onclick = () => {
  if (!app) return mount();
  app.unmount();
  app = null;
  toggle.textContent = 'Mount';
};
mount();
