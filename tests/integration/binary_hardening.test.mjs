// The program is built with the compiler's and linker's memory-safety
// hardening (OWASP ASVS 4.0.3 V14.1.2; docs/security.md, "Build hardening"):
// a position-independent executable, full RELRO (read-only relocations, all
// symbols bound at start), a non-executable stack, stack protectors, and
// glibc's checked string and memory functions (_FORTIFY_SOURCE) in optimised
// builds. Read from the binary itself with readelf (binutils, which gcc
// brings), so the test holds whatever flags a later CMake change passes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BIN } from './helpers.mjs';

function readelf(...args) {
  return execFileSync('readelf', ['-W', ...args, BIN], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

const dynsyms = readelf('--dyn-syms');
const sanitized = /\b__asan_init\b/.test(dynsyms) || /\b__ubsan_handle_/.test(dynsyms);

// The compiler's options, from the debug information's producer string (gcc
// records them); null when the binary has no debug information.
function producer() {
  let text;
  try {
    text = execFileSync('readelf', ['-p', '.debug_str', BIN], {
      encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return null;
  }
  const line = text.split('\n').find((l) => /\bGNU C\d*\b/.test(l));
  return line ? line.replace(/^\s*\[\s*[0-9a-f]+\]\s*/, '') : null;
}

test('the program is a position-independent executable', () => {
  assert.match(readelf('-h'), /Type:\s+DYN\b/, 'ELF type should be DYN (PIE), so ASLR moves the program too');
});

test('full RELRO: relocations read-only after start, every symbol bound at start', () => {
  const segments = readelf('-l');
  assert.match(segments, /\bGNU_RELRO\b/, 'a GNU_RELRO segment');
  const dynamic = readelf('-d');
  assert.match(dynamic, /\(FLAGS\)\s+.*\bBIND_NOW\b|\(FLAGS_1\)\s+.*\bNOW\b/,
    `BIND_NOW in the dynamic section (-z now), so the GOT is read-only too:\n${dynamic}`);
});

test('the stack is not executable', () => {
  const stack = readelf('-l').split('\n').find((l) => /\bGNU_STACK\b/.test(l));
  assert.ok(stack, 'a GNU_STACK segment');
  assert.doesNotMatch(stack, /\bRWE\s*0x/, `stack segment without E: ${stack}`);
});

test('functions with buffers on the stack carry a stack protector', () => {
  assert.match(dynsyms, /\b__stack_chk_fail\b/, 'the program calls __stack_chk_fail (-fstack-protector-strong)');
});

test('optimised builds use the checked string and memory functions (_FORTIFY_SOURCE)', (t) => {
  if (sanitized) {
    t.skip('sanitizer build: AddressSanitizer checks these calls itself');
    return;
  }
  const opts = producer();
  if (opts !== null && !/\s-O[1-3sz]?\b/.test(opts.replace(/\s-O0\b/g, ''))) {
    t.skip(`unoptimised build (${opts}): _FORTIFY_SOURCE needs optimisation`);
    return;
  }
  const checked = dynsyms.match(/\b__\w+_chk\b/g) || [];
  const names = [...new Set(checked)].filter((n) => n !== '__stack_chk_fail');
  assert.ok(names.length >= 3, `glibc's _chk functions in the program (found: ${names.join(', ') || 'none'})`);
});
