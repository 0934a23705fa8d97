#!/usr/bin/env node
// bench/kb_quality.mjs: answer quality on a knowledge base, measured through
// the server's customer API (docs/quality.md, "Measured through the server").
//
//   node bench/kb_quality.mjs --kb KB.json --test TEST.jsonl [--bin build/loket]
//        [--details OUT.jsonl] [--concurrency N] [-- SERVE_OPTION ...]
//
//   1. `loket kb import KB.json` into a fresh data directory (so the server
//      answers from exactly that knowledge base: no demo).
//   2. `loket serve` on that directory on a free loopback port, with the
//      per-address and per-conversation rate limits off (one address asks
//      hundreds of questions within seconds), plus any SERVE_OPTIONs given
//      after `--` (e.g. `-- --policy.answer_min 0.6`).
//   3. Every test question in a new conversation: POST /api/v1/conversations,
//      then POST .../messages with the question, as a customer would.
//   4. Stops the server (it must exit 0: a sanitizer build's findings fail the
//      run) and prints one JSON object on stdout (the figures below);
//      --details writes one JSON line per question with what the bot did.
//      Exit status 1 for bad arguments or data, 2 when loket fails.
//
// Each question's outcome, from the reply to its message:
//   answered   a bot message with an article_id (the first one; a reply that
//              answers several articles is right when the label is one of them)
//   choices    a bot message with "choices" and no article_id
//   handed_over the conversation left the bot (status not "bot") without an answer
//   declined   anything else (the bot said it does not know)
// An answer is right when its article is the label, or the label's version in
// another language by the id convention the policy uses ("X" and "X-en"): the
// policy answers in the customer's language, and that is the same answer.
//
// Figures, as `loket eval` defines them (CONTRACT.md), over the test file:
//   answered_precision  right answers / all answered questions (an answered oos question is wrong)
//   coverage            answered in-scope questions / in-scope questions
//   in_scope_accuracy   rightly answered in-scope questions / in-scope questions
//   oos_recall          oos questions not answered / oos questions
//   clarification_rate  questions answered with choices / all questions
//   choice_recall       in-scope questions with choices that include the label / in-scope questions with choices
//   helped              in-scope questions answered right or offered choices that include the label / in-scope
// Choices and hand-overs count as not answered in the other figures.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function usage(msg) {
  if (msg) process.stderr.write(`kb_quality: ${msg}\n`);
  process.stderr.write(
    'usage: node bench/kb_quality.mjs --kb KB.json --test TEST.jsonl [--bin build/loket] ' +
      '[--details OUT.jsonl] [--concurrency N] [-- SERVE_OPTION ...]\n',
  );
  process.exit(1);
}

function parseArgs(argv) {
  const o = { bin: process.env.LOKET_BIN || 'build/loket', concurrency: 1, serveArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      o.serveArgs = argv.slice(i + 1);
      break;
    }
    const v = argv[i + 1];
    if (['--kb', '--test', '--bin', '--details', '--concurrency'].includes(a)) {
      if (v === undefined) usage(`${a} needs a value`);
      i++;
      if (a === '--concurrency') {
        o.concurrency = Number(v);
        if (!Number.isInteger(o.concurrency) || o.concurrency < 1 || o.concurrency > 64) usage('--concurrency must be 1-64');
      } else o[a.slice(2)] = v;
    } else usage(`unknown argument ${a}`);
  }
  if (!o.kb || !o.test) usage('--kb and --test are required');
  return o;
}

function readTest(file) {
  const rows = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let r;
      try {
        r = JSON.parse(line);
      } catch {
        usage(`${file} line ${i + 1}: not JSON`);
      }
      if (typeof r.text !== 'string' || typeof r.label !== 'string') usage(`${file} line ${i + 1}: needs "text" and "label"`);
      rows.push(r);
    });
  if (rows.length === 0) usage(`${file}: no test questions`);
  return rows;
}

function run(bin, args) {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out }));
  });
}

// Starts `loket serve` and resolves {proc, base, log()} once /healthz answers.
async function startServer(bin, dataDir, serveArgs) {
  const args = ['serve', '--listen', '127.0.0.1:0', '--data', dataDir,
    '--limit_messages_conversation', '0', '--limit_messages_address', '0',
    '--limit_conversations_address', '0', '--limit_open_conversations', '0', ...serveArgs];
  const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.setEncoding('utf8').on('data', (d) => {
    log += d;
    if (log.length > 200000) log = log.slice(-100000); // keep the tail
  });
  const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`loket serve: no "listening on" line within 60 s:\n${log}`)), 60000);
    const look = () => {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stderr.on('data', look);
    proc.on('error', reject);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`loket serve exited (${code ?? signal}) before listening:\n${log}`));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60000; ; ) {
    try {
      const r = await fetch(`${base}/healthz`);
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`/healthz did not answer 200 within 60 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, base, exited, log: () => log };
}

async function call(base, method, p, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* reported below */
  }
  return { status: r.status, json, text };
}

// One question in a new conversation; returns what the bot did.
async function ask(base, text) {
  const c = await call(base, 'POST', '/api/v1/conversations', {});
  if (c.status !== 201) throw new Error(`POST /api/v1/conversations: ${c.status} ${c.text}`);
  const m = await call(base, 'POST', `/api/v1/conversations/${c.json.id}/messages`, { text }, c.json.token);
  if (m.status !== 201) throw new Error(`POST .../messages "${text}": ${m.status} ${m.text}`);
  const bot = m.json.messages.filter((x) => x.sender === 'bot');
  const answers = bot.filter((x) => typeof x.article_id === 'string');
  const withChoices = bot.find((x) => Array.isArray(x.choices) && x.choices.length > 0 && !x.article_id);
  const conv = m.json.conversation;
  const out = {
    articles: answers.map((x) => x.article_id),
    confidence: answers.length ? answers[0].confidence : undefined,
    choices: withChoices ? withChoices.choices.map((x) => x.article_id) : [],
    status: conv.status,
    handoff_reason: conv.handoff_reason || null,
  };
  if (answers.length) out.outcome = 'answered';
  else if (withChoices) out.outcome = 'choices';
  else if (conv.status !== 'bot') out.outcome = 'handed_over';
  else out.outcome = 'declined';
  return out;
}

const ratio = (a, b) => (b > 0 ? Number((a / b).toFixed(4)) : null);

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const kb = JSON.parse(readFileSync(o.kb, 'utf8'));
  const rows = readTest(o.test);
  const lang = new Map(kb.articles.map((a) => [a.id, a.language]));
  for (const r of rows) if (r.label !== 'oos' && !lang.has(r.label)) usage(`label "${r.label}" is not an article of ${o.kb}`);
  // The translation group by the policy's id convention: "X-en" (language en) with an article "X".
  const group = (id) => {
    const l = lang.get(id);
    const suffix = `-${l}`;
    if (l && id.endsWith(suffix) && lang.has(id.slice(0, -suffix.length))) return id.slice(0, -suffix.length);
    return id;
  };
  const same = (a, b) => a === b || group(a) === group(b);

  const root = mkdtempSync(path.join(os.tmpdir(), 'loket-kbq-'));
  const dataDir = path.join(root, 'data');
  let srv = null;
  // Stops the server (SIGTERM: a clean stop exits 0) and removes the data
  // directory; resolves the server's exit, or null when it was not running.
  const stop = async () => {
    let exit = null;
    if (srv) {
      if (srv.proc.exitCode === null && srv.proc.signalCode === null) srv.proc.kill('SIGTERM');
      exit = await srv.exited;
      srv = null;
    }
    rmSync(root, { recursive: true, force: true });
    return exit;
  };
  process.on('SIGINT', () => stop().then(() => process.exit(130)));
  process.on('SIGTERM', () => stop().then(() => process.exit(143)));
  try {
    const imp = await run(o.bin, ['kb', 'import', o.kb, '--data', dataDir]);
    if (imp.code !== 0) throw new Error(`loket kb import ${o.kb} failed (${imp.code}): ${imp.out}`);
    srv = await startServer(o.bin, dataDir, o.serveArgs);

    const results = new Array(rows.length);
    let next = 0;
    const t0 = process.hrtime.bigint();
    const worker = async () => {
      for (let i = next++; i < rows.length; i = next++) results[i] = await ask(srv.base, rows[i].text);
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, rows.length) }, worker));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

    const n = { in: 0, oos: 0, answered: 0, right: 0, inAnswered: 0, inRight: 0, oosDeclined: 0, choices: 0,
      inChoices: 0, inChoiceHit: 0, helped: 0, handedOver: 0, otherLanguage: 0, multi: 0 };
    const reasons = {};
    const details = [];
    rows.forEach((r, i) => {
      const x = results[i];
      const inScope = r.label !== 'oos';
      const right = inScope && x.articles.some((a) => same(a, r.label));
      const choiceHit = inScope && x.choices.some((a) => same(a, r.label));
      if (inScope) n.in++;
      else n.oos++;
      if (x.outcome === 'answered') {
        n.answered++;
        if (x.articles.length > 1) n.multi++;
        if (right) {
          n.right++;
          if (!x.articles.includes(r.label)) n.otherLanguage++;
        }
        if (inScope) {
          n.inAnswered++;
          if (right) n.inRight++;
        }
      } else if (!inScope) n.oosDeclined++;
      if (x.outcome === 'choices') {
        n.choices++;
        if (inScope) {
          n.inChoices++;
          if (choiceHit) n.inChoiceHit++;
        }
      }
      if (inScope && ((x.outcome === 'answered' && right) || (x.outcome === 'choices' && choiceHit))) n.helped++;
      if (x.outcome === 'handed_over') {
        n.handedOver++;
        reasons[x.handoff_reason || 'unknown'] = (reasons[x.handoff_reason || 'unknown'] || 0) + 1;
      }
      details.push({ text: r.text, label: r.label, ...x, right: x.outcome === 'answered' ? right : undefined });
    });

    const report = {
      kb: o.kb,
      test: o.test,
      n_articles: kb.articles.length,
      n_test: rows.length,
      n_in_scope: n.in,
      n_oos: n.oos,
      answered_precision: ratio(n.right, n.answered),
      coverage: ratio(n.inAnswered, n.in),
      in_scope_accuracy: ratio(n.inRight, n.in),
      oos_recall: ratio(n.oosDeclined, n.oos),
      clarification_rate: ratio(n.choices, rows.length),
      choice_recall: ratio(n.inChoiceHit, n.inChoices),
      helped: ratio(n.helped, n.in),
      n_answered: n.answered,
      n_wrong_answers: n.answered - n.right,
      n_choices: n.choices,
      n_handed_over: n.handedOver,
      handoff_reasons: reasons,
      n_answered_other_language: n.otherLanguage,
      n_answered_several: n.multi,
      ms_per_question: Number(((seconds * 1000) / rows.length).toFixed(2)),
      seconds: Number(seconds.toFixed(2)),
    };
    if (o.details) writeFileSync(o.details, details.map((d) => JSON.stringify(d)).join('\n') + '\n');
    if (srv.proc.exitCode !== null || srv.proc.signalCode !== null) throw new Error(`loket serve died during the run:\n${srv.log()}`);
    const log = srv.log;
    const exit = await stop();
    if (exit.code !== 0) throw new Error(`loket serve did not stop cleanly (${exit.code ?? exit.signal}):\n${log().slice(-4000)}`);
    process.stdout.write(JSON.stringify(report) + '\n');
  } finally {
    await stop();
  }
}

main().catch((e) => {
  process.stderr.write(`kb_quality: ${e.message}\n`);
  process.exit(2);
});
