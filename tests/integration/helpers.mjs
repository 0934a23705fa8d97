// Helpers for loket's integration tests: start and stop the real binary on a
// fresh data directory and a free loopback port, run its command line, talk
// HTTP (global fetch, or raw bytes over a socket when fetch would tidy the
// request up) and WebSocket (the `ws` package), log in as an agent (with a
// TOTP code when two-step login is on), and read the live database file with
// the sqlite3 command line.
//
// The tests hold loket to ../../shared/CONTRACT.md; everything here is plain
// plumbing that asserts nothing about the product except where it says so
// (stopServer() asserts a clean exit).
//
// Environment: LOKET_BIN (the program; default build/loket, relative to the
// repository root, which is the working directory of every test).

import { execFileSync, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import WebSocket from 'ws';

export const BIN = path.resolve(process.env.LOKET_BIN || 'build/loket');
export const SOURCE_DIR = path.resolve(process.env.LOKET_SOURCE_DIR || '.');

// Sanitizer builds run ~3x slower; time limits that are not part of the
// contract scale with this.
export const SLOW = /asan|sanitize/i.test(BIN) ? 3 : 1;
// Rebuilding the bot after a knowledge-base change (training, then the
// calibration's cross-validation over every example question) is pure CPU
// work, which the sanitizers slow down far more than I/O: the demo's bot
// builds in about 0.25 s in the release build and 4 to 5 s under ASan+UBSan
// on a 2-core machine. Reload limits scale with this instead; the release
// build keeps the limit the product promises.
export const REBUILD_SLOW = /asan|sanitize/i.test(BIN) ? 10 : 1;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// RFC 3339 in UTC, as CONTRACT.md asks for every time.
export const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

// ---- data directories -------------------------------------------------------

// A fresh temporary folder; the data directory inside it does not exist yet
// (every command must create it). Removed by cleanup().
export function freshDataDir() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'loket-it-'));
  const dir = path.join(root, 'data');
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  return { root, dir, cleanup };
}

// ---- verified customer identity (docs/widget.md) ------------------------------

// A fresh secret in a file of its own (mode 0600) for identity_secret_file:
// {secret, file, env} where env sets the option for startServer.
export function identitySecret() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'loket-id-'));
  const file = path.join(root, 'identity.secret');
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return { secret, file, env: { LOKET_IDENTITY_SECRET_FILE: file } };
}

// The customer object a company's site would pass: fields plus the HMAC-SHA256
// of "loket-identity-v1\n" email "\n" external_id "\n" timestamp, in hex.
export function signedCustomer(secret, customer, { timestamp = Math.floor(Date.now() / 1000) } = {}) {
  const canonical = `loket-identity-v1\n${customer.email || ''}\n${customer.external_id || ''}\n${timestamp}`;
  const signature = createHmac('sha256', secret).update(canonical).digest('hex');
  return { ...customer, signature, timestamp };
}

// ---- the command line -------------------------------------------------------

// Runs `loket ...args`; resolves {code, signal, stdout, stderr}. input, when
// given, is written to stdin (then stdin is closed either way).
export function runCli(args, { input, env, timeoutMs = 60000 * SLOW } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, {
      env: { ...process.env, ...cleanEnv(), ...(env || {}) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`loket ${args.join(' ')}: no exit after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {}); // the program may exit without reading
    child.stdin.end(input === undefined ? '' : input);
  });
}

// The LOKET_* variables of the caller's environment would change what the
// program does; tests set what they need explicitly.
function cleanEnv() {
  const out = {};
  for (const k of Object.keys(process.env)) if (k.startsWith('LOKET_') && k !== 'LOKET_BIN' && k !== 'LOKET_SOURCE_DIR') out[k] = undefined;
  return out;
}

// `loket user add` with the password on stdin; asserts success.
export async function addUser(dataDir, email, password, role = 'agent') {
  const r = await runCli(['user', 'add', '--email', email, '--role', role, '--password-stdin', '--data', dataDir], {
    input: password + '\n',
  });
  assert.equal(r.code, 0, `user add ${email} failed: ${r.stderr}`);
  return r;
}

// A fresh data directory for test t, removed after it.
export function tmpDataDir(t) {
  const d = freshDataDir();
  t.after(d.cleanup);
  return d;
}

// A fresh data directory for test t (removed after it) with these users, each
// [email, password, role?] as addUser takes them.
export async function dataDirWithUsers(t, users) {
  const d = tmpDataDir(t);
  for (const [email, password, role] of users) await addUser(d.dir, email, password, role);
  return d;
}

// A server for test t on a fresh data directory with these users
// (dataDirWithUsers); env and the other options as startServer takes them.
// Returns {d, srv}.
export async function serverWithUsers(t, users, opts = {}) {
  const d = await dataDirWithUsers(t, users);
  const srv = await startServer({ ...opts, t, dataDir: d.dir });
  return { d, srv };
}

// `loket kb export`; asserts success and returns the parsed KB JSON and the raw text.
export async function exportKb(dataDir) {
  const r = await runCli(['kb', 'export', '--data', dataDir]);
  assert.equal(r.code, 0, `kb export failed: ${r.stderr}`);
  let kb;
  assert.doesNotThrow(() => (kb = JSON.parse(r.stdout)), `kb export printed no JSON: ${r.stdout.slice(0, 200)}`);
  return { kb, text: r.stdout };
}

// ---- the server -------------------------------------------------------------

// The rate limits of docs/security.md (logins, new conversations, messages,
// open conversations per address, WebSockets per conversation and address) would trip over tests that log in and
// start conversations by the dozen from one address within seconds: every
// server a test starts has them off, unless the test sets them through env
// (tests/integration/security.test.mjs does).
export const NO_LIMITS = {
  LOKET_LIMIT_LOGIN_ACCOUNT: '0',
  LOKET_LIMIT_LOGIN_ACCOUNT_ADDRESS: '0',
  LOKET_LIMIT_LOGIN_ADDRESS: '0',
  LOKET_LIMIT_MESSAGES_CONVERSATION: '0',
  LOKET_LIMIT_MESSAGES_ADDRESS: '0',
  LOKET_LIMIT_CONVERSATIONS_ADDRESS: '0',
  LOKET_LIMIT_OPEN_CONVERSATIONS: '0',
  LOKET_LIMIT_WS_CONVERSATION: '0',
  LOKET_LIMIT_WS_ADDRESS: '0',
};

// Without business_hours, a server with the demo knowledge base uses the
// demo's opening hours (docs/policy.md), and tests that hand over would
// depend on the time of day they run at: every server a test starts is open
// always, unless the test sets the hours (or removes this with undefined).
export const ALWAYS_OPEN = { LOKET_POLICY_BUSINESS_HOURS: 'always' };

// Starts `loket serve --listen 127.0.0.1:0 --data DIR` and waits until
// /healthz answers. Returns a handle: {proc, port, base, dataDir, stderr(),
// exited (a promise of {code, signal})}. dataDir defaults to a fresh one that
// t.after() removes when t is given.
export async function startServer({ dataDir, env, args = [], t, timeoutMs = 20000 * SLOW } = {}) {
  let cleanup = null;
  if (!dataDir) {
    const d = freshDataDir();
    dataDir = d.dir;
    cleanup = d.cleanup;
  }
  const proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--data', dataDir, ...args], {
    env: { ...process.env, ...cleanEnv(), ...NO_LIMITS, ...ALWAYS_OPEN, ...(env || {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  proc.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    proc.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // 'close', not 'exit': it comes once stderr has ended, so the message has the last line
    proc.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`loket serve exited (${code ?? signal}) before listening:\n${stderr}`));
    });
  });
  const srv = {
    proc,
    port,
    base: `http://127.0.0.1:${port}`,
    dataDir,
    exited,
    stderr: () => stderr,
    stdout: () => stdout,
    cleanup,
  };
  // The port is logged once bound; wait until requests are answered.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`${srv.base}/healthz`);
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`/healthz did not answer 200 within ${timeoutMs} ms:\n${stderr}`);
    await sleep(20);
  }
  if (t) {
    t.after(async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await exited;
      }
      if (cleanup) cleanup();
    });
  }
  return srv;
}

// SIGTERM (or the given signal), await the exit, assert that it was clean
// (exit code 0) within timeoutMs.
export async function stopServer(srv, { signal = 'SIGTERM', timeoutMs = 15000 * SLOW } = {}) {
  srv.proc.kill(signal);
  let timer;
  const res = await Promise.race([srv.exited, new Promise((r) => (timer = setTimeout(() => r(null), timeoutMs)))]);
  clearTimeout(timer);
  if (res === null) {
    srv.proc.kill('SIGKILL');
    await srv.exited;
    assert.fail(`loket serve did not exit within ${timeoutMs} ms of ${signal}:\n${tail(srv.stderr())}`);
  }
  assert.equal(res.signal, null, `loket serve died of ${res.signal} after ${signal}:\n${tail(srv.stderr())}`);
  assert.equal(res.code, 0, `loket serve exited ${res.code} after ${signal}:\n${tail(srv.stderr())}`);
  return res;
}

// kill -9: no chance to clean up.
export async function killServer(srv) {
  srv.proc.kill('SIGKILL');
  return srv.exited;
}

export function tail(s, lines = 30) {
  return s.split('\n').slice(-lines).join('\n');
}

// ---- HTTP -------------------------------------------------------------------

// One request. body: an object (sent as JSON), a string or Buffer (sent as
// is), or undefined (no body). Resolves {status, headers, text, json} where
// json is the parsed body or undefined.
export async function api(srv, method, urlPath, { body, token, cookie, headers = {} } = {}) {
  const h = { ...headers };
  let payload;
  if (body !== undefined) {
    payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
  }
  if (token !== undefined) h.Authorization = `Bearer ${token}`;
  if (cookie !== undefined) h.Cookie = cookie;
  const res = await fetch(`${srv.base}${urlPath}`, { method, headers: h, body: payload });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

// Asserts an error answer of CONTRACT.md: the status, a JSON body
// {"error": {"code", "message"}} with code among codes (a string or an array).
export function assertError(res, status, codes, what = '') {
  const label = what ? `${what}: ` : '';
  assert.equal(res.status, status, `${label}expected ${status}, got ${res.status} ${res.text.slice(0, 300)}`);
  assert.ok(res.json && typeof res.json === 'object', `${label}error body is not JSON: ${res.text.slice(0, 300)}`);
  assert.match(res.headers.get('content-type') || '', /^application\/json/, `${label}error Content-Type`);
  assert.ok(res.json.error && typeof res.json.error === 'object', `${label}no "error" object: ${res.text}`);
  const want = Array.isArray(codes) ? codes : [codes];
  assert.ok(want.includes(res.json.error.code), `${label}error code ${JSON.stringify(res.json.error.code)}, want ${want.join(' or ')}`);
  assert.equal(typeof res.json.error.message, 'string', `${label}error message`);
  assert.ok(res.json.error.message.length > 0, `${label}empty error message`);
}

// Sends raw bytes on a fresh connection and resolves with everything the
// server sent until it closed or went quiet for quietMs (then the socket is
// closed by us). Resolves {text, status} where status is the first status code.
export function rawRequest(srv, bytes, { quietMs = 1000 * SLOW, timeoutMs = 10000 * SLOW } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    const chunks = [];
    let quiet;
    const finish = () => {
      clearTimeout(quiet);
      clearTimeout(overall);
      sock.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, status: m ? Number(m[1]) : null });
    };
    const overall = setTimeout(finish, timeoutMs);
    sock.on('connect', () => {
      for (const b of Array.isArray(bytes) ? bytes : [bytes]) sock.write(b);
    });
    sock.on('data', (d) => {
      chunks.push(d);
      clearTimeout(quiet);
      quiet = setTimeout(finish, quietMs);
    });
    sock.on('end', finish);
    sock.on('close', finish);
    sock.on('error', (e) => {
      if (chunks.length) finish();
      else if (e.code === 'ECONNRESET' || e.code === 'EPIPE') finish();
      else reject(e);
    });
  });
}

// The body of a raw HTTP response text (after the blank line), de-chunked
// when the response used chunked transfer encoding.
export function rawBody(text) {
  const i = text.indexOf('\r\n\r\n');
  if (i < 0) return '';
  const head = text.slice(0, i);
  let body = text.slice(i + 4);
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    let out = '';
    for (;;) {
      const j = body.indexOf('\r\n');
      if (j < 0) break;
      const n = parseInt(body.slice(0, j), 16);
      if (!n) break;
      out += body.slice(j + 2, j + 2 + n);
      body = body.slice(j + 2 + n + 2);
    }
    body = out;
  }
  return Buffer.from(body, 'latin1').toString('utf8');
}

// ---- the customer's side ----------------------------------------------------

// POST /api/v1/conversations; asserts 201 and returns the Conversation.
export async function createConversation(srv, body) {
  const r = await api(srv, 'POST', '/api/v1/conversations', body === undefined ? {} : { body });
  assert.equal(r.status, 201, `create conversation: ${r.status} ${r.text}`);
  return r.json;
}

// POST .../messages; asserts 201 and returns {conversation, messages}.
export async function postMessage(srv, conv, text) {
  const r = await api(srv, 'POST', `/api/v1/conversations/${conv.id}/messages`, { token: conv.token, body: { text } });
  assert.equal(r.status, 201, `post message: ${r.status} ${r.text}`);
  return r.json;
}

export async function getConversation(srv, conv) {
  const r = await api(srv, 'GET', `/api/v1/conversations/${conv.id}`, { token: conv.token });
  assert.equal(r.status, 200, `get conversation: ${r.status} ${r.text}`);
  return r.json;
}

// The parts of a message that must never change once stored.
export function msgKey(m) {
  return { id: m.id, seq: m.seq, sender: m.sender, automated: m.automated, text: m.text };
}

// ---- WebSocket --------------------------------------------------------------

// Opens the customer WebSocket of a conversation. Resolves a client that
// collects every frame (parsed JSON) in .frames; waitFrames(n) waits until
// at least n arrived. Rejects with err.status set when the upgrade is refused.
export function openWs(srv, convId, token, { after, query } = {}) {
  let q = query;
  if (q === undefined) {
    q = token === undefined ? '' : `token=${encodeURIComponent(token)}`;
    if (after !== undefined) q += `${q ? '&' : ''}after=${after}`;
  }
  const url = `ws://127.0.0.1:${srv.port}/api/v1/conversations/${convId}/ws${q ? '?' + q : ''}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const client = {
      ws,
      frames: [],
      raw: [],
      binary: 0,
      closed: null,
      waiters: [],
      waitFrames(n, timeoutMs = 5000 * SLOW) {
        return client.waitFor((c) => c.frames.length >= n, timeoutMs, `${n} frames`);
      },
      waitFor(pred, timeoutMs = 5000 * SLOW, what = 'condition') {
        if (pred(client)) return Promise.resolve(client.frames);
        return new Promise((res, rej) => {
          const w = {
            pred,
            res,
            timer: setTimeout(() => {
              client.waiters = client.waiters.filter((x) => x !== w);
              rej(new Error(`WebSocket: ${what} not reached in ${timeoutMs} ms; frames: ${JSON.stringify(client.frames.map((f) => f.seq))}`));
            }, timeoutMs),
          };
          client.waiters.push(w);
        });
      },
      close() {
        return new Promise((res) => {
          if (ws.readyState === WebSocket.CLOSED) return res();
          const timer = setTimeout(() => {
            ws.terminate();
            res();
          }, 2000);
          ws.once('close', () => {
            clearTimeout(timer);
            res();
          });
          ws.close();
        });
      },
    };
    const poke = () => {
      for (const w of [...client.waiters]) {
        if (w.pred(client)) {
          clearTimeout(w.timer);
          client.waiters = client.waiters.filter((x) => x !== w);
          w.res(client.frames);
        }
      }
    };
    ws.on('message', (data, isBinary) => {
      if (isBinary) client.binary++;
      const s = data.toString('utf8');
      client.raw.push(s);
      let f;
      try {
        f = JSON.parse(s);
      } catch {
        f = { unparsable: s };
      }
      client.frames.push(f);
      poke();
    });
    ws.on('close', (code) => {
      client.closed = code;
      poke();
    });
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (req, res) => {
      const e = new Error(`WebSocket upgrade refused: ${res.statusCode}`);
      e.status = res.statusCode;
      res.resume();
      req.destroy();
      reject(e);
    });
    ws.on('error', (e) => reject(e));
  });
}

// Resolves the HTTP status with which the server refuses a WebSocket
// upgrade, or fails when the upgrade succeeds.
export async function wsRefusal(srv, convId, token, opts) {
  try {
    const c = await openWs(srv, convId, token, opts);
    await c.close();
  } catch (e) {
    if (e.status) return e.status;
    throw e;
  }
  assert.fail(`WebSocket upgrade for ${convId} was accepted; expected a refusal`);
}

// ---- the agent's side -------------------------------------------------------

// POST /api/v1/auth/login; asserts 200 and returns an agent handle that
// sends the session cookie with every request: agent.req(method, path, opts).
export async function login(srv, email, password) {
  const r = await api(srv, 'POST', '/api/v1/auth/login', { body: { email, password } });
  assert.equal(r.status, 200, `login ${email}: ${r.status} ${r.text}`);
  const setCookies = r.headers.getSetCookie();
  const sc = setCookies.find((c) => c.startsWith('loket_session='));
  assert.ok(sc, `login ${email}: no loket_session cookie in ${JSON.stringify(setCookies)}`);
  const cookie = sc.split(';')[0];
  return {
    user: r.json.user,
    cookie,
    setCookie: sc,
    req: (method, p, opts = {}) => api(srv, method, p, { ...opts, cookie }),
  };
}

// POST /api/v1/auth/login as it comes, for tests of what login refuses:
// returns the api() result (no assertion). totp: the second factor's code;
// cookie, headers: sent along (e.g. X-Forwarded-For through a trusted proxy).
export function tryLogin(srv, email, password, { totp, cookie, headers = {} } = {}) {
  const body = { email, password };
  if (totp !== undefined) body.totp = totp;
  return api(srv, 'POST', '/api/v1/auth/login', { body, cookie, headers });
}

// RFC 4648 base32 (a TOTP secret as loket shows it) to bytes.
export function b32decode(s) {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let val = 0;
  const out = [];
  for (const ch of s.replace(/=+$/, '')) {
    const i = A.indexOf(ch);
    assert.ok(i >= 0, `not base32: ${s}`);
    val = (val << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((val >>> (bits - 8)) & 255);
      bits -= 8;
      val &= (1 << bits) - 1;
    }
  }
  return Buffer.from(out);
}

// RFC 4226 HOTP (HMAC-SHA1) of key (bytes) at counter.
export function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = createHmac('sha1', key).update(msg).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 10 ** digits).padStart(digits, '0');
}

// RFC 6238 TOTP (30 s steps, 6 digits) of a base32 secret, `steps` away from now.
export const totp = (secret, steps = 0) => hotp(b32decode(secret), Math.floor(Date.now() / 30000) + steps);

// The agents' live stream with a session cookie; collects frames.
export function agentStream(srv, cookie) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/api/v1/agent/ws`, { headers: { Cookie: cookie } });
    const s = {
      ws,
      frames: [],
      closed: false,
      waiters: [],
      until(pred, what, ms = 5000 * SLOW) {
        if (pred(s)) return Promise.resolve();
        return new Promise((res, rej) => {
          const w = { pred, res, timer: setTimeout(() => rej(new Error(`agents' stream: no ${what} in ${ms} ms; got ${JSON.stringify(s.frames)}`)), ms) };
          s.waiters.push(w);
        });
      },
    };
    const poke = () => {
      for (const w of [...s.waiters])
        if (w.pred(s)) {
          clearTimeout(w.timer);
          s.waiters = s.waiters.filter((x) => x !== w);
          w.res();
        }
    };
    ws.on('message', (d) => {
      s.frames.push(JSON.parse(d.toString('utf8')));
      poke();
    });
    ws.on('close', () => {
      s.closed = true;
      poke();
    });
    ws.once('open', () => resolve(s));
    ws.once('unexpected-response', (req, res) => reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode })));
    ws.on('error', reject);
  });
}

// Hands a conversation over with the button; asserts 200.
export async function handoff(srv, conv) {
  const r = await api(srv, 'POST', `/api/v1/conversations/${conv.id}/handoff`, { token: conv.token });
  assert.equal(r.status, 200, `handoff: ${r.status} ${r.text}`);
  return r.json;
}

// ---- one server for a whole test file ---------------------------------------

// Starts one server (startServer's options) before the file's tests and stops
// and removes it after them; ready(srv) runs once it is up (keep srv there,
// add users, read the knowledge base).
export function serverForFile(opts, ready) {
  let srv;
  before(async () => {
    srv = await startServer(opts);
    await ready(srv);
  });
  after(async () => {
    if (srv) {
      await stopServer(srv);
      srv.cleanup();
    }
  });
}

// ---- the database, read beside the server -------------------------------------

// One statement through the sqlite3 command line on a data directory's live
// database file; its output, trimmed.
export function sqlite(dataDir, query) {
  return execFileSync('sqlite3', [path.join(dataDir, 'loket.db'), query], { encoding: 'utf8' }).trim();
}

// Polls pred (sync or async) every stepMs until it is true; fails the test,
// naming what was awaited, when timeoutMs passes first.
export async function until(pred, what, { timeoutMs = 5000 * SLOW, stepMs = 25 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await sleep(stepMs);
  }
}

// Polls the database until the query's number is >= want; returns it.
export async function eventuallyCount(dataDir, query, want = 1, timeoutMs = 5000 * SLOW) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = Number(sqlite(dataDir, query));
    if (n >= want) return n;
    if (Date.now() > deadline) assert.fail(`${query}: ${n}, want >= ${want}`);
    await sleep(25);
  }
}
