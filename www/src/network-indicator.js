// The network pill in the header: online/offline as the browser says (navigator.onLine and its events), and
// "waiting for network" while any upload waits for it. data-network: "online" | "offline" | "waiting".

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

export class NetworkIndicator {
  constructor(el) {
    this.el = el;
    this.text = el.querySelector('.network-text');
    this.waiting = new Set(); // handles whose last state is waiting-for-network
    window.addEventListener('online', () => this.render());
    window.addEventListener('offline', () => this.render());
    this.render();
  }

  /** Every state event of every upload (uploader.on('state', …)). */
  uploadState({ state }, handle) {
    if (state === 'waiting-for-network') this.waiting.add(handle);
    else this.waiting.delete(handle);
    this.render();
  }

  render() {
    const waiting = this.waiting.size;
    if (!navigator.onLine) {
      this.el.dataset.network = 'offline';
      this.text.textContent = waiting ? `Offline · ${plural(waiting, 'upload')} waiting` : 'Offline';
    } else if (waiting) {
      this.el.dataset.network = 'waiting';
      this.text.textContent = `Waiting for network · ${plural(waiting, 'upload')}`;
    } else {
      this.el.dataset.network = 'online';
      this.text.textContent = 'Online';
    }
  }
}
