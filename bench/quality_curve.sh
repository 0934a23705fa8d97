#!/bin/sh
# bench/quality_curve.sh: loket eval on CLINC150 (train / val / test), the
# curve of answered precision and coverage against the answering threshold as
# CSV, and that curve rendered to SVG with awk (no plotting package needed).
#
#   bench/quality_curve.sh [LOKET_BIN] [OUT_DIR]     (defaults: build/loket, docs/)
set -eu
BIN=${1:-build/loket}
OUT=${2:-docs}
DATA=${LOKET_DATA_DIR:-../shared/data/clinc150}
mkdir -p "$OUT"
CSV="$OUT/quality_curve.csv"
"$BIN" eval --train "$DATA/train.jsonl" --val "$DATA/val.jsonl" --test "$DATA/test.jsonl" --curve "$CSV"
"$BIN" eval --train "$DATA/train.jsonl" --val "$DATA/val.jsonl" --test "$DATA/test.jsonl" --target-error 0.05
awk -F, -v W=640 -v H=400 -v L=60 -v B=50 -v T=20 -v R=150 '
function x(t) { return L + t * (W - L - R) }
function y(v) { return T + (1 - v) * (H - T - B) }
NR == 1 { next }
{ t[NR] = $1; p[NR] = $2; c[NR] = $3; a[NR] = $4; o[NR] = $5; n = NR }
END {
  printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H
  printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
  for (g = 0; g <= 10; g++) {
    printf "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", x(0), y(g / 10), x(1), y(g / 10)
    printf "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n", x(0) - 6, y(g / 10) + 4, g / 10
    printf "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.1f</text>\n", x(g / 10), y(0) + 18, g / 10
  }
  printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">answering threshold (confidence)</text>\n", x(0.5), H - 8
  split("#1f77b4 #2ca02c #ff7f0e #d62728", col, " ")
  split("answered precision|coverage|in-scope accuracy|out-of-scope recall", name, "|")
  for (s = 1; s <= 4; s++) {
    d = ""
    for (i = 2; i <= n; i++) {
      v = s == 1 ? p[i] : s == 2 ? c[i] : s == 3 ? a[i] : o[i]
      d = d sprintf("%s%.1f,%.1f ", i == 2 ? "M" : "L", x(t[i]), y(v))
    }
    printf "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"/>\n", d, col[s], s <= 2 ? 2.5 : 1.2
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2.5\"/>\n", W - R + 10, T + 20 * s, W - R + 30, T + 20 * s, col[s]
    printf "<text x=\"%d\" y=\"%d\">%s</text>\n", W - R + 35, T + 20 * s + 4, name[s]
  }
  printf "</svg>\n"
}' "$CSV" > "$OUT/quality_curve.svg"
echo "wrote $CSV and $OUT/quality_curve.svg" >&2
