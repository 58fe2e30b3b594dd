// A small typed-event emitter: on(type, listener) returns a function that removes the listener.
export class Emitter {
  #listeners = new Map();

  on(type, listener) {
    if (typeof listener !== 'function') throw new TypeError(`on('${type}', listener): listener must be a function`);
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(listener);
    return () => this.off(type, listener);
  }

  off(type, listener) {
    this.#listeners.get(type)?.delete(listener);
  }

  emit(type, ...args) {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) {
      try {
        listener(...args);
      } catch (error) {
        // A listener that throws must not stop the upload or the other listeners; report it like an event handler would.
        queueMicrotask(() => { throw error; });
      }
    }
  }
}
