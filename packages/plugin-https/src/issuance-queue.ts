import { setImmediate as nextTurn } from 'node:timers/promises';

/** How many certificate issuances one client may have in flight; its others wait their turn. */
export const ISSUANCES_PER_CLIENT = 2;
/** How many new hosts' handshakes (issuing included) one client may have in flight. */
export const NEW_HOSTS_PER_CLIENT = 4;

interface ClientQueue {
  running: number;
  readonly waiting: Array<() => void>;
}

/**
 * Runs certificate issuances with at most `perClient` in flight per client address. Issuing is
 * CPU work on the proxy's thread (building the certificate, parsing the key into a TLS
 * context), so a client that opens thousands of new host names at once would otherwise hold
 * every other client's requests behind its own. Each issuance also starts on a turn of its
 * own (after pending I/O), so one event-loop turn runs at most `perClient` issuances per
 * client and other clients' sockets are served in between. Memory is one entry per client
 * with issuances running or waiting; waiting ones are bounded by the client's open
 * connections (core's per-client cap).
 */
export class IssuanceQueue {
  readonly #perClient: number;
  readonly #clients = new Map<string, ClientQueue>();

  constructor(perClient = ISSUANCES_PER_CLIENT) {
    this.#perClient = perClient;
  }

  /** How many issuances are waiting for a slot, over all clients (for tests and stats). */
  get waiting(): number {
    let total = 0;
    for (const queue of this.#clients.values()) total += queue.waiting.length;
    return total;
  }

  /**
   * Runs `task` in one of `client`'s slots. `gone` is asked once the slot is taken: a task
   * whose connection closed while it waited is not run (resolves `undefined`), so a flood
   * of connections that close at once costs no issuance at all.
   */
  async run<T>(client: string, task: () => Promise<T>, gone: () => boolean = () => false): Promise<T | undefined> {
    await this.#acquire(client);
    try {
      await nextTurn();
      if (gone()) return undefined;
      return await task();
    } finally {
      this.#release(client);
    }
  }

  /**
   * Takes one of `client`'s slots for work that ends later (a new host's handshake); resolves,
   * on a turn of its own, with the function that gives it back (safe to call twice).
   */
  async slot(client: string): Promise<() => void> {
    await this.#acquire(client);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#release(client);
    };
    try {
      await nextTurn();
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  #acquire(client: string): Promise<void> {
    let queue = this.#clients.get(client);
    if (!queue) {
      queue = { running: 0, waiting: [] };
      this.#clients.set(client, queue);
    }
    if (queue.running < this.#perClient) {
      queue.running++;
      return Promise.resolve();
    }
    const waitingQueue = queue;
    // The slot passes straight to the waiter: `running` stays counted for it.
    return new Promise((resolve) => waitingQueue.waiting.push(resolve));
  }

  #release(client: string): void {
    const queue = this.#clients.get(client)!;
    const next = queue.waiting.shift();
    if (next) return next();
    queue.running--;
    if (queue.running === 0) this.#clients.delete(client);
  }
}
