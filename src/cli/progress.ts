/**
 * A progress bar for long applies on a terminal. It lives on stderr, below
 * scstadmin's own lines on stdout: before each stdout line the bar is wiped
 * and after it redrawn, so the transcript itself stays byte-identical.
 */
import type { OutputSink } from './context.js';

const WIDTH = 30;
const REDRAW_MS = 50;

export class ProgressBar {
  private done = 0;
  private shown = false;
  private lastDraw = 0;

  constructor(
    private readonly err: OutputSink,
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** `out` with the bar moved out of the way of each line written. */
  around(out: OutputSink): OutputSink {
    return {
      write: (text: string) => {
        this.clear();
        out.write(text);
        this.draw(true);
      },
    };
  }

  /** One more step finished. */
  step(): void {
    this.done++;
    this.draw(this.done === this.total);
  }

  /** Removes the bar for good. */
  finish(): void {
    this.clear();
  }

  private draw(force: boolean): void {
    const now = this.now();
    if (!force && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const filled = Math.round((WIDTH * this.done) / this.total);
    this.err.write(`\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${this.done}/${this.total} changes`);
    this.shown = true;
  }

  private clear(): void {
    if (this.shown) this.err.write('\r\x1b[K');
    this.shown = false;
  }
}
