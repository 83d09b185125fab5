// The findings without a fix of stop-ticker and propagate-ctx carry their reason (the
// fixture harness only checks that such cases stay unchanged): one line per case, by
// fixture line number, so a rule that goes quiet or loses its reason fails here.
import { beforeAll, describe, expect, it } from 'vitest';
import { findingMessage } from '../src/engine/api.js';
import { init, listCases, readCaseText, runCase } from './harness.js';

beforeAll(init);

function findingsOf(rule: string, name: string): Map<number, string> {
  const c = listCases(rule).find((x) => x.name === name);
  if (!c) throw new Error(`no case ${rule}/${name}`);
  const r = runCase(c, readCaseText(c, c.input));
  expect(r.ruleErrors).toEqual([]);
  return new Map(r.findings.filter((f) => !f.fix).map((f) => [f.start.line, findingMessage(f)]));
}

describe('stop-ticker', () => {
  it('reports loops, escaping channels and unproven intervals without a fix', () => {
    const loop = findingsOf('stop-ticker', 'in-loop');
    expect(loop.get(7)).toMatch(/no fix: the ticker is created inside a loop/);
    expect(loop.get(23)).toMatch(/no fix: it is called inside a loop/);
    const v = findingsOf('stop-ticker', 'tick-var');
    expect(v.get(9)).toMatch(/not a constant gopitfix can prove positive.*NewTicker panics/);
    expect(v.get(21)).toMatch(/the channel is returned/);
    expect(findingsOf('stop-ticker', 'tick-escapes').get(8)).toMatch(/c is handed to a goroutine/);
    expect(findingsOf('stop-ticker', 'escapes').get(41)).toMatch(/t\.C is passed to run, which may keep reading it/);
  });

  it('is silent on endless functions, owned tickers, zero intervals, package main and Go 1.23 by default', () => {
    for (const name of ['endless', 'already-stopped', 'tick-zero', 'mainpkg/main', 'go123/modern']) {
      expect(findingsOf('stop-ticker', name).size, name).toBe(0);
    }
    // escapes: only the channel passed to a call is reported; returned, stored and goroutine-owned tickers are not.
    expect([...findingsOf('stop-ticker', 'escapes').keys()]).toEqual([41]);
  });

  it('reports as style from Go 1.23 with fromGo123: "report"', () => {
    expect(findingsOf('stop-ticker', 'go123-report/modern').get(7)).toMatch(/since Go 1\.23 an unreachable ticker is garbage-collected/);
  });
});

describe('propagate-ctx', () => {
  const detach = () => {
    const m = findingsOf('propagate-ctx', 'detach');
    const c = listCases('propagate-ctx').find((c) => c.name === 'detach')!;
    const src = readCaseText(c, c.input).split('\n');
    // Key by the text of the line, so the expectations read like the fixture.
    return { byText: new Map([...m].map(([line, msg]) => [src[line - 1].trim(), msg])), all: [...m.values()] };
  };

  it('gives the reason for every withheld fix', () => {
    const { byText: m, all: messages } = detach();
    const want: [string, RegExp][] = [
      ['_ = d.Exec(context.Background(), "audit")', /runs in a goroutine.*WithoutCancel\(ctx\)/],
      ['go d.Exec(context.Background(), "audit")', /started in a goroutine/],
      ['defer d.Exec(context.Background(), "audit")', /deferred call/],
      ['_ = d.Close(context.Background())', /deferred function/],
      ['_ = d.Rollback(context.Background())', /passed to Rollback, cleanup/],
      ['s.ctx = context.Background()', /stored/],
      ['global = context.TODO()', /assigned to global/],
      ['return context.Background()', /returned/],
      ['Start(context.Background(), d)', /passed to Start/],
      ['w := NewWorker(context.Background(), d)', /passed to NewWorker/],
      ['ctx2 := wrap(context.Background())', /separate value \(ctx2\)/],
      ['s.startExitMonitor(context.Background(), "id")', /startExitMonitor, which may start work/],
      ['exitProcess(context.Background())', /exitProcess, cleanup/],
      ['quietReq := outReq.WithContext(context.Background())', /WithContext/],
    ];
    for (const [line, re] of want) expect(m.get(line), line).toMatch(re);
    for (const re of [/named _/, /discarded with _ = ctx/, /several context parameters \(a, b\)/, /shadowed/, /reassigned before/, /checks ctx\.Err\(\)/, /context\.Canceled/, /function literal that may run after/, /against nil/, /in sendRelease, cleanup/]) {
      expect(messages.some((msg) => re.test(msg)), String(re)).toBe(true);
    }
  });

  it('does not suggest context.WithoutCancel before Go 1.21', () => {
    const m = findingsOf('propagate-ctx', 'go120/old');
    expect([...m.values()][0]).toMatch(/runs in a goroutine/);
    expect([...m.values()][0]).not.toMatch(/WithoutCancel/);
  });
});
