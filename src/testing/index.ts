// `gopitfix/testing`: the fixture runner for rule authors (input.go / output.go cases with
// `// want` expectations), see docs/writing-a-rule.md.
export * from './fixtures.js';
