/*
 * Splitting a customer's message into the questions it asks, so that the
 * bot can answer each part its knowledge base supports and decline the rest
 * (docs/policy.md, "Several questions"). One reading of a whole message
 * finds at most one article with confidence; read part by part, "Hoe lang
 * duurt de levering en wat kost verzenden?" finds both.
 *
 * The rules are deliberately plain, so that a message that asks one thing
 * is never cut up: a piece is a question when it ends with a question mark,
 * starts with a question word or a request ("ik wil", "I need"), or is an
 * item of a list; everything else is context and stays with the question
 * after it (or, at the end, before it). Fewer than two questions: the whole
 * message is one part. Pure: bytes in, spans out; no allocation.
 */
#include "nlu/nlu.h"
#include "text/text.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define MAX_PIECES 32

typedef struct {
    size_t off, len;
    bool question;
} piece_t;

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80 || c == '\'';
}

/* Words that open a question (Dutch and English, lower case). */
static const char *const question_words[] = {
    "wat",     "wie",      "waar",   "wanneer", "waarom", "hoe",    "welke",   "welk",  "hoeveel", "hoelang",
    "waarmee", "waarvoor", "waarop", "kan",     "kun",    "kunnen", "kunt",    "mag",   "mogen",   "moet",
    "moeten",  "is",       "zijn",   "heb",     "hebben", "heeft",  "hebt",    "wordt", "worden",  "zal",
    "zou",     "zouden",   "krijg",  "krijgt",  "werkt",  "klopt",  "bestaat", "what",  "who",     "where",
    "when",    "why",      "how",    "which",   "can",    "could",  "may",     "do",    "does",    "did",
    "are",     "was",      "were",   "will",    "would",  "should", "have",    "has",   "shall",   NULL};

/* Two-word openers of a request that asks without a question mark. */
static const char *const request_openers[][2] = {
    {"ik", "wil"}, {"ik", "zou"}, {"ik", "zoek"}, {"i", "want"}, {"i", "need"}, {"i'd", "like"}, {"i", "would"},
};

/* The word at p (letters only), its length in *wl; p is advanced past any
 * non-letters first. NULL at the end. */
static const char *next_word(const char *p, const char *end, size_t *wl)
{
    while (p < end && !is_alpha((unsigned char)*p))
        p++;
    if (p >= end)
        return NULL;
    const char *w = p;
    while (p < end && is_alpha((unsigned char)*p))
        p++;
    *wl = (size_t)(p - w);
    return w;
}

static size_t count_words(const char *p, const char *end)
{
    size_t n = 0, wl;
    const char *w;
    while ((w = next_word(p, end, &wl)) != NULL) {
        n++;
        p = w + wl;
    }
    return n;
}

static bool opens_question(const char *p, const char *end)
{
    size_t wl, wl2;
    const char *w = next_word(p, end, &wl);
    if (!w)
        return false;
    if (lk_text_word_in(w, wl, question_words))
        return true;
    const char *w2 = next_word(w + wl, end, &wl2);
    if (!w2)
        return false;
    for (size_t i = 0; i < sizeof request_openers / sizeof request_openers[0]; i++)
        if (lk_text_word_is(w, wl, request_openers[i][0]) && lk_text_word_is(w2, wl2, request_openers[i][1]))
            return true;
    return false;
}

/* Skips a list marker at the start of a line ("-", "*", "•", "1.", "2)",
 * "a)") followed by a space; *is_item tells whether there was one. */
static const char *skip_marker(const char *p, const char *end, bool *is_item)
{
    *is_item = false;
    const char *q = p;
    if (q < end && (*q == '-' || *q == '*'))
        q++;
    else if (end - q >= 3 && (unsigned char)q[0] == 0xE2 && (unsigned char)q[1] == 0x80 && (unsigned char)q[2] == 0xA2)
        q += 3;
    else {
        const char *d = q;
        while (d < end && d - q < 3 && *d >= '0' && *d <= '9')
            d++;
        if (d == q && d < end && *d >= 'a' && *d <= 'z' && d + 1 < end && d[1] == ')')
            d++;
        if (d == q || d >= end || (*d != '.' && *d != ')'))
            return p;
        q = d + 1;
    }
    if (q < end && (*q == ' ' || *q == '\t')) {
        *is_item = true;
        return q + 1;
    }
    return p;
}

static void trim(const char *text, size_t *off, size_t *len)
{
    while (*len && is_space((unsigned char)text[*off])) {
        (*off)++;
        (*len)--;
    }
    while (*len && is_space((unsigned char)text[*off + *len - 1]))
        (*len)--;
}

static void add_piece(piece_t *v, size_t *n, const char *text, size_t off, size_t len, bool question)
{
    trim(text, &off, &len);
    if (len == 0 || count_words(text + off, text + off + len) == 0)
        return;
    if (*n == MAX_PIECES) { /* a very long message: the rest joins the last piece */
        piece_t *last = &v[*n - 1];
        last->len = off + len - last->off;
        last->question = last->question || question;
        return;
    }
    v[(*n)++] = (piece_t){off, len, question};
}

/* Where sentence [s, e) splits at "en"/"and" before a new question: the
 * offset of the connector word, or 0 for none. The part after it must open
 * a question and both sides must have two words or more. */
static size_t find_join(const char *text, size_t s, size_t e, size_t *after)
{
    const char *end = text + e;
    const char *p = text + s;
    size_t wl;
    const char *w;
    while ((w = next_word(p, end, &wl)) != NULL) {
        p = w + wl;
        if (!(lk_text_word_is(w, wl, "en") || lk_text_word_is(w, wl, "and")) || w == text + s)
            continue;
        if (count_words(text + s, w) < 2 || count_words(p, end) < 2 || !opens_question(p, end))
            continue;
        *after = (size_t)(p - text);
        return (size_t)(w - text);
    }
    return 0;
}

/* One sentence [s, e): a question or context, cut at "en"/"and" joins. */
static void add_sentence(piece_t *v, size_t *n, const char *text, size_t s, size_t e, bool item)
{
    size_t off = s, len = e - s;
    trim(text, &off, &len);
    if (len == 0)
        return;
    s = off;
    e = off + len;
    bool q = item || text[e - 1] == '?' || opens_question(text + s, text + e);
    if (!q) {
        add_piece(v, n, text, s, e - s, false);
        return;
    }
    for (;;) {
        size_t after = 0, at = find_join(text, s, e, &after);
        if (!at)
            break;
        size_t cut = at;
        while (cut > s && (is_space((unsigned char)text[cut - 1]) || text[cut - 1] == ','))
            cut--;
        add_piece(v, n, text, s, cut - s, true);
        s = after;
    }
    add_piece(v, n, text, s, e - s, true);
}

size_t lk_nlu_split(const char *text, size_t len, lk_nlu_span_t *parts, size_t max)
{
    if (!parts || max == 0)
        return 0;
    if (max > LK_NLU_SPLIT_MAX)
        max = LK_NLU_SPLIT_MAX;
    parts[0] = (lk_nlu_span_t){0, len};
    if (!text || len == 0)
        return 1;

    piece_t v[MAX_PIECES];
    size_t n = 0;
    size_t i = 0;
    while (i < len) {
        /* one line: its list marker, then its sentences */
        size_t line_end = i;
        while (line_end < len && text[line_end] != '\n')
            line_end++;
        size_t ls = i;
        while (ls < line_end && (text[ls] == ' ' || text[ls] == '\t'))
            ls++;
        bool item;
        size_t s = (size_t)(skip_marker(text + ls, text + line_end, &item) - text);
        for (size_t k = s; k < line_end; k++) {
            char c = text[k];
            bool stop =
                c == '?' || ((c == '.' || c == '!') && (k + 1 == line_end || is_space((unsigned char)text[k + 1])));
            if (!stop)
                continue;
            while (k + 1 < line_end && (text[k + 1] == '?' || text[k + 1] == '!' || text[k + 1] == '.'))
                k++;
            add_sentence(v, &n, text, s, k + 1, item);
            s = k + 1;
        }
        add_sentence(v, &n, text, s, line_end, item);
        i = line_end + 1;
    }

    size_t n_q = 0;
    for (size_t k = 0; k < n; k++)
        n_q += v[k].question;
    if (n_q < 2)
        return 1;

    /* context goes with the next question, trailing context with the last */
    size_t out = 0;
    size_t start = SIZE_MAX;
    for (size_t k = 0; k < n; k++) {
        if (start == SIZE_MAX)
            start = v[k].off;
        if (!v[k].question)
            continue;
        size_t end = v[k].off + v[k].len;
        if (out < max) {
            parts[out++] = (lk_nlu_span_t){start, end - start};
        } else { /* more questions than parts: the rest stay in the last */
            parts[max - 1].len = end - parts[max - 1].off;
        }
        start = SIZE_MAX;
    }
    if (start != SIZE_MAX) {
        lk_nlu_span_t *last = &parts[out - 1];
        const piece_t *tail = &v[n - 1];
        last->len = tail->off + tail->len - last->off;
    }
    return out;
}
