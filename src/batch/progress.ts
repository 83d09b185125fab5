// The live progress line on a terminal's stderr: files done/total, findings, elapsed,
// ETA. Redrawn at most every 100 ms with \r and erase-to-end-of-line; other stderr text
// goes through `note`, which clears the line first so messages never mix with it.
export interface ProgressSink {
  write(text: string): void;
}

const DELAY_MS = 300;

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
    // Quick runs show no line at all: nothing flickers, and short outputs stay clean.
    if (t - this.start < DELAY_MS) return;
    if (t - this.lastDraw >= 100 || this.done === this.total) this.draw(t);
  }

  line(t = this.now()): string {
    const elapsed = t - this.start;
    const pct = this.total ? Math.floor((this.done / this.total) * 100) : 100;
    const eta = this.done > 0 && this.done < this.total ? ` ETA ${clock((elapsed / this.done) * (this.total - this.done))}` : '';
    return `gopitfix: ${this.done}/${this.total} files (${pct}%), ${this.findings} finding${this.findings === 1 ? '' : 's'}, ${clock(elapsed)} elapsed${eta}`;
  }

  private draw(t: number): void {
    this.lastDraw = t;
    this.sink.write(`\r${this.line(t)}\x1b[K`);
    this.shown = true;
  }

  /** Print other stderr text without tearing the progress line. */
  note(text: string): void {
    if (this.shown) {
      this.sink.write('\r\x1b[K');
      this.shown = false;
      this.lastDraw = 0;
    }
    this.sink.write(text);
  }

  /** Remove the line for good. */
  finish(): void {
    if (this.shown) this.sink.write('\r\x1b[K');
    this.shown = false;
  }
}
