/*
 * signals.c: what the conversation policy needs to know besides the best
 * article: does the customer ask for a person, ask whether this is a bot, is
 * angry, file a complaint, ask several things at once, or repeat themselves.
 *
 * Each signal is a small lexicon of Dutch and English cues with weights,
 * matched on folded words without accents, tolerant of one typo in longer
 * words ("medewerkr"), combined as a noisy-or: score = 1 - prod(1 - w).
 * Cues that need company (a verb and a person: "kan ik iemand spreken") are
 * pairs. Lexicons are deliberately explicit so that the tests can read like
 * the customers they stand for.
 */
#include "nlu/nlu_int.h"

#include "util/util.h"

#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 96

/* A cue: a word, or a prefix when it ends in '*'. Typos: words of 5+ letters
 * match at edit distance 1 (8+ letters: 2). */
typedef struct {
    const char *w;
    size_t len; /* strlen(w) */
    double weight;
} cue_t;

#define CUE(word, weight) {word, sizeof(word) - 1, weight}

typedef lk_nlu__prep_t words_t;

static int words_load(words_t *ws, const char *text, size_t len)
{
    return lk_nlu__prep(text, len, ws);
}

static void words_free(words_t *ws)
{
    lk_nlu__prep_free(ws);
}

size_t lk_nlu__edit_distance(const char *a, size_t na, const char *b, size_t nb, size_t max)
{
    if (na > nb + max || nb > na + max)
        return max + 1;
    if (nb > 63)
        return max + 1;
    size_t prev[64], cur[64];
    for (size_t j = 0; j <= nb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = i;
        size_t rowmin = cur[0];
        for (size_t j = 1; j <= nb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            size_t v = sub < del ? sub : del;
            cur[j] = v < ins ? v : ins;
            if (cur[j] < rowmin)
                rowmin = cur[j];
        }
        if (rowmin > max)
            return max + 1;
        memcpy(prev, cur, (nb + 1) * sizeof *prev);
    }
    return prev[nb] > max ? max + 1 : prev[nb];
}

static uint32_t letter_mask(const char *s, size_t n)
{
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i];
        m |= 1u << (c >= 'a' && c <= 'z' ? c - 'a' : 26 + (c & 3));
    }
    return m;
}

/* Edit distance <= max is impossible when the letter sets differ by more
 * than 2 * max letters: a cheap test before the dynamic programme. */
static bool maybe_close(const char *a, size_t na, const char *b, size_t nb, size_t max)
{
    if (na > nb + max || nb > na + max)
        return false;
    return (size_t)__builtin_popcount(letter_mask(a, na) ^ letter_mask(b, nb)) <= 2 * max;
}

/* The first test of cue_matches(), cheap enough to run on every cue of a
 * list before calling it: typos keep the first or the second letter. */
static inline bool cue_may_match(const char *cue, const char *w, size_t wl)
{
    return w[0] == cue[0] || (wl >= 5 && w[1] == cue[1]);
}

static bool cue_matches(const cue_t *c, const char *w, size_t wl)
{
    const char *cue = c->w;
    if (!cue_may_match(cue, w, wl))
        return false;
    size_t cl = c->len;
    bool prefix = cl && cue[cl - 1] == '*';
    if (prefix) {
        cl--;
        if (wl >= cl && !memcmp(w, cue, cl))
            return true;
    } else if (cl == wl && !memcmp(w, cue, cl)) {
        return true;
    }
    /* Typos only past this point. A common word spelled right is no typo of
     * a cue ("wordt" is not "worst"). */
    if (cl < 5 || lk_text_is_stopword(NULL, w, wl))
        return false;
    if (prefix) {
        /* a typo in the stem part: compare the start of the word, as long as
         * the stem or one letter longer (a letter typed twice or inserted:
         * "medewwerker") */
        if (wl + 1 < cl)
            return false;
        size_t lens[2] = {wl < cl ? wl : cl, wl > cl ? cl + 1 : 0};
        for (size_t i = 0; i < 2; i++)
            if (lens[i] && maybe_close(cue, cl, w, lens[i], 1) && lk_nlu__edit_distance(cue, cl, w, lens[i], 1) <= 1)
                return true;
        return false;
    }
    size_t max = cl >= 8 ? 2 : 1;
    if (!maybe_close(cue, cl, w, wl, max))
        return false;
    size_t d = lk_nlu__edit_distance(cue, cl, w, wl, max);
    /* Two typos only where the word keeps the cue's first two letters and its
     * last: otherwise common words two letters away read as cues
     * ("eigenlijk" is not "ergerlijk"). */
    return d <= 1 || (d == 2 && wl >= 2 && w[0] == cue[0] && w[1] == cue[1] && w[wl - 1] == cue[cl - 1]);
}

/* Which cues of a list can match any word of the message at all: a cue
 * must share its first letter with a word, or its second with a word of 5+
 * letters (cue_may_match). Found once per list and message from two letter
 * masks, so that each word is then tried against a few cues instead of all
 * (the lists are scanned for every message). The cues stay in list order. */
#define MAX_CUES 128

typedef struct {
    uint16_t k[MAX_CUES];
    size_t n;
} cands_t;

static uint32_t letter_bit(unsigned char c)
{
    return 1u << (c >= 'a' && c <= 'z' ? c - 'a' : 26 + (c & 3));
}

static void candidates(const words_t *ws, const cue_t *list, size_t n, cands_t *out)
{
    uint32_t first = 0, second = 0;
    for (size_t i = 0; i < ws->n_toks; i++)
        if (ws->toks[i].type == LK_TOK_WORD) {
            const char *w = ws->norm + ws->toks[i].off;
            first |= letter_bit((unsigned char)w[0]);
            if (ws->toks[i].len >= 5)
                second |= letter_bit((unsigned char)w[1]);
        }
    out->n = 0;
    for (size_t k = 0; k < n && k < MAX_CUES; k++) {
        const char *c = list[k].w;
        if ((first & letter_bit((unsigned char)c[0])) || (c[0] && (second & letter_bit((unsigned char)c[1]))))
            out->k[out->n++] = (uint16_t)k;
    }
}

/* Does word i match one of the cues (indices into list)? *weight gets the
 * first such cue's weight. */
static bool word_cue_in(const words_t *ws, size_t i, const cue_t *list, const uint16_t *ks, size_t nk, double *weight)
{
    if (ws->toks[i].type != LK_TOK_WORD)
        return false;
    const char *w = ws->norm + ws->toks[i].off;
    size_t wl = ws->toks[i].len;
    for (size_t j = 0; j < nk; j++) {
        const cue_t *c = &list[ks[j]];
        if (cue_may_match(c->w, w, wl) && cue_matches(c, w, wl)) {
            if (weight)
                *weight = c->weight;
            return true;
        }
    }
    return false;
}

/* Does word i match a cue of list? *weight gets the first such cue's weight. */
static bool word_cue(const words_t *ws, size_t i, const cue_t *list, size_t n, double *weight)
{
    uint16_t all[MAX_CUES];
    for (size_t k = 0; k < n && k < MAX_CUES; k++)
        all[k] = (uint16_t)k;
    return word_cue_in(ws, i, list, all, n < MAX_CUES ? n : MAX_CUES, weight);
}

/* Index of the first word from start that matches a cue of list, or -1. */
static long find_cue(const words_t *ws, const cue_t *list, size_t n, size_t start, double *weight)
{
    cands_t cs;
    candidates(ws, list, n, &cs);
    for (size_t i = start; cs.n && i < ws->n_toks; i++)
        if (word_cue_in(ws, i, list, cs.k, cs.n, weight))
            return (long)i;
    return -1;
}

/* Noisy-or of every word's best cue weight. */
static double cue_score(const words_t *ws, const cue_t *list, size_t n)
{
    cands_t cs;
    candidates(ws, list, n, &cs);
    double keep = 1.0;
    for (size_t i = 0; cs.n && i < ws->n_toks; i++) {
        double w;
        if (word_cue_in(ws, i, list, cs.k, cs.n, &w))
            keep *= 1.0 - w;
    }
    return 1.0 - keep;
}

static bool has(const words_t *ws, const cue_t *list, size_t n)
{
    return find_cue(ws, list, n, 0, NULL) >= 0;
}

/* Do the words of phrase (single spaces between them) occur consecutively? */
static bool has_phrase(const words_t *ws, const char *phrase)
{
    const char *sp = strchr(phrase, ' ');
    size_t first = sp ? (size_t)(sp - phrase) : strlen(phrase);
    for (size_t i = 0; i < ws->n_toks; i++) {
        const lk_token_t *t = &ws->toks[i];
        if (t->len != first || memcmp(phrase, ws->norm + t->off, first))
            continue;
        /* the first word matches: the rest must follow */
        const char *part = phrase + first;
        size_t k = i + 1;
        while (*part == ' ') {
            part++;
            const char *end = strchr(part, ' ');
            size_t pl = end ? (size_t)(end - part) : strlen(part);
            if (k >= ws->n_toks || ws->toks[k].len != pl || memcmp(part, ws->norm + ws->toks[k].off, pl))
                break;
            part += pl;
            k++;
        }
        if (!*part)
            return true;
    }
    return false;
}

#define N(a) (sizeof(a) / sizeof *(a))

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

static double noisy_or(double a, double b)
{
    return 1.0 - (1.0 - clamp01(a)) * (1.0 - clamp01(b));
}

static double sig_bot_question(const words_t *ws, const char *text, size_t len);

/* ---- a person ------------------------------------------------------------ */

/* Words that on their own ask for a person. */
static const cue_t person_words[] = {
    CUE("medewerker*", 0.85),    CUE("mens", 0.8),         CUE("mensen", 0.6),
    CUE("persoon", 0.55),        CUE("operator", 0.8),     CUE("human", 0.8),
    CUE("humans", 0.7),          CUE("agent", 0.7),        CUE("agents", 0.6),
    CUE("representative", 0.85), CUE("rep", 0.5),          CUE("employee", 0.6),
    CUE("doorverbinden", 0.85),  CUE("doorverbind*", 0.8), CUE("klantenservice", 0.45),
    CUE("servicedesk", 0.45),    CUE("helpdesk", 0.45),    CUE("staff", 0.5),
    CUE("supervisor", 0.6),      CUE("manager", 0.5),      CUE("live", 0.3),
    CUE("echte", 0.3),           CUE("real", 0.3),         CUE("iemand", 0.35),
    CUE("someone", 0.35),        CUE("somebody", 0.35),    CUE("anyone", 0.3),
    CUE("person", 0.55),         CUE("persons", 0.4),      CUE("personeel", 0.5),
    /* German and French: the word the bot's own texts tell them to type */
    CUE("mitarbeiter*", 0.85),   CUE("mensch", 0.8),       CUE("conseiller*", 0.85),
    CUE("humain", 0.8),
};
_Static_assert(N(person_words) <= MAX_CUES, "a cue list holds at most MAX_CUES cues");

/* A request verb, and someone to talk to. */
static const cue_t talk_words[] = {
    CUE("spreken", 1), CUE("praten", 1), CUE("bellen", 1), CUE("chatten", 1),  CUE("contact", 1), CUE("talk", 1),
    CUE("speak", 1),   CUE("chat", 1),   CUE("call", 1),   CUE("transfer", 1), CUE("connect", 1), CUE("contacteren", 1),
};
_Static_assert(N(talk_words) <= MAX_CUES, "a cue list holds at most MAX_CUES cues");
static const cue_t someone_words[] = {
    CUE("iemand", 1),  CUE("someone", 1), CUE("somebody", 1), CUE("anyone", 1),      CUE("person", 1),
    CUE("persoon", 1), CUE("mens", 1),    CUE("human", 1),    CUE("medewerker*", 1), CUE("agent", 1),
    CUE("echt", 1),    CUE("echte", 1),   CUE("real", 1),     CUE("live", 1),
};
_Static_assert(N(someone_words) <= MAX_CUES, "a cue list holds at most MAX_CUES cues");

/* Does the message ask with whom the customer is talking ("chat ik met
 * ...?", "ben ik aan het chatten met ...?", "is this ...?") rather than ask
 * for something ("kan ik ...", "can I ...", "are you able to connect me
 * ...")? */
static bool state_question(const words_t *ws)
{
    static const char *const frames[] = {
        "ben ik", "praat ik", "spreek ik", "chat ik", "am i talking", "am i speaking", "am i chatting",
        "is this", "is dit", "is het", "zit er",
    };
    for (size_t i = 0; i < sizeof frames / sizeof *frames; i++)
        if (has_phrase(ws, frames[i]))
            return true;
    return false;
}

/* bot: the message's bot_question score (computed once for both signals). */
static double person_request(const words_t *ws, double bot)
{
    double s = cue_score(ws, person_words, N(person_words));
    bool talk = has(ws, talk_words, N(talk_words));
    if (talk && has(ws, someone_words, N(someone_words)))
        s = noisy_or(s, 0.85);
    if (has_phrase(ws, "real person") || has_phrase(ws, "echt persoon") || has_phrase(ws, "echte persoon") ||
        has_phrase(ws, "echt mens") || has_phrase(ws, "echte mens") || has_phrase(ws, "live agent"))
        s = noisy_or(s, 0.8);
    /* a department is a request only when the customer wants to talk to it:
     * "opening hours customer service" asks about it */
    if (talk && (has_phrase(ws, "live chat") || has_phrase(ws, "customer service") ||
                 has_phrase(ws, "customer support")))
        s = noisy_or(s, 0.8);
    /* short messages that are nothing but the request: "mens!!", "agent please" */
    if (ws->n_toks <= 3 && s >= 0.5)
        s = noisy_or(s, 0.6);
    /* "am I talking to a human?" is a bot question, not a request; so is
     * "chat ik met een mens?" and "zit er een mens achter deze chat?", whose
     * talk verb asks how things are, not for a change (the reply to a bot
     * question offers a person anyway) */
    if (bot >= 0.5 && !talk)
        s *= 0.5;
    else if (bot >= 0.5 && state_question(ws))
        s = s * 0.5 < 0.45 ? s * 0.5 : 0.45;
    return clamp01(s);
}

static double sig_person_request(const words_t *ws, const char *text, size_t len)
{
    return person_request(ws, sig_bot_question(ws, text, len));
}

/* ---- a bot? -------------------------------------------------------------- */

static const cue_t bot_words[] = {
    CUE("bot", 1),     CUE("robot", 1),       CUE("chatbot", 1),     CUE("machine", 1),   CUE("computer", 1),
    CUE("ai", 1),      CUE("automaat", 1),    CUE("automatisch", 1), CUE("automated", 1), CUE("programma", 1),
    CUE("program", 1), CUE("software", 1),    CUE("mens", 1),        CUE("human", 1),     CUE("echt", 1),
    CUE("echte", 1),   CUE("real", 1),        CUE("persoon", 1),     CUE("person", 1),    CUE("automatic", 1),
    CUE("bots", 1),    CUE("kunstmatige", 1), CUE("artificial", 1),   CUE("computer*", 1), CUE("botje", 1),
    CUE("chatgpt", 1), CUE("menselijk*", 1),  CUE("humans", 1),      CUE("mensen", 1),     CUE("mensch", 1),
    CUE("roboter", 1),
};
_Static_assert(N(bot_words) <= MAX_CUES, "a cue list holds at most MAX_CUES cues");

static const char *const bot_frames[] = {
    "ben ik",     "praat ik",    "spreek ik",     "chat ik",      "ben je",       "ben jij",       "bent u", "is dit",
    "is dat",     "is het",      "are you",       "am i",         "is this",      "is it",         "are u",  "r u",
    "talking to", "speaking to", "chatting with", "talking with", "praat ik met", "spreek ik met",
    "zit er",     "zijn jullie",   "sind sie",     "bist du",   "you a",        "ur a",         "are you",       "ben u",
};

static double sig_bot_question(const words_t *ws, const char *text, size_t len)
{
    double s = 0;
    bool botword = has(ws, bot_words, N(bot_words));
    bool strong = has_phrase(ws, "bot") || has_phrase(ws, "robot") || has_phrase(ws, "chatbot") ||
                  has_phrase(ws, "computer") || has_phrase(ws, "ai") || has_phrase(ws, "machine") ||
                  has_phrase(ws, "automaat") || has_phrase(ws, "bots");
    bool frame = false; /* only asked when it matters */
    for (size_t i = 0; botword && i < N(bot_frames) && !frame; i++)
        frame = has_phrase(ws, bot_frames[i]);
    bool question = memchr(text, '?', len) != NULL;
    if (botword && frame)
        s = strong ? 0.95 : 0.75;
    else if (strong && question)
        s = 0.7;
    else if (strong)
        s = 0.4;
    return s;
}

/* How a bot question is put. Words of a person ("mens", "human", "real")
 * against words of a machine ("bot", "computer", "AI"): only the first ask
 * "are you a person?" (the truthful answer starts with "no"), only the
 * second "are you a bot?" ("yes"). "echt"/"real" beside a machine word
 * ("are you a real bot?") leans to the machine. Both kinds ("a person or a
 * bot?"), a negation ("ben je geen mens?", "you're not a bot, are you?") or
 * neither: unclear, and the reply states the fact without yes or no. */
static const cue_t botq_person_words[] = {
    CUE("mens", 1),    CUE("mensen", 1),  CUE("menselijk*", 1), CUE("human", 1),   CUE("humans", 1),
    CUE("person", 1),  CUE("persoon", 1), CUE("levend*", 1),    CUE("living", 1),  CUE("personeel", 1),
    CUE("mensch", 1),
};
_Static_assert(N(botq_person_words) <= MAX_CUES, "a cue list holds at most MAX_CUES cues");
static const cue_t botq_real_words[] = {
    CUE("echt", 1), CUE("echte", 1), CUE("real", 1), CUE("live", 1),
};
_Static_assert(N(botq_real_words) <= MAX_CUES, "a cue list holds at most MAX_CUES cues");
static const cue_t botq_machine_words[] = {
    CUE("bot", 1),       CUE("bots", 1),        CUE("botje", 1),       CUE("robot", 1),       CUE("chatbot", 1),
    CUE("machine", 1),   CUE("computer*", 1),   CUE("ai", 1),          CUE("automaat", 1),    CUE("automatisch", 1),
    CUE("automated", 1), CUE("automatic", 1),   CUE("programma", 1),   CUE("program", 1),     CUE("software", 1),
    CUE("kunstmatige", 1), CUE("artificial", 1), CUE("chatgpt", 1),    CUE("digitale", 1),    CUE("digital", 1),
    CUE("virtuele", 1),  CUE("virtual", 1),     CUE("algoritme", 1),   CUE("algorithm", 1),   CUE("roboter", 1),
};
_Static_assert(N(botq_machine_words) <= MAX_CUES, "a cue list holds at most MAX_CUES cues");
static const char *const botq_negations[] = {"geen", "niet", "not", "no", "nee", "never", "nooit", "isn't",
                                             "aren't", "isnt", "arent", "n't"};

static lk_nlu_botq_t bot_question_kind(const words_t *ws)
{
    for (size_t i = 0; i < ws->n_toks; i++) {
        const char *w = ws->norm + ws->toks[i].off;
        size_t wl = ws->toks[i].len;
        for (size_t k = 0; k < N(botq_negations); k++) {
            size_t nl = strlen(botq_negations[k]);
            if (wl == nl && !memcmp(w, botq_negations[k], nl))
                return LK_NLU_BOTQ_UNCLEAR;
        }
        if (wl > 3 && !memcmp(w + wl - 3, "n't", 3))
            return LK_NLU_BOTQ_UNCLEAR; /* "you aren't a bot?" */
    }
    bool person = has(ws, botq_person_words, N(botq_person_words));
    bool machine = has(ws, botq_machine_words, N(botq_machine_words));
    bool real = has(ws, botq_real_words, N(botq_real_words));
    if (person && machine)
        return LK_NLU_BOTQ_UNCLEAR;
    if (machine)
        return LK_NLU_BOTQ_MACHINE;
    if (person || real)
        return LK_NLU_BOTQ_PERSON;
    return LK_NLU_BOTQ_UNCLEAR;
}

lk_nlu_botq_t lk_nlu_signal_bot_question_kind(const char *text, size_t len)
{
    words_t ws;
    if (words_load(&ws, text, len))
        return LK_NLU_BOTQ_UNCLEAR;
    lk_nlu_botq_t k = bot_question_kind(&ws);
    words_free(&ws);
    return k;
}

/* ---- anger ---------------------------------------------------------------- */

static const cue_t negative_words[] = {
    /* nl */
    CUE("belachelijk", 0.7),
    CUE("schandalig", 0.8),
    CUE("schande", 0.7),
    CUE("waardeloos", 0.7),
    CUE("waardeloze", 0.7),
    CUE("slecht", 0.35),
    CUE("slechte", 0.35),
    CUE("boos", 0.7),
    CUE("kwaad", 0.7),
    CUE("woedend", 0.85),
    CUE("razend", 0.8),
    CUE("irritant", 0.6),
    CUE("geirriteerd", 0.6),
    CUE("ergerlijk", 0.6),
    CUE("gefrustreerd", 0.7),
    CUE("frustrerend", 0.7),
    CUE("teleurgesteld", 0.55),
    CUE("teleurstellend", 0.55),
    CUE("klote", 0.8),
    CUE("kut", 0.8),
    CUE("verdomme", 0.8),
    CUE("godverdomme", 0.9),
    CUE("tering", 0.85),
    CUE("oplichters", 0.8),
    CUE("oplichting", 0.7),
    CUE("bagger", 0.7),
    CUE("bullshit", 0.8),
    CUE("idioot", 0.8),
    CUE("idioten", 0.8),
    CUE("dom", 0.45),
    CUE("stom", 0.5),
    CUE("stomme", 0.5),
    CUE("nutteloos", 0.65),
    CUE("onacceptabel", 0.7),
    CUE("onbeschoft", 0.6),
    CUE("pfff", 0.4),
    CUE("zucht", 0.4),
    CUE("genoeg", 0.25),
    CUE("alweer", 0.3),
    CUE("weer", 0.1),
    CUE("nooit", 0.2),
    /* en */
    CUE("ridiculous", 0.7),
    CUE("terrible", 0.6),
    CUE("awful", 0.6),
    CUE("horrible", 0.6),
    CUE("useless", 0.65),
    CUE("angry", 0.7),
    CUE("furious", 0.85),
    CUE("annoyed", 0.55),
    CUE("annoying", 0.55),
    CUE("frustrated", 0.7),
    CUE("frustrating", 0.7),
    CUE("unacceptable", 0.7),
    CUE("worst", 0.6),
    CUE("hate", 0.65),
    CUE("stupid", 0.6),
    CUE("idiot", 0.8),
    CUE("idiots", 0.8),
    CUE("shit", 0.8),
    CUE("damn", 0.6),
    CUE("crap", 0.7),
    CUE("pathetic", 0.75),
    CUE("disgrace", 0.75),
    CUE("disgraceful", 0.75),
    CUE("disappointed", 0.5),
    CUE("disappointing", 0.5),
    CUE("sucks", 0.7),
    CUE("wtf", 0.8),
    CUE("scam", 0.7),
    CUE("fuck*", 0.9),
    CUE("fed", 0.2),
    CUE("again", 0.15),
    CUE("never", 0.15),
};
_Static_assert(N(negative_words) <= MAX_CUES, "a cue list holds at most MAX_CUES cues");

static double sig_negative(const words_t *ws, const char *text, size_t len)
{
    double s = cue_score(ws, negative_words, N(negative_words));
    if (has_phrase(ws, "fed up") || has_phrase(ws, "had it") || has_phrase(ws, "nooit meer") ||
        has_phrase(ws, "never again") || has_phrase(ws, "ben het zat") || has_phrase(ws, "zat van") ||
        has_phrase(ws, "spuugzat") || has_phrase(ws, "kotsbeu") || has_phrase(ws, "what the hell"))
        s = noisy_or(s, 0.6);
    /* punctuation and shouting */
    size_t excl = 0, run = 0, maxrun = 0, upper = 0, letters = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '!') {
            excl++;
            run++;
            if (run > maxrun)
                maxrun = run;
        } else if (c != '?' && c != '1') {
            run = 0;
        }
        if (c >= 'A' && c <= 'Z')
            upper++, letters++;
        else if (c >= 'a' && c <= 'z')
            letters++;
    }
    if (maxrun >= 3)
        s = noisy_or(s, 0.35);
    else if (maxrun == 2)
        s = noisy_or(s, 0.15);
    if (letters >= 8 && upper * 10 >= letters * 7)
        s = noisy_or(s, 0.55); /* shouting */
    return clamp01(s);
}

/* ---- a complaint ------------------------------------------------------------ */

static const cue_t complaint_words[] = {
    CUE("klacht*", 0.85),         CUE("klagen", 0.7),       CUE("beklag", 0.7),
    CUE("ontevreden", 0.5),       CUE("ombudsman", 0.85),   CUE("geschillencommissie", 0.9),
    CUE("consumentenbond", 0.6),  CUE("complaint", 0.85),   CUE("complaints", 0.85),
    CUE("complain", 0.75),        CUE("complaining", 0.7),  CUE("dissatisfied", 0.5),
    CUE("unhappy", 0.35),         CUE("escalate", 0.5),     CUE("escaleren", 0.5),
    CUE("aansprakelijk", 0.5),    CUE("compensatie", 0.45), CUE("compensation", 0.45),
    CUE("schadevergoeding", 0.5), CUE("advocaat", 0.5),     CUE("lawyer", 0.5),
};
_Static_assert(N(complaint_words) <= MAX_CUES, "a cue list holds at most MAX_CUES cues");

static double sig_complaint(const words_t *ws, const char *text, size_t len)
{
    double s = cue_score(ws, complaint_words, N(complaint_words));
    if (has_phrase(ws, "niet tevreden") || has_phrase(ws, "not happy") || has_phrase(ws, "not satisfied") ||
        has_phrase(ws, "not ok") || has_phrase(ws, "niet ok") || has_phrase(ws, "niet in orde"))
        s = noisy_or(s, 0.4);
    return clamp01(s);
}

/* ---- several questions ------------------------------------------------------ */

static const cue_t qwords[] = {
    CUE("wat", 1),  CUE("hoe", 1),     CUE("waar", 1), CUE("wanneer", 1), CUE("waarom", 1), CUE("welke", 1),
    CUE("wie", 1),  CUE("hoeveel", 1), CUE("kan", 1),  CUE("kun", 1),     CUE("kunt", 1),   CUE("mag", 1),
    CUE("is", 1),   CUE("zijn", 1),    CUE("what", 1), CUE("how", 1),     CUE("where", 1),  CUE("when", 1),
    CUE("why", 1),  CUE("which", 1),   CUE("who", 1),  CUE("can", 1),     CUE("could", 1),  CUE("do", 1),
    CUE("does", 1), CUE("is", 1),      CUE("are", 1),  CUE("will", 1),
};
_Static_assert(N(qwords) <= MAX_CUES, "a cue list holds at most MAX_CUES cues");

static double sig_multi_question(const words_t *ws, const char *text, size_t len)
{
    /* question marks that close a clause with words in it */
    size_t marks = 0;
    bool words_since = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '?') {
            if (words_since)
                marks++;
            words_since = false;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80) {
            words_since = true;
        }
    }
    /* "... en hoe ..." / "... and how ...": a second question joined on */
    size_t joined = 0;
    for (size_t i = 1; i + 1 < ws->n_toks; i++) {
        const lk_token_t *t = &ws->toks[i];
        const char *w = ws->norm + t->off;
        bool conj = (t->len == 2 && !memcmp(w, "en", 2)) || (t->len == 3 && !memcmp(w, "and", 3)) ||
                    (t->len == 3 && !memcmp(w, "ook", 3)) || (t->len == 4 && !memcmp(w, "also", 4));
        if (conj && i >= 2 && word_cue(ws, i + 1, qwords, N(qwords), NULL))
            joined++;
    }
    double s = 0;
    if (marks >= 3)
        s = 0.95;
    else if (marks == 2)
        s = 0.85;
    if (joined)
        s = noisy_or(s, marks >= 1 ? 0.6 : 0.45);
    return clamp01(s);
}

/* ---- repetition ---------------------------------------------------------------- */

/* The set of content words of a text (stop words dropped), sorted. */
static size_t content_words(const words_t *ws, const char **w, size_t *wl, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < ws->n_toks && n < max; i++) {
        const char *s = ws->norm + ws->toks[i].off;
        size_t l = ws->toks[i].len;
        if (ws->toks[i].type == LK_TOK_WORD && lk_text_is_stopword(NULL, s, l))
            continue;
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = wl[k] == l && !memcmp(w[k], s, l);
        if (dup)
            continue;
        w[n] = s;
        wl[n] = l;
        n++;
    }
    return n;
}

/* Overlap of two word sets, words equal up to one typo (5+ letters). */
static double overlap(const char **a, const size_t *al, size_t na, const char **b, const size_t *bl, size_t nb)
{
    if (!na || !nb)
        return 0;
    size_t common = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++) {
            size_t max = al[i] >= 5 ? 1 : 0;
            if (lk_nlu__edit_distance(a[i], al[i], b[j], bl[j], max) <= max) {
                common++;
                break;
            }
        }
    return (double)common / (double)(na + nb - common);
}

static double sig_repeat(const words_t *ws, const char *const *previous, size_t n_previous)
{
    if (!previous || !n_previous)
        return 0;
    const char *a[MAX_WORDS];
    size_t al[MAX_WORDS];
    size_t na = content_words(ws, a, al, MAX_WORDS);
    double best = 0;
    for (size_t p = 0; p < n_previous; p++) {
        if (!previous[p])
            continue;
        words_t pw;
        if (words_load(&pw, previous[p], strlen(previous[p])))
            continue;
        double sim;
        if (pw.len == ws->len && !memcmp(pw.norm, ws->norm, ws->len)) {
            sim = 1;
        } else {
            const char *b[MAX_WORDS];
            size_t bl[MAX_WORDS];
            size_t nb = content_words(&pw, b, bl, MAX_WORDS);
            sim = overlap(a, al, na, b, bl, nb);
            if (sim >= 0.75)
                sim = 1;
            else
                sim *= 0.95;
        }
        words_free(&pw);
        if (sim > best)
            best = sim;
    }
    return best;
}

/* ---- the public entry points ----------------------------------------------- */

#define WRAP(name)                                                                                                \
    double lk_nlu_signal_##name(const char *text, size_t len)                                                     \
    {                                                                                                             \
        words_t ws;                                                                                               \
        if (words_load(&ws, text, len))                                                                           \
            return 0;                                                                                             \
        double s = sig_##name(&ws, text, len);                                                                    \
        words_free(&ws);                                                                                          \
        return s;                                                                                                 \
    }

WRAP(person_request)
WRAP(bot_question)
WRAP(negative)
WRAP(complaint)
WRAP(multi_question)

double lk_nlu_signal_repeat(const char *text, size_t len, const char *const *previous, size_t n_previous)
{
    words_t ws;
    if (words_load(&ws, text, len))
        return 0;
    double s = sig_repeat(&ws, previous, n_previous);
    words_free(&ws);
    return s;
}

void lk_nlu__signals(const lk_nlu__prep_t *p, const char *text, size_t len, const lk_nlu_context_t *ctx,
                     lk_nlu_signals_t *out)
{
    out->bot_question = sig_bot_question(p, text, len);
    out->person_request = person_request(p, out->bot_question);
    out->negative = sig_negative(p, text, len);
    out->complaint = sig_complaint(p, text, len);
    out->multi_question = sig_multi_question(p, text, len);
    out->repeat = ctx && ctx->previous ? sig_repeat(p, ctx->previous, ctx->n_previous) : 0.0;
    out->bot_question_kind = out->bot_question > 0 ? bot_question_kind(p) : LK_NLU_BOTQ_UNCLEAR;
}
