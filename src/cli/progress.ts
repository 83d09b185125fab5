// The live progress line on a terminal's stderr: files done/total, findings, elapsed,
// and an ETA once it can be trusted. It owns its line: drawn with \r and erase-to-end-of-
// line, cut to the terminal's width (a wrapped line would leave a stale row behind on
// every redraw), and cleared before any other text reaches the terminal: stderr text goes
// through `note`, and the caller calls `clear` before writing to a stdout that is the
// same terminal (src/cli/batch.ts).
interface ProgressSink {
  write(text: string): void;
  /** The terminal's width in columns, read at each redraw (it may be resized); undefined = unknown. */
  columns?(): number | undefined;
}

const DELAY_MS = 300;
/**
 * No ETA before this share of the files is done and this much time has passed: worker
 * start-up and the first packages say little about the rest (an early estimate was 4m47s
 * for a 15 s run), so the line shows none rather than a wrong one.
 */
const ETA_MIN_SHARE = 0.2;
const ETA_MIN_MS = 3000;

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  return m ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class Progress {
  private done = 0;
  private findings = 0;
  private shown = false;
  private lastDraw = 0;
  /** When the first file finished: the rate is measured from there, without start-up. */
  private firstDone = -1;
  private readonly start: number;

  constructor(
    private readonly sink: ProgressSink,
    private readonly total: number,
    private readonly enabled: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.start = now();
  }

  /** One more file finished, with n findings. */
  tick(findings: number): void {
    this.done++;
    this.findings += findings;
    if (!this.enabled) return;
    const t = this.now();
    if (this.firstDone < 0) this.firstDone = t;
    // Quick runs show no line at all: nothing flickers, and short outputs stay clean.
    if (t - this.start < DELAY_MS) return;
    if (t - this.lastDraw >= 100 || this.done === this.total) this.draw(t);
  }

  line(t = this.now()): string {
    const elapsed = t - this.start;
    const pct = this.total ? Math.floor((this.done / this.total) * 100) : 100;
    let eta = '';
    if (this.done < this.total && this.done > 1 && this.done >= this.total * ETA_MIN_SHARE && elapsed >= ETA_MIN_MS) {
      const rate = (t - this.firstDone) / (this.done - 1);
      eta = `, ETA ${clock(rate * (this.total - this.done))}`;
    }
    return `gopitfix: ${this.done}/${this.total} files (${pct}%), ${this.findings} finding${this.findings === 1 ? '' : 's'}, ${clock(elapsed)} elapsed${eta}`;
  }

  private draw(t: number): void {
    this.lastDraw = t;
    let text = this.line(t);
    // One column short of the width: writing the last column makes some terminals wrap.
    const cols = this.sink.columns?.();
    if (cols && cols > 1 && text.length > cols - 1) text = text.slice(0, cols - 1);
    this.sink.write(`\r${text}\x1b[K`);
    this.shown = true;
  }

  /** Erase the line if it is shown (before other text reaches the terminal); the next tick redraws it. */
  clear(): void {
    if (this.shown) {
      this.sink.write('\r\x1b[K');
      this.shown = false;
      this.lastDraw = 0;
    }
  }

  /** Print other stderr text without tearing the progress line. */
  note(text: string): void {
    this.clear();
    this.sink.write(text);
  }

  /** Remove the line for good. */
  finish(): void {
    this.clear();
  }
}
