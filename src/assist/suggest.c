/*
 * Suggested replies: which customer message the agent should answer, and
 * which knowledge-base articles answer it best.
 *
 * The message is the customer's latest question. Messages that ask nothing
 * of their own are passed over: a bare request for a person ("mag ik een
 * medewerker?", as the NLU's person_request signal says, with no article the
 * NLU would answer with) and a bare yes/no/thanks ("Nee", "ok bedankt"). So
 * right after a hand-off the suggestions answer the question that led to it,
 * and after the customer's "Nee" to "did this help?" the question before it.
 *
 * The articles are the NLU's best matches for that message, in the
 * conversation's language, with their confidence: also those below the
 * answering threshold, since an agent reads them before sending anything.
 */
#include "assist/assist.h"
#include "text/text.h"

#include <string.h>

/* Words that make up a message that asks nothing: answers to the bot's
 * questions, thanks, greetings (lower case ASCII; compared after folding
 * ASCII letters). A message of at most FILLER_WORDS_MAX of these is filler. */
static const char *const filler_words[] = {
    "ja",     "nee",       "neen",     "nope",  "no",     "yes",   "yep",      "ok",      "oke",     "okay",
    "prima",  "goed",      "klopt",    "top",   "super",  "fijn",  "mooi",     "bedankt", "dank",    "dankjewel",
    "dankuwel", "je",      "u",        "jullie", "wel",   "thanks", "thank",   "you",     "thx",     "hoi",
    "hallo",  "hello",     "hi",       "hey",   "graag",  "please", "alsjeblieft", "alstublieft", "heel", "erg",
    "very",   "much",      "so",       "hartelijk", "nogmaals", "oh", "ah",   "sure",    "great",   "fine",
    "niet",   "not",       "nog",      "even",  "helaas", "nothing", "niets", "all",     "right",   "alright", NULL,
};

#define FILLER_WORDS_MAX 5

static bool ascii_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The first byte of a Latin letter outside ASCII (U+00C0..U+027F: "é", "ë",
 * "ß", ...); other multi-byte characters (punctuation like "…", symbols,
 * emoji) separate words. */
static bool latin_lead(unsigned char c)
{
    return c >= 0xC3 && c <= 0xC9;
}

/* True when text is a few filler words with punctuation and emoji around
 * them, and nothing else (no digits, no other words). */
static bool only_filler_words(const char *text)
{
    size_t words = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        if (ascii_alpha(*p)) {
            const unsigned char *w = p;
            while (ascii_alpha(*p))
                p++;
            if (latin_lead(*p) || (*p >= '0' && *p <= '9')) /* part of a longer word or code */
                return false;
            if (!lk_text_word_in((const char *)w, (size_t)(p - w), filler_words) || ++words > FILLER_WORDS_MAX)
                return false;
        } else if (*p >= '0' && *p <= '9') {
            return false;
        } else if (latin_lead(*p)) {
            return false; /* an accented letter: a word we do not know */
        } else {
            p++; /* spaces, punctuation, symbols, emoji, continuation bytes */
        }
    }
    return words > 0;
}

bool lk_assist_is_filler(const lk_assist_conv_t *cv, size_t i)
{
    if (!cv || i >= cv->n_msgs || cv->msgs[i].sender != LK_SENDER_CUSTOMER)
        return false;
    const char *text = cv->msgs[i].text ? cv->msgs[i].text : "";
    if (only_filler_words(text))
        return true;
    const lk_nlu_reading_t *r = cv->readings ? cv->readings[i] : NULL;
    return r && r->signals.person_request >= cv->person_min && !r->answer;
}

long lk_assist_last_question(const lk_assist_conv_t *cv)
{
    if (!cv)
        return -1;
    for (size_t i = cv->n_msgs; i-- > 0;)
        if (cv->msgs[i].sender == LK_SENDER_CUSTOMER && !lk_assist_is_filler(cv, i))
            return (long)i;
    return -1;
}

size_t lk_assist_suggest(const lk_assist_conv_t *cv, lk_assist_suggestion_t out[LK_ASSIST_SUGGESTIONS_MAX],
                         long *question)
{
    if (question)
        *question = -1;
    if (!cv || !cv->kb || !cv->readings)
        return 0;
    long q = lk_assist_last_question(cv);
    if (question)
        *question = q;
    if (q < 0 || !cv->readings[q])
        return 0;
    const lk_nlu_reading_t *r = cv->readings[q];
    const char *lang = cv->conv ? cv->conv->language : "";
    size_t n = 0;
    for (size_t k = 0; k < r->n_top && k < LK_NLU_TOP_K && n < LK_ASSIST_SUGGESTIONS_MAX; k++) {
        long a = r->top[k].article;
        if (a < 0 || (size_t)a >= cv->kb->n_articles)
            continue;
        const char *al = cv->kb->articles[a].language;
        if (lang[0] && al && strcmp(al, lang) != 0)
            continue; /* the agent answers in the conversation's language */
        out[n].article = a;
        out[n].confidence = r->top[k].confidence;
        n++;
    }
    return n;
}
