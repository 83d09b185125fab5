// Focused checks for select-ctx-done and buffer-result-chan beyond the fixtures:
// precedence does not depend on rule order, CRLF files, and the shared analysis.
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, processFile } from '../src/engine/engine.js';
import { findRule } from '../transforms/index.js';
import type { Rule } from '../src/rules/api.js';

beforeAll(initEngine);

function run(src: string, ids: string[]) {
  const rules = ids.map((id) => findRule(id) as Rule);
  return processFile({ absPath: '/virtual/p/a.go', displayPath: 'a.go', source: src, goVersion: null, packageFiles: () => [] }, { rules, prefilter: false });
}

const RESULT = `package p

import (
	"context"
	"time"
)

func fetch() int { return 1 }

func get(ctx context.Context) int {
	ch := make(chan int)
	go func() {
		ch <- fetch()
	}()
	select {
	case v := <-ch:
		return v
	case <-time.After(time.Second):
		return 0
	}
}
`;

describe('select-ctx-done / buffer-result-chan', () => {
  it('buffering wins whatever the rule order', () => {
    const a = run(RESULT, ['select-ctx-done', 'buffer-result-chan']);
    const b = run(RESULT, ['buffer-result-chan', 'select-ctx-done']);
    expect(a.output).toBe(b.output);
    expect(a.output).toContain('ch := make(chan int, 1)');
    expect(a.output).not.toContain('select {\n\t\tcase ch <-');
    expect(a.findings.map((f) => f.rule)).toEqual(['buffer-result-chan']);
  });

  it('select-ctx-done alone stays quiet on a send buffer-result-chan fixes', () => {
    const r = run(RESULT, ['select-ctx-done']);
    expect(r.findings).toEqual([]);
    expect(r.output).toBe(RESULT);
  });

  it('keeps CRLF line endings in the generated select', () => {
    const src = `package p\r\n\r\nimport "context"\r\n\r\nfunc f(ctx context.Context, out chan<- int) {\r\n\tgo func() {\r\n\t\tout <- 1 // one\r\n\t}()\r\n}\r\n`;
    const r = run(src, ['select-ctx-done']);
    expect(r.output).toBe(
      `package p\r\n\r\nimport "context"\r\n\r\nfunc f(ctx context.Context, out chan<- int) {\r\n\tgo func() {\r\n\t\tselect {\r\n\t\tcase out <- 1: // one\r\n\t\tcase <-ctx.Done():\r\n\t\t\treturn\r\n\t\t}\r\n\t}()\r\n}\r\n`,
    );
  });

  it('never generates a default case', () => {
    const src = `package p

import "context"

func f(ctx context.Context, out chan<- int, xs []int) {
	go func() {
		for _, x := range xs {
			out <- x
		}
	}()
	go func() { out <- 0 }()
}
`;
    const r = run(src, ['select-ctx-done', 'buffer-result-chan']);
    expect(r.findings.filter((f) => f.fix).length).toBe(2);
    expect(r.output).not.toContain('default:');
  });

  it('uses a context only when its type is proven, not its name', () => {
    const src = `package p

type Ctx struct{}

func (Ctx) Done() <-chan struct{} { return nil }

func f(ctx Ctx, out chan<- int) {
	go func() {
		out <- 1
	}()
}
`;
    const r = run(src, ['select-ctx-done']);
    expect(r.output).toBe(src);
  });

  it('a method called both as a goroutine and synchronously is not a goroutine body', () => {
    const src = `package p

import "context"

type s struct{ out chan int }

func (x *s) loop(ctx context.Context) { x.out <- 1 }

func (x *s) start(ctx context.Context) {
	go x.loop(ctx)
	f := x.loop
	_ = f
}
`;
    expect(run(src, ['select-ctx-done']).output).toBe(src);
  });

  it('buffer-result-chan: a sender that keeps working after the send is reported, not fixed', () => {
    const src = `package p

import "time"

func get(log func(string)) int {
	ch := make(chan int)
	go func() {
		ch <- 1
		log("sent")
	}()
	select {
	case v := <-ch:
		return v
	case <-time.After(time.Second):
		return 0
	}
}
`;
    const r = run(src, ['buffer-result-chan']);
    expect(r.output).toBe(src);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0].fix).toBeNull();
    expect(r.findings[0].noFixReason).toMatch(/keeps working after its send/);
  });
});
