// When the watcher rebuilds: file events are coalesced (a short quiet period on top of
// chokidar's awaitWriteFinish), edits that arrive during a build go into the next one, a due
// check runs when nothing else is pending, and every build — file-triggered, reload(), the
// start-up check — runs one at a time.

/** The builds the scheduler starts. */
export interface ScheduledWork {
  /** Rebuild for `files` (changed since `since`, a performance.now() time). */
  build(files: string[], since: number): Promise<unknown>;
  /** Look for changes that gave no event (see ProjectWatcher's check). */
  check(): Promise<unknown>;
  /** False while nothing is loaded: a due check waits for the first load. */
  canCheck(): boolean;
}

export class RebuildScheduler {
  #pending = new Set<string>();
  #pendingSince: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lock: Promise<unknown> = Promise.resolve();
  #loopRunning = false;
  #stopped = false;
  /**
   * Set when inputs may have changed without a file event reaching us: edits during the first
   * build (before the file watcher ran) or to files first watched after a build. The next idle
   * moment runs a check.
   */
  #checkDue = false;

  constructor(
    private readonly debounceMs: number,
    private readonly work: ScheduledWork,
  ) {}

  /** A watched file changed: rebuild once files stop arriving together. */
  fileChanged(file: string): void {
    if (this.#stopped) return;
    this.#pending.add(file);
    this.#pendingSince ??= performance.now();
    if (this.#timer) clearTimeout(this.#timer);
    // awaitWriteFinish already waited for this file to settle; this short window coalesces
    // files saved together (several buffers, a checkout) into one rebuild
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.kick();
    }, Math.min(this.debounceMs, 10));
  }

  /** Runs a check at the next idle moment. */
  checkSoon(): void {
    this.#checkDue = true;
    this.kick();
  }

  /** Runs `fn` after every build started before it (and before any started after it). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  /** Settles when the build in progress (if any) is over. */
  idle(): Promise<unknown> {
    return this.#lock.catch(() => undefined);
  }

  /** Drops pending work; nothing new starts. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }

  /** Starts the build loop unless it runs. */
  kick(): void {
    if (this.#loopRunning || this.#stopped) return;
    this.#loopRunning = true;
    void this.exclusive(async () => {
      try {
        // edits arriving during a build are coalesced into the next one, after their own quiet period
        for (;;) {
          if (this.#stopped) break;
          if (this.#pending.size > 0 && this.#timer === undefined) {
            const files = [...this.#pending];
            const since = this.#pendingSince ?? performance.now();
            this.#pending.clear();
            this.#pendingSince = undefined;
            // a rebuild looks at every library's inputs: it covers a due check
            if (this.work.canCheck()) this.#checkDue = false;
            await this.work.build(files, since);
          } else if (this.#checkDue && this.#pending.size === 0 && this.work.canCheck()) {
            this.#checkDue = false;
            await this.work.check();
          } else break;
        }
      } finally {
        this.#loopRunning = false;
      }
    });
  }
}
