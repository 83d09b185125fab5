// A real terminal for end-to-end tests: a command runs in a detached tmux session on a
// private server socket; the screen is read with capture-pane, and everything the program
// wrote to the terminal (escape codes included) is logged raw with pipe-pane, which is
// attached before the command starts. The shell prints EXIT=<status> and stays, so the
// final screen can be read.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';

const WAIT_MS = 20_000;

export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function tmuxServer(tag: string) {
  const socket = `gopitfix-${tag}-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  let n = 0;
  beforeAll(() => {
    // A private server: never touches the developer's own tmux sessions.
    tmux('-f', '/dev/null', 'start-server', ';', 'set-option', '-g', 'exit-empty', 'off');
  });
  afterEach(() => {
    for (const s of spawnSync('tmux', ['-L', socket, 'list-sessions', '-F', '#{session_name}'], { encoding: 'utf8' }).stdout.split('\n')) {
      if (s) spawnSync('tmux', ['-L', socket, 'kill-session', '-t', s]);
    }
  });
  afterAll(() => {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
  });

  class Terminal {
    readonly name: string;
    readonly log: string;
    /**
     * Runs `script` (a shell command line) in `cwd` in a `width`x`height` terminal, the
     * color variables of the test runner removed.
     */
    constructor(
      cwd: string,
      script: string,
      logDir: string,
      width = 160,
      height = 50,
      /** capture-pane's -J: a line the terminal wrapped reads as one line. */
      private readonly joinWrapped = false,
    ) {
      this.name = `t${++n}`;
      this.log = join(logDir, `${this.name}.raw`);
      const go = join(logDir, `${this.name}.go`);
      writeFileSync(this.log, '');
      const cmd =
        `while [ ! -e ${shq(go)} ]; do sleep 0.02; done; cd ${shq(cwd)} && unset FORCE_COLOR NO_COLOR; ` +
        `${script}; echo "EXIT=$?"; sleep 120`;
      tmux('new-session', '-d', '-s', this.name, '-x', String(width), '-y', String(height), cmd);
      tmux('pipe-pane', '-o', '-t', this.name, `cat >> ${shq(this.log)}`);
      writeFileSync(go, '');
    }

    screen(): string {
      return tmux('capture-pane', '-p', ...(this.joinWrapped ? ['-J'] : []), '-S', '-5000', '-t', this.name);
    }

    raw(): string {
      return existsSync(this.log) ? readFileSync(this.log, 'latin1') : '';
    }

    async waitFor(test: (screen: string) => boolean, what: string): Promise<string> {
      const deadline = Date.now() + WAIT_MS * 3;
      let s = '';
      while (Date.now() < deadline) {
        s = this.screen();
        if (test(s)) return s;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
    }

    async exit(): Promise<{ code: number; screen: string }> {
      const s = await this.waitFor((x) => /^EXIT=\d+$/m.test(x), 'the program to exit');
      return { code: Number(/^EXIT=(\d+)$/m.exec(s)![1]), screen: s };
    }

    /** Types `k` literally; `C-c` is sent as the interrupt key. */
    key(k: string): void {
      if (k === 'C-c') tmux('send-keys', '-t', this.name, 'C-c');
      else tmux('send-keys', '-t', this.name, '-l', k);
    }
  }
  return { Terminal, tmux };
}
