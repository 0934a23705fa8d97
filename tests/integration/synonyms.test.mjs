// The synonym lexicon (issue 15, part 3; src/nlu/synonyms.c) through the real
// binary: `loket eval --explain` on a small Dutch web shop whose example
// questions say "verzenden" and "factuur" finds the articles for questions
// that say "opsturen" and "invoice" (words no example question has, linked
// by the lexicon derived from FreeDict), and names the synonym it read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.LOKET_BIN || 'build/loket';

const TRAIN = {
  retour: ['hoe kan ik iets retourneren', 'ik wil mijn bestelling terugsturen', 'retour aanmelden',
    'kan ik het terugsturen', 'binnen hoeveel dagen retourneren'],
  pakket: ['waar blijft mijn pakket', 'mijn pakket is nog niet bezorgd', 'wanneer wordt mijn pakket geleverd',
    'track and trace werkt niet', 'pakket niet ontvangen'],
  verzenden: ['hoe lang duurt het verzenden', 'wanneer gaan jullie mijn spullen verzenden', 'verzenden naar belgie',
    'kunnen jullie vandaag nog verzenden', 'verzenden met postnl'],
  factuur: ['waar vind ik mijn factuur', 'factuur downloaden', 'ik heb een factuur nodig', 'factuur kwijt',
    'factuur op bedrijfsnaam'],
  korting: ['hoe krijg ik korting', 'kortingscode werkt niet', 'korting voor studenten',
    'is er korting op grote bestellingen', 'waar voer ik de korting in'],
  open: ['wat zijn de openingstijden', 'hoe laat gaan jullie open', 'zijn jullie zondag open', 'openingstijden winkel',
    'is de winkel open op feestdagen'],
};
const TEST = [
  { text: 'wanneer gaan jullie het opsturen', label: 'verzenden', word: 'opsturen', as: 'verzenden' },
  { text: 'where can i find my invoice', label: 'factuur', word: 'invoice', as: 'factuur' },
  { text: 'wanneer gaan jullie het blorpen', label: 'verzenden' },
];

test('loket eval --explain: a question in other words finds the article and names the synonym', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loket-synonyms-'));
  try {
    const train = Object.entries(TRAIN).flatMap(([label, qs]) => qs.map((text) => JSON.stringify({ text, label })));
    writeFileSync(join(dir, 'train.jsonl'), train.join('\n') + '\n');
    writeFileSync(join(dir, 'test.jsonl'), TEST.map(({ text, label }) => JSON.stringify({ text, label })).join('\n') + '\n');
    const r = spawnSync(BIN, ['eval', '--train', join(dir, 'train.jsonl'), '--test', join(dir, 'test.jsonl'), '--explain'],
      { encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, TEST.length + 1);
    for (const [i, want] of TEST.entries()) {
      const e = lines[i];
      assert.equal(e.text, want.text);
      if (want.word) {
        assert.equal(e.top[0].label, want.label, JSON.stringify(e));
        assert.deepEqual(e.synonyms, { [want.word]: want.as }, JSON.stringify(e));
        assert.ok(e.matched.includes(want.word), JSON.stringify(e));
        assert.ok(!e.unknown.includes(want.word), JSON.stringify(e));
      } else { // a word in no dictionary: unknown, and no synonym named
        assert.equal(e.synonyms, undefined, JSON.stringify(e));
        assert.ok(e.unknown.includes('blorpen'), JSON.stringify(e));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
