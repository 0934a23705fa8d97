#!/bin/sh
# lexicon.sh: derives loket's synonym lexicon (src/nlu/synonyms.c) from the
# installed Debian packages, reproducibly: the same packages give the same
# file, byte for byte. CMake runs it at build time; nothing it makes is
# committed.
#   scripts/lexicon.sh OUT [DATADIR] [--no-freedict]
# DATADIR (default /usr/share) holds hunspell/nl.dic, wordnet/index.* and
# dictd/freedict-{nld-eng,eng-nld}.dict.dz. --no-freedict (CMake:
# -DLOKET_LEXICON_FREEDICT=OFF) leaves FreeDict's GPL-2+ data out: the
# lexicon then holds WordNet's English pairs only (the Dutch pairs and the
# Dutch-English translations come from FreeDict).
#
# Sources and licences (see docs/quality.md, "The synonym lexicon"):
#   hunspell-nl            OpenTaal's Dutch word list (BSD-2-Clause or CC BY 3.0):
#                          which Dutch words are current spelling
#   wordnet-base           Princeton WordNet 3.0 (WordNet licence, BSD-like):
#                          English synonyms and which English words exist
#   dict-freedict-nld-eng  FreeDict Dutch-English (GPL-2+)
#   dict-freedict-eng-nld  FreeDict English-Dutch (GPL-2+)
#
# Output, one pair a line, tab-separated, sorted (LC_ALL=C), '#' lines are
# comments:
#   en     a  b   English words a and b share a synset that is among the two
#                 most frequent senses of both, and has at most 4 one-word
#                 members of which a and b are such; both words were seen in
#                 WordNet's sense-tagged corpus in that part of speech
#   nl     a  b   Dutch words (current spelling) that share at least two
#                 English translations, each of which has at most 6 Dutch words
#   nl-en  a  b   Dutch a translates as English b, in both dictionaries, or in
#                 one when a has at most 3 translations and b at most 3 Dutch
#                 words
# Words are single lowercase ASCII words of 3 to 30 letters.
set -eu
out=${1:?usage: lexicon.sh OUT [DATADIR] [--no-freedict]}
d=${2:-/usr/share}
freedict=yes
case ${3:-} in
  "") ;;
  --no-freedict) freedict=no ;;
  *) echo "lexicon.sh: unknown option $3" >&2; exit 1 ;;
esac
LC_ALL=C
export LC_ALL
inputs="$d/hunspell/nl.dic $d/wordnet/index.noun $d/wordnet/index.verb $d/wordnet/index.adj $d/wordnet/index.adv"
[ "$freedict" = no ] || inputs="$inputs $d/dictd/freedict-nld-eng.dict.dz $d/dictd/freedict-eng-nld.dict.dz"
for f in $inputs; do
  [ -r "$f" ] || { echo "lexicon.sh: $f is missing: run scripts/deps.sh build" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Dutch words of current spelling (hunspell-nl's stems, flags cut off).
sed -e '1d' -e 's:/.*::' "$d/hunspell/nl.dic" | grep -E '^[a-z]{3,30}$' | sort -u >"$tmp/nl.words"

# English words WordNet knows, and its English synonym pairs.
cat "$d/wordnet/index.noun" "$d/wordnet/index.verb" "$d/wordnet/index.adj" "$d/wordnet/index.adv" |
  awk '/^ / { next }
       { w = $1; if (w !~ /^[a-z][a-z][a-z]+$/ || length(w) > 30) next
         print w > "'"$tmp"'/en.words"
         # lemma pos synset_cnt p_cnt ptr... sense_cnt tagsense_cnt offsets (most frequent first)
         n = $3; p = $4; first = 5 + p + 2
         if ($(first - 1) < 1) next # never seen in the sense-tagged corpus in this part of speech
         for (i = 0; i < 2 && i < n; i++) print $2 ":" $(first + i), w }' |
  sort -u >"$tmp/en.core"
sort -u -o "$tmp/en.words" "$tmp/en.words"
awk '{ if ($1 != k) { flush(); k = $1; m = 0 } s[++m] = $2 }
     function flush(  i, j) { if (m >= 2 && m <= 4) for (i = 1; i <= m; i++) for (j = 1; j <= m; j++) if (i != j) print "en\t" s[i] "\t" s[j] }
     END { flush() }' "$tmp/en.core" | sort -u >"$tmp/en.pairs"

if [ "$freedict" = no ]; then
  : >"$tmp/nlen.pairs"
  : >"$tmp/nl.pairs"
else
  # FreeDict: headword lines end in " /IPA/"; the lines below them are the
  # translations ("1. a, b" numbered per sense, or "a, b").
  freedict() { # file -> "headword<TAB>translation" for one-word lowercase pairs
    zcat "$1" | awk '
      / \/[^\/]*\/$/ { hw = $0; sub(/ \/[^\/]*\/$/, "", hw); if (hw !~ /^[a-z]+$/) hw = ""; next }
      hw != "" && NF { t = $0; sub(/^[0-9]+\. /, "", t); n = split(t, a, /, */)
                       for (i = 1; i <= n; i++) if (a[i] ~ /^[a-z]+$/) print hw "\t" a[i] }'
  }
  { freedict "$d/dictd/freedict-nld-eng.dict.dz" | awk -F'\t' '{ print $1 "\t" $2 "\tnld" }'
    freedict "$d/dictd/freedict-eng-nld.dict.dz" | awk -F'\t' '{ print $2 "\t" $1 "\teng" }'
  } | sort -u >"$tmp/tr.raw"
  # keep Dutch words hunspell-nl knows and English words WordNet knows, 3-30 letters
  awk -F'\t' 'FILENAME == ARGV[1] { nl[$1] = 1; next } FILENAME == ARGV[2] { en[$1] = 1; next }
              ($1 in nl) && ($2 in en) && length($1) >= 3 && length($2) >= 3 && length($1) <= 30 && length($2) <= 30' \
    "$tmp/nl.words" "$tmp/en.words" "$tmp/tr.raw" >"$tmp/tr"
  # pair -> in how many dictionaries; word -> how many translations
  awk -F'\t' '{ k = $1 "\t" $2; if (!(k in src)) { ne[$1]++; nn[$2]++; order[++n] = k } src[k]++ }
              END { for (i = 1; i <= n; i++) { split(order[i], a, "\t")
                      if (src[order[i]] >= 2 || (ne[a[1]] <= 3 && nn[a[2]] <= 3)) print "nl-en\t" order[i] } }' \
    "$tmp/tr" | sort -u >"$tmp/nlen.pairs"
  # Dutch pairs that share at least two English translations that are not too ambiguous
  awk -F'\t' '{ k = $1 "\t" $2; if (k in seen) next; seen[k] = 1; c[$2]++; w[$2] = w[$2] " " $1 }
              END { for (e in w) { if (c[e] > 6) continue; n = split(w[e], a, " ")
                      for (i = 1; i <= n; i++) for (j = 1; j <= n; j++) if (i != j) print a[i] "\t" a[j] } }' "$tmp/tr" |
    sort | uniq -c | awk '$1 >= 2 { print "nl\t" $2 "\t" $3 }' | sort -u >"$tmp/nl.pairs"
fi

{
  if [ "$freedict" = no ]; then
    echo "# loket synonym lexicon: derived by scripts/lexicon.sh --no-freedict from Debian's wordnet-base"
    echo "# (Princeton WordNet 3.0, WordNet licence). Generated: do not edit."
  else
    echo "# loket synonym lexicon: derived by scripts/lexicon.sh from Debian's hunspell-nl (OpenTaal,"
    echo "# BSD-2-Clause or CC BY 3.0), wordnet-base (Princeton WordNet 3.0, WordNet licence) and"
    echo "# dict-freedict-nld-eng, dict-freedict-eng-nld (FreeDict, GPL-2+). Generated: do not edit."
  fi
  echo "# $(wc -l <"$tmp/en.pairs") en, $(wc -l <"$tmp/nl.pairs") nl, $(wc -l <"$tmp/nlen.pairs") nl-en pairs"
  cat "$tmp/en.pairs" "$tmp/nl.pairs" "$tmp/nlen.pairs"
} >"$out.tmp"
mv "$out.tmp" "$out"
