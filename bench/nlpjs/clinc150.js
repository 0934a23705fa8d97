#!/usr/bin/env node
/*
 * bench/nlpjs/clinc150.js: NLP.js trained and measured on CLINC150 exactly as
 * `loket eval` measures loket (docs/quality.md), for bench/nlu_compare.sh.
 *
 *   node clinc150.js --train FILE --val FILE --test FILE [--oos-as-none]
 *   node clinc150.js --train FILE --test FILE --shots K [--oos-as-none]
 *
 * Each in-scope label of the training file becomes an NLP.js intent whose
 * documents are its texts. The out-of-scope ("oos") training texts are left
 * out, as "oos" is no intent; with --oos-as-none they become documents of
 * NLP.js's own "None" intent (its way to learn what to decline, as loket
 * learns from them as negatives). NLP.js answers with its top intent
 * and that intent's score; its own threshold (0.5 by default) is switched
 * off so that the threshold is chosen on the validation file the way
 * loket's default is (src/eval/eval.c, lk_eval_threshold_weighted with the
 * share of out-of-scope questions as weight: the threshold that maximises
 * the share of validation questions handled right). A message that NLP.js
 * itself classifies as "None" (no intent) counts as declined at any
 * threshold. Prints one JSON object with the fields of `loket eval`, plus
 * decisions_per_second (one thread, the full nlp.process() call).
 *
 * --shots K is the few-shot protocol of `loket eval --shots K`
 * (src/eval/eval.c keep_shots): only the first K training texts of each
 * label, out-of-scope included, in file order, and no validation file.
 * loket's `--auto` calibrates from those texts alone; NLP.js has no
 * calibration, so it is reported twice: at its own default threshold
 * (0.5: a top score under it makes nlp.process() answer "None"), which is
 * what a new NLP.js bot does, and at an oracle threshold chosen on the test
 * file itself, the lowest at which its answered precision on test reaches
 * 0.95 (the most it could answer at that precision; no real deployment can
 * choose it so, it is an upper bound). The top-level figures are those at
 * the default; "oracle" holds the others (if no threshold reaches 0.95:
 * "reached": false, and the figures at the threshold of its best precision).
 */
'use strict';

const fs = require('fs');
const { Nlp } = require('@nlpjs/nlp');
const { LangEn } = require('@nlpjs/lang-en');
const { LangNl } = require('@nlpjs/lang-nl');

function usage(msg) {
  process.stderr.write(`clinc150.js: ${msg} (usage: node clinc150.js --train FILE --val FILE --test FILE ` +
    '[--oos-as-none] | --train FILE --test FILE --shots K [--oos-as-none])\n');
  process.exit(1);
}

function parseArgs(argv) {
  const a = { oosAsNone: false };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i];
    if (k === '--oos-as-none') {
      a.oosAsNone = true;
      i -= 1;
      continue;
    }
    if (!['--train', '--val', '--test', '--shots'].includes(k) || i + 1 >= argv.length) usage(`bad argument ${k}`);
    a[k.slice(2)] = argv[i + 1];
  }
  if (a.shots !== undefined) {
    if (!/^[1-9][0-9]{0,5}$/.test(a.shots)) usage('--shots must be a positive integer');
    a.shots = Number(a.shots);
    if (a.val) usage('--shots measures without a validation file: leave out --val');
  }
  const required = a.shots ? ['train', 'test'] : ['train', 'val', 'test'];
  for (const k of required) if (!a[k]) usage(`--${k} is required`);
  return a;
}

function load(path) {
  const rows = [];
  const lines = fs.readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const o = JSON.parse(line);
    if (typeof o.text !== 'string' || typeof o.label !== 'string' || !o.label)
      usage(`${path}:${i + 1}: expected {"text": string, "label": non-empty string}`);
    rows.push(o);
  });
  return rows;
}

const isOos = (label) => label === 'oos';

/* The first k rows of each label (out-of-scope too), in file order: the
 * selection of `loket eval --shots K` (src/eval/eval.c keep_shots). */
function keepShots(rows, k) {
  const count = new Map();
  return rows.filter((row) => {
    const c = count.get(row.label) || 0;
    count.set(row.label, c + 1);
    return c < k;
  });
}

/* NLP.js's own default threshold (@nlpjs/nlp settings.threshold). */
const NLPJS_DEFAULT_THRESHOLD = 0.5;
const ORACLE_PRECISION = 0.95;

/* The oracle, over the thresholds that the test confidences offer: the
 * lowest at which answered precision on the test items reaches `target`
 * (the most answers at that precision), reached: true; if none reaches it,
 * the lowest at which precision is highest, reached: false. */
function oracleThreshold(srcItems, target) {
  const items = srcItems.filter((it) => it.confidence >= 0).sort((x, y) => y.confidence - x.confidence);
  let answered = 0;
  let right = 0;
  let hit = null;
  let bestT = NLPJS_DEFAULT_THRESHOLD;
  let bestP = -1;
  for (let i = 0; i < items.length; i += 1) {
    answered += 1;
    if (items[i].correct) right += 1;
    if (i + 1 < items.length && items[i + 1].confidence === items[i].confidence) continue;
    const p = right / answered;
    if (p >= target) hit = items[i].confidence;
    if (p >= bestP) {
      bestP = p;
      bestT = items[i].confidence;
    }
  }
  return hit === null ? { threshold: bestT, reached: false } : { threshold: hit, reached: true };
}

/* NLP.js's answer to one text: its top intent and score; "None" (NLP.js
 * found no intent) is a decline at every threshold: confidence -1. */
async function decide(nlp, text) {
  const r = await nlp.process('en', text);
  if (!r.intent || r.intent === 'None') return { intent: null, confidence: -1 };
  return { intent: r.intent, confidence: r.score };
}

async function scoreAll(nlp, rows) {
  const items = [];
  for (const row of rows) {
    const d = await decide(nlp, row.text);
    const oos = isOos(row.label);
    items.push({ confidence: d.confidence, correct: !oos && d.intent === row.label, oos });
  }
  return items;
}

/* src/eval/eval.c lk_eval_threshold_weighted(items, n, -1), line for line:
 * the threshold that maximises the share of items handled right (answered
 * with the right label, or out of scope and declined); ties: the highest. */
function chooseThreshold(srcItems) {
  const items = srcItems.slice().sort((x, y) => y.confidence - x.confidence);
  const n = items.length;
  let nIn = 0;
  let nOos = 0;
  for (const it of items) {
    if (it.oos) nOos += 1;
    else nIn += 1;
  }
  if (!n) return 0.5;
  const w = nOos / n;
  const wIn = nIn ? (1 - w) / nIn : 0;
  const wOos = nOos ? w / nOos : 0;
  let score = wOos * nOos;
  let best = score;
  let bestT = Math.min(nextUp(items[0].confidence), 1);
  for (let i = 0; i < n; i += 1) {
    if (items[i].correct) score += wIn;
    if (items[i].oos) score -= wOos;
    if (i + 1 < n && items[i + 1].confidence === items[i].confidence) continue;
    if (score > best + 1e-12) {
      best = score;
      bestT = items[i].confidence;
    }
  }
  return bestT;
}

/* The next double above x (C's nextafter(x, 2.0) for finite x). */
function nextUp(x) {
  if (x === 0) return Number.MIN_VALUE;
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  const bits = b.getBigUint64(0);
  b.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return b.getFloat64(0);
}

/* src/eval/eval.c figures(): the CONTRACT's four figures at threshold t. */
function figures(items, t) {
  let nIn = 0;
  let nOos = 0;
  let right = 0;
  let ansIn = 0;
  let oosDeclined = 0;
  let answered = 0;
  let answeredRight = 0;
  for (const it of items) {
    const a = it.confidence >= 0 && it.confidence >= t;
    if (it.oos) {
      nOos += 1;
      if (!a) oosDeclined += 1;
    } else {
      nIn += 1;
      if (a) ansIn += 1;
      if (a && it.correct) right += 1;
    }
    if (a) answered += 1;
    if (a && it.correct) answeredRight += 1;
  }
  return {
    in_scope_accuracy: nIn ? right / nIn : 0,
    oos_recall: nOos ? oosDeclined / nOos : 0,
    answered_precision: answered ? answeredRight / answered : 1,
    coverage: nIn ? ansIn / nIn : 0,
    n_oos: nOos,
  };
}

const round6 = (x) => Number(x.toPrecision(6));

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const allTrain = load(args.train);
  const train = args.shots ? keepShots(allTrain, args.shots) : allTrain;
  const val = args.shots ? [] : load(args.val);
  const test = load(args.test);

  const nlp = new Nlp({ languages: ['en'], autoSave: false, autoLoad: false, threshold: 0, nlu: { log: false } });
  nlp.use(LangEn);
  nlp.use(LangNl); /* what a Dutch + English bot loads; CLINC150 is English */
  const intents = new Set();
  for (const row of train) {
    if (isOos(row.label)) {
      if (args.oosAsNone) nlp.addDocument('en', row.text, 'None');
      continue;
    }
    nlp.addDocument('en', row.text, row.label);
    intents.add(row.label);
  }
  const t0 = process.hrtime.bigint();
  await nlp.train();
  const trainSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  const vitems = await scoreAll(nlp, val);
  const threshold = args.shots ? NLPJS_DEFAULT_THRESHOLD : chooseThreshold(vitems);
  const vf = figures(vitems, threshold);

  const t1 = process.hrtime.bigint();
  const titems = await scoreAll(nlp, test);
  const testSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
  const tf = figures(titems, threshold);

  const out = {
    system: 'NLP.js',
    version: require('@nlpjs/nlp/package.json').version,
    oos_training: args.oosAsNone ? 'None intent' : 'left out',
    n_test: test.length,
    in_scope_accuracy: round6(tf.in_scope_accuracy),
    oos_recall: round6(tf.oos_recall),
    answered_precision: round6(tf.answered_precision),
    coverage: round6(tf.coverage),
    train_seconds: round6(trainSeconds),
    us_per_query: round6((testSeconds * 1e6) / test.length),
    decisions_per_second: round6(test.length / testSeconds),
    threshold: round6(threshold),
    threshold_method: args.shots ? 'nlpjs_default' : 'val_accuracy',
    n_train: train.length,
    n_articles: intents.size,
    n_test_oos: tf.n_oos,
    wrong_answer_rate: round6(1 - tf.answered_precision),
  };
  if (args.shots) {
    out.shots = args.shots;
    const o = oracleThreshold(titems, ORACLE_PRECISION);
    const of = figures(titems, o.threshold);
    out.oracle = {
      target_precision: ORACLE_PRECISION,
      reached: o.reached,
      threshold: round6(o.threshold),
      in_scope_accuracy: round6(of.in_scope_accuracy),
      oos_recall: round6(of.oos_recall),
      answered_precision: round6(of.answered_precision),
      coverage: round6(of.coverage),
    };
  } else {
    Object.assign(out, {
      n_val: val.length,
      n_val_oos: vf.n_oos,
      val_in_scope_accuracy: round6(vf.in_scope_accuracy),
      val_oos_recall: round6(vf.oos_recall),
      val_answered_precision: round6(vf.answered_precision),
      val_coverage: round6(vf.coverage),
    });
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err) => {
  process.stderr.write(`clinc150.js: ${err && err.stack ? err.stack : err}\n`);
  process.exit(2);
});
