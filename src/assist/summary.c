/*
 * The hand-off summary: short, structured and deterministic, in the agent's
 * language (Dutch or English). Extractive: it quotes the customer's own
 * words and never makes anything up. Five lines at most:
 *
 *   Taal: nl (Nederlands) · Stemming: negatief
 *   Overgedragen omdat de bot twee keer achter elkaar geen antwoord kon geven.
 *   Vragen van de klant: "Waar blijft bestelling 12345678?" · "Die code werkt niet en nu?"
 *   Antwoorden van de bot: pakket-volgen (zekerheid 0,87) "Waar is mijn pakket?"
 *   Gegevens: bestelnummer 12345678; e-mail jan@example.nl
 *
 * The same parts come out as fields (lk_assist_summary_t) for the agent API.
 * Also the one-line summary of an earlier conversation (customer history).
 */
#include "assist/assist.h"

#include "util/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUOTE_MAX 160   /* bytes of one quoted question */
#define ONELINE_MAX 100 /* bytes of the question in a one-line summary */
#define QUESTIONS_MAX 3 /* the customer's last questions */
#define ENTITIES_MAX 24 /* per summary */
#define SUMMARY_MAX (1 << 16)
#define SUMMARY_LINE_MAX 2048 /* one filled-in template: a reason, a language, a code */

static bool is_en(const char *lang)
{
    return lang && strcmp(lang, "en") == 0;
}

/* The summary's own words, Dutch and English, in one table so that every
 * Dutch text can be held to the reviewed list (tests/data/reviewed_nl.txt)
 * through lk_assist_text(). */
enum {
    S_HEAD,         /* language code, language name, sentiment */
    S_WHY,          /* the reason in words */
    S_NOTHING_YET,
    S_ONLY_PERSON,
    S_ASKED,
    S_NO_ANSWER,
    S_ANSWERED,
    S_CONFIDENCE,
    S_DETAILS,
    S_NEGATIVE,
    S_POSITIVE,
    S_NEUTRAL,
    S_NO_MESSAGE,
    S_HANDED_OVER,
    S_CLOSED,
    S_WITH_BOT,
    S_IN_QUEUE,
    S_WITH_AGENT,
    S__COUNT
};

static const char *const stexts[S__COUNT][2] = {
    [S_HEAD] = {"Taal: %s (%s) · Stemming: %s", "Language: %s (%s) · Sentiment: %s"},
    [S_WHY] = {"Overgedragen omdat %s.", "Handed over because %s."},
    [S_NOTHING_YET] = {"De klant heeft nog niets geschreven.", "The customer has not written anything yet."},
    [S_ONLY_PERSON] = {"Vragen van de klant: geen eigen vraag (alleen om een medewerker).",
                       "The customer asked: no question of their own (only for a person)."},
    [S_ASKED] = {"Vragen van de klant: ", "The customer asked: "},
    [S_NO_ANSWER] = {"De bot gaf geen antwoord uit de kennisbank.", "The bot gave no answer from the knowledge base."},
    [S_ANSWERED] = {"Antwoorden van de bot: ", "The bot answered: "},
    [S_CONFIDENCE] = {" (zekerheid %s)", " (confidence %s)"},
    [S_DETAILS] = {"Gegevens: ", "Details: "},
    [S_NEGATIVE] = {"negatief", "negative"},
    [S_POSITIVE] = {"positief", "positive"},
    [S_NEUTRAL] = {"neutraal", "neutral"},
    [S_NO_MESSAGE] = {"(geen bericht van de klant)", "(no message from the customer)"},
    [S_HANDED_OVER] = {" · overgedragen: %s", " · handed over: %s"},
    [S_CLOSED] = {" · afgesloten: %s", " · closed: %s"},
    [S_WITH_BOT] = {" · bij de bot", " · with the bot"},
    [S_IN_QUEUE] = {" · in de wachtrij", " · in the queue"},
    [S_WITH_AGENT] = {" · bij een medewerker", " · with an agent"},
};

static const char *S(int id, const char *lang)
{
    return stexts[id][is_en(lang) ? 1 : 0];
}

/* Appends a template of the table, filled in. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void fmt(lk_buf_t *b, const char *tmpl, ...)
{
    char line[SUMMARY_LINE_MAX];
    va_list ap;
    va_start(ap, tmpl);
    int n = vsnprintf(line, sizeof line, tmpl, ap);
    va_end(ap);
    if (n >= 0)
        lk_buf_append_cstr(b, line);
}
#pragma GCC diagnostic pop

static const struct {
    const char *reason, *nl, *en;
} reasons[] = {
        {"customer_request", "de klant om een medewerker vroeg", "the customer asked for a person"},
        {"button", "de klant op de knop 'Praat met een medewerker' drukte",
         "the customer pressed the \"talk to a person\" button"},
        {"low_confidence", "de bot niet zeker genoeg was van een antwoord", "the bot was not sure enough of an answer"},
        {"repeated_failure", "de bot twee keer achter elkaar geen antwoord kon geven",
         "the bot could not answer twice in a row"},
        {"loop", "de klant steeds dezelfde vraag stelde", "the customer asked the same question repeatedly"},
        {"negative_sentiment", "de klant boos of gefrustreerd klonk", "the customer sounded angry or frustrated"},
        {"complaint", "de klant een klacht indiende", "the customer filed a complaint"},
        {"complex", "de klant meerdere vragen tegelijk stelde", "the customer asked several questions at once"},
        {"sensitive_topic", "de vraag over een gevoelig onderwerp gaat", "the question is about a sensitive topic"},
        {"language", "de bot geen antwoord heeft in de taal van de klant",
         "the bot has no answer in the customer's language"},
};
#define N_REASON_TEXTS (sizeof reasons / sizeof reasons[0])

const char *lk_assist_reason_text(const char *reason, const char *lang)
{
    if (!reason)
        return "";
    for (size_t i = 0; i < N_REASON_TEXTS; i++)
        if (strcmp(reasons[i].reason, reason) == 0)
            return is_en(lang) ? reasons[i].en : reasons[i].nl;
    return reason;
}

static const struct {
    const char *code, *nl, *en;
} names[] = {
        {"nl", "Nederlands", "Dutch"}, {"en", "Engels", "English"}, {"de", "Duits", "German"},
        {"fr", "Frans", "French"},     {"es", "Spaans", "Spanish"}, {"it", "Italiaans", "Italian"},
        {"pt", "Portugees", "Portuguese"}, {"pl", "Pools", "Polish"}, {"tr", "Turks", "Turkish"},
        {"ar", "Arabisch", "Arabic"},
};
#define N_NAMES (sizeof names / sizeof names[0])

static const char *language_name(const char *code, const char *lang)
{
    for (size_t i = 0; i < N_NAMES; i++)
        if (strcmp(code, names[i].code) == 0)
            return is_en(lang) ? names[i].en : names[i].nl;
    return code;
}

const char *lk_assist_text(size_t i, const char *lang)
{
    if (!lang || (strcmp(lang, "nl") != 0 && strcmp(lang, "en") != 0))
        return NULL;
    if (i < S__COUNT)
        return S((int)i, lang);
    i -= S__COUNT;
    if (i < N_REASON_TEXTS)
        return is_en(lang) ? reasons[i].en : reasons[i].nl;
    i -= N_REASON_TEXTS;
    if (i < N_NAMES)
        return is_en(lang) ? names[i].en : names[i].nl;
    i -= N_NAMES;
    if (i < LK_ENT__COUNT)
        return lk_entity_kind_label((lk_entity_kind_t)i, lang);
    return NULL;
}

static const char *sentiment_word(const char *s, const char *lang)
{
    if (strcmp(s, "negative") == 0)
        return S(S_NEGATIVE, lang);
    if (strcmp(s, "positive") == 0)
        return S(S_POSITIVE, lang);
    return S(S_NEUTRAL, lang);
}

char *lk_assist_shorten(const char *s, size_t max)
{
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == '\t'))
        len--;
    while (len > 0 && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')) {
        s++;
        len--;
    }
    bool cut = len > max;
    if (cut) {
        len = max;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    char *out = lk_xmalloc(len + 4);
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
            continue; /* CRLF: one space */
        out[k++] = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    }
    if (cut) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
    return out;
}

/* ---- sentiment -------------------------------------------------------------- */

/* Clear thanks and praise (lower-case ASCII word sequences). */
static const char *const praise[] = {
    "bedankt", "dankjewel", "dankuwel", "dank je", "dank u", "dank jullie", "hartelijk dank", "top", "super",
    "geweldig", "fantastisch", "fijn", "prima", "perfect", "uitstekend", "tevreden", "blij", "heel goed",
    "thanks", "thank you", "thx", "great", "awesome", "excellent", "wonderful", "helpful", "happy", "appreciate",
    "perfect", "brilliant", "lovely",
};
static const char *const negators[] = {"niet", "geen", "not", "no", "never", "nooit", "allesbehalve", "weinig"};

#define WORDS_MAX 200

typedef struct {
    const char *w;
    size_t n;
} word_t;

/* The ASCII words of s (letters only; other bytes separate), at most max. */
static size_t words_of(const char *s, word_t *out, size_t max)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n < max) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p >= 0x80) {
            const unsigned char *w = p;
            while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p >= 0x80)
                p++;
            out[n++] = (word_t){(const char *)w, (size_t)(p - w)};
        } else {
            p++;
        }
    }
    return n;
}

static bool word_is(const word_t *w, const char *lit, size_t n)
{
    if (w->n != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = w->w[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != lit[i])
            return false;
    }
    return true;
}

/* Whether phrase (words separated by one space) starts at words[i]. */
static size_t phrase_at(const word_t *words, size_t n, size_t i, const char *phrase)
{
    size_t k = 0;
    const char *p = phrase;
    while (*p) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (i + k >= n || !word_is(&words[i + k], p, len))
            return 0;
        k++;
        p += len + (e ? 1 : 0);
    }
    return k;
}

static bool has_praise(const char *text)
{
    word_t words[WORDS_MAX];
    size_t n = words_of(text, words, WORDS_MAX);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof praise / sizeof praise[0]; k++) {
            if (!phrase_at(words, n, i, praise[k]))
                continue;
            bool negated = false; /* "niet tevreden", "not very happy" */
            for (size_t b = 1; b <= 2 && b <= i && !negated; b++)
                for (size_t g = 0; g < sizeof negators / sizeof negators[0] && !negated; g++)
                    negated = word_is(&words[i - b], negators[g], strlen(negators[g]));
            if (!negated)
                return true;
        }
    return false;
}

const char *lk_assist_sentiment(const lk_assist_conv_t *cv)
{
    const char *last = "neutral";
    for (size_t i = 0; cv && i < cv->n_msgs; i++) {
        if (cv->msgs[i].sender != LK_SENDER_CUSTOMER)
            continue;
        const lk_nlu_reading_t *r = cv->readings ? cv->readings[i] : NULL;
        if (r && r->signals.negative >= cv->negative_min)
            last = "negative";
        else if (has_praise(cv->msgs[i].text ? cv->msgs[i].text : ""))
            last = "positive";
    }
    return last;
}

/* ---- the parts -------------------------------------------------------------- */

static void add_entities(lk_assist_summary_t *f, const char *text)
{
    lk_entity_t e[ENTITIES_MAX];
    size_t n = lk_assist_entities(text, strlen(text), e, ENTITIES_MAX);
    if (n > ENTITIES_MAX)
        n = ENTITIES_MAX;
    for (size_t i = 0; i < n && f->n_entities < ENTITIES_MAX; i++) {
        const char *type = lk_entity_kind_name(e[i].kind);
        char *value = lk_xstrndup(text + e[i].start, e[i].len);
        bool seen = false;
        for (size_t k = 0; k < f->n_entities && !seen; k++)
            seen = f->entities[k].type == type && strcmp(f->entities[k].value, value) == 0;
        if (seen) {
            free(value);
            continue;
        }
        f->entities = lk_xrealloc(f->entities, (f->n_entities + 1) * sizeof *f->entities);
        f->entities[f->n_entities++] = (lk_assist_entity_value_t){type, value};
    }
}

static void collect(const lk_assist_conv_t *cv, lk_assist_summary_t *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->language, sizeof f->language, "%s", cv->conv ? cv->conv->language : "");
    f->handoff_reason = cv->conv ? lk_handoff_reason_name(cv->conv->handoff_reason) : "";
    f->sentiment = lk_assist_sentiment(cv);

    size_t n_q = 0;
    for (size_t i = 0; i < cv->n_msgs; i++)
        if (cv->msgs[i].sender == LK_SENDER_CUSTOMER && !lk_assist_is_filler(cv, i))
            n_q++;
    size_t skip = n_q > QUESTIONS_MAX ? n_q - QUESTIONS_MAX : 0, k = 0;
    for (size_t i = 0; i < cv->n_msgs; i++) {
        const lk_msg_t *m = &cv->msgs[i];
        if (m->sender == LK_SENDER_CUSTOMER) {
            const char *text = m->text ? m->text : "";
            add_entities(f, text);
            if (lk_assist_is_filler(cv, i) || k++ < skip)
                continue;
            f->questions = lk_xrealloc(f->questions, (f->n_questions + 1) * sizeof *f->questions);
            f->questions[f->n_questions++] = lk_assist_shorten(text, QUOTE_MAX);
        } else if (m->sender == LK_SENDER_BOT && m->article_id) {
            bool seen = false;
            for (size_t a = 0; a < f->n_answers && !seen; a++)
                seen = strcmp(f->answers[a].article_id, m->article_id) == 0;
            if (seen)
                continue;
            f->answers = lk_xrealloc(f->answers, (f->n_answers + 1) * sizeof *f->answers);
            lk_assist_answer_t *a = &f->answers[f->n_answers++];
            snprintf(a->article_id, sizeof a->article_id, "%s", m->article_id);
            long idx = cv->kb ? lk_kb_find(cv->kb, m->article_id) : -1;
            a->title = lk_xstrdup(idx >= 0 ? cv->kb->articles[idx].title : m->article_id);
        }
    }
}

void lk_assist_summary_clear(lk_assist_summary_t *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n_questions; i++)
        free(f->questions[i]);
    free(f->questions);
    for (size_t i = 0; i < f->n_answers; i++)
        free(f->answers[i].title);
    free(f->answers);
    for (size_t i = 0; i < f->n_entities; i++)
        free(f->entities[i].value);
    free(f->entities);
    memset(f, 0, sizeof *f);
}

/* The confidence of the bot's first answer with article id. */
static double answer_confidence(const lk_assist_conv_t *cv, const char *id, bool *known)
{
    for (size_t i = 0; i < cv->n_msgs; i++)
        if (cv->msgs[i].article_id && strcmp(cv->msgs[i].article_id, id) == 0 && cv->msgs[i].has_confidence) {
            *known = true;
            return cv->msgs[i].confidence;
        }
    *known = false;
    return 0;
}

/* ---- the text --------------------------------------------------------------- */

char *lk_assist_summary(const lk_assist_conv_t *cv, const char *lang, lk_assist_summary_t *fields)
{
    lk_assist_summary_t f;
    collect(cv, &f);
    bool en = is_en(lang);
    lk_buf_t b;
    lk_buf_init(&b, SUMMARY_MAX);
    fmt(&b, S(S_HEAD, lang), f.language, language_name(f.language, lang), sentiment_word(f.sentiment, lang));
    if (f.handoff_reason[0]) {
        lk_buf_append_cstr(&b, "\n");
        fmt(&b, S(S_WHY, lang), lk_assist_reason_text(f.handoff_reason, lang));
    }

    size_t n_customer = 0;
    for (size_t i = 0; i < cv->n_msgs; i++)
        n_customer += cv->msgs[i].sender == LK_SENDER_CUSTOMER;
    lk_buf_append_cstr(&b, "\n");
    if (n_customer == 0) {
        lk_buf_append_cstr(&b, S(S_NOTHING_YET, lang));
    } else if (f.n_questions == 0) {
        lk_buf_append_cstr(&b, S(S_ONLY_PERSON, lang));
    } else {
        lk_buf_append_cstr(&b, S(S_ASKED, lang));
        for (size_t i = 0; i < f.n_questions; i++)
            lk_buf_printf(&b, "%s\"%s\"", i ? " · " : "", f.questions[i]);
    }

    lk_buf_append_cstr(&b, "\n");
    if (f.n_answers == 0) {
        lk_buf_append_cstr(&b, S(S_NO_ANSWER, lang));
    } else {
        lk_buf_append_cstr(&b, S(S_ANSWERED, lang));
        for (size_t i = 0; i < f.n_answers; i++) {
            const lk_assist_answer_t *a = &f.answers[i];
            bool known;
            double conf = answer_confidence(cv, a->article_id, &known);
            lk_buf_printf(&b, "%s%s", i ? "; " : "", a->article_id);
            if (known) {
                char num[16];
                snprintf(num, sizeof num, "%.2f", conf);
                if (!en)
                    for (char *p = num; *p; p++)
                        if (*p == '.')
                            *p = ',';
                fmt(&b, S(S_CONFIDENCE, lang), num);
            }
            if (strcmp(a->title, a->article_id) != 0)
                lk_buf_printf(&b, " \"%s\"", a->title);
        }
    }

    if (f.n_entities > 0) {
        lk_buf_append_cstr(&b, "\n");
        lk_buf_append_cstr(&b, S(S_DETAILS, lang));
        for (size_t i = 0; i < f.n_entities; i++) {
            lk_entity_kind_t kind = LK_ENT_ORDER;
            for (int k = 0; k < LK_ENT__COUNT; k++)
                if (strcmp(lk_entity_kind_name((lk_entity_kind_t)k), f.entities[i].type) == 0)
                    kind = (lk_entity_kind_t)k;
            char *v = lk_assist_shorten(f.entities[i].value, QUOTE_MAX);
            lk_buf_printf(&b, "%s%s %s", i ? "; " : "", lk_entity_kind_label(kind, lang), v);
            free(v);
        }
    }
    if (fields)
        *fields = f;
    else
        lk_assist_summary_clear(&f);
    return lk_buf_steal(&b, NULL);
}

/* ---- one line of the customer's history --------------------------------------- */

char *lk_assist_oneline(const lk_conv_t *conv, const lk_msg_t *msgs, size_t n_msgs, const char *lang)
{
    lk_buf_t b;
    lk_buf_init(&b, SUMMARY_MAX);
    const lk_msg_t *first = NULL;
    for (size_t i = 0; i < n_msgs && !first; i++)
        if (msgs[i].sender == LK_SENDER_CUSTOMER && msgs[i].text && msgs[i].text[0])
            first = &msgs[i];
    if (first) {
        char *q = lk_assist_shorten(first->text, ONELINE_MAX);
        lk_buf_printf(&b, "\"%s\"", q);
        free(q);
    } else {
        lk_buf_append_cstr(&b, S(S_NO_MESSAGE, lang));
    }
    if (conv->handoff_reason != LK_HANDOFF_NONE)
        fmt(&b, S(S_HANDED_OVER, lang), lk_assist_reason_text(lk_handoff_reason_name(conv->handoff_reason), lang));
    if (conv->status == LK_CONV_CLOSED)
        fmt(&b, S(S_CLOSED, lang), conv->disposition ? conv->disposition : "-");
    else if (conv->status == LK_CONV_BOT)
        lk_buf_append_cstr(&b, S(S_WITH_BOT, lang));
    else if (conv->status == LK_CONV_QUEUED)
        lk_buf_append_cstr(&b, S(S_IN_QUEUE, lang));
    else
        lk_buf_append_cstr(&b, S(S_WITH_AGENT, lang));
    return lk_buf_steal(&b, NULL);
}
