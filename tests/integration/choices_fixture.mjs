// A small web-shop knowledge base in which two articles are close (returning
// shoes and returning clothes), for the choices and several-questions tests
// (issue 15): tests/integration/choices.test.mjs and the widget's browser
// test. Started on a fresh data directory with only these articles. The two
// return articles have parallel example questions that differ only in the
// item ("kleding" / "schoenen"), so that a return question naming neither is
// as close to one as to the other, whatever the classifier learns from the
// answers' texts.

import path from 'node:path';
import { freshDataDir, runCli, startServer, SOURCE_DIR } from './helpers.mjs';

export const KB_FILE = path.join(SOURCE_DIR, 'tests/integration/choices_kb.json');

// A question the bot is unsure about: both return articles are close.
export const UNSURE_NL = 'Hoe stuur ik iets terug?';
export const UNSURE_NL_2 = 'Hoe stuur ik het terug?';
export const CLOSE = ['retour-kleding', 'retour-schoenen'];

// Imports the knowledge base into a fresh data directory and starts the
// server on it; t.after() stops nothing, the caller does (or passes t).
export async function startChoicesServer({ t, env, args } = {}) {
  const d = freshDataDir();
  const r = await runCli(['kb', 'import', KB_FILE, '--data', d.dir, '--replace']);
  if (r.code !== 0) throw new Error(`kb import: ${r.stderr}`);
  const srv = await startServer({ dataDir: d.dir, env, args, t });
  srv.cleanup = d.cleanup;
  if (t) t.after(() => d.cleanup());
  return srv;
}
