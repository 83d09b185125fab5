import { initParser, parseGo } from './dist/src/parser/parser.js';
import { Semantics } from './dist/src/go/scope.js';
import { Imports } from './dist/src/go/imports.js';
import { readFileSync } from 'node:fs';
await initParser();
const H = () => { gc(); gc(); return process.memoryUsage().heapUsed / 1048576; };
const src = readFileSync('/tmp/i17rss/g50x20k/file000.go', 'utf8');
let h0 = H();
const t = parseGo(src);
const root = t.rootNode;
console.log('tree', (H() - h0).toFixed(1));
const imp = new Imports(root, src);
const sem = new Semantics(root, imp);
console.log('sem ctor', (H() - h0).toFixed(1));
// force scope build
const keys = Object.getOwnPropertyNames(Object.getPrototypeOf(sem));
console.log(keys.join(' '));
sem.fileScope;
console.log('fileScope', (H() - h0).toFixed(1));
