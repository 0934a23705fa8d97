/*
 * policy: reading the customer's words (part of the pure policy module, see
 * policy_int.h).
 *
 * Small, pure checks on a message the NLU does not judge: the words split and
 * lowercased, a short yes/no/ok/hello/thanks, a polite closing, "none of
 * these" after choices, and a contact (e-mail or phone) for a call-back. The
 * word lists are here, in Dutch and English (and the German and French words
 * a closing may use).
 */
#include "policy/policy_int.h"
#include "text/text.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Splits text into lowercased words: ASCII letters and digits and every
 * non-ASCII byte (so "oké" and emoji stay words); the rest separates. */
void lk_pol_split_words(const char *text, size_t len, words_t *w)
{
    w->n = 0;
    w->total = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && !((unsigned char)text[i] >= 0x80 || (text[i] >= '0' && text[i] <= '9') ||
                            (lk_pol_lower(text[i]) >= 'a' && lk_pol_lower(text[i]) <= 'z')))
            i++;
        if (i >= len)
            break;
        size_t n = 0;
        char *dst = w->n < MAX_WORDS ? w->w[w->n] : NULL;
        while (i < len && ((unsigned char)text[i] >= 0x80 || (text[i] >= '0' && text[i] <= '9') ||
                           (lk_pol_lower(text[i]) >= 'a' && lk_pol_lower(text[i]) <= 'z'))) {
            if (dst && n + 1 < sizeof w->w[0])
                dst[n++] = lk_pol_lower(text[i]);
            i++;
        }
        if (dst) {
            dst[n] = '\0';
            w->n++;
        }
        w->total++;
    }
}

bool lk_pol_in_list(const char *w, const char *const *list)
{
    return lk_text_word_in(w, strlen(w), list);
}

static const char *const yes_words[] = {"ja",   "jazeker", "jawel", "jep",  "jup",   "yes",  "yep",  "yeah",
                                        "yup",  "graag",   "zeker", "sure", "please", "oui", "gerne", NULL};
static const char *const ok_words[] = {"ok",     "oke",  "oké", "okay", "okee",  "okido",     "prima",
                                       "goed",   "top",  "super", "great", "perfect", "fijn",   "mooi",
                                       "cool",   "fine", "alright", "helder", "duidelijk", "\xF0\x9F\x91\x8D",
                                       "\xF0\x9F\x91\x8C", NULL};
const char *const lk_pol_no_words[] = {"nee", "neen", "neuh", "nope", "no", "nah", "niet", "helaas", "not",
                                       "nein", "non", "\xF0\x9F\x91\x8E", NULL};
static const char *const hello_words[] = {"hallo", "hoi", "hey", "hi", "hello", "hee", "goedemorgen", "goedemiddag",
                                          "goedenavond", "dag", "morning", "good", "beste", NULL};
static const char *const thanks_words[] = {"bedankt", "dank", "dankjewel", "dankuwel", "danku", "thanks", "thank",
                                           "thx", "ty", "merci", "\xF0\x9F\x99\x8F", NULL};

/* Reads a short reply ("ja", "nee hoor", "thanks!") by its first word. */
static short_reply_t short_reply(const words_t *w)
{
    if (w->total == 0 || w->total > 4)
        return SHORT_NONE;
    const char *first = w->w[0];
    if (lk_pol_in_list(first, thanks_words))
        return SHORT_THANKS;
    if (lk_pol_in_list(first, lk_pol_no_words))
        return SHORT_NO;
    if (lk_pol_in_list(first, yes_words))
        return SHORT_YES;
    if (lk_pol_in_list(first, ok_words))
        return SHORT_OK;
    if (w->total <= 3 && lk_pol_in_list(first, hello_words))
        return SHORT_HELLO;
    return SHORT_NONE;
}

/* Closings. "nee, dank je", "nee hoor", "ok", "top", "no thanks", "dat was
 * het", "thanks, that's all": a reply made only of yes/ok/no/thanks/goodbye
 * words and a few fillers asks nothing, so it must never be read as a
 * question (and declined) nor as a request for a person. "niet"/"not" is a
 * filler too ("nee, nu niet"), except beside an ok word ("niet goed"). */
static const char *const closing_no_words[] = {"nee", "neen", "neuh", "nope", "no", "nah", "nein", "non", NULL};
static const char *const bye_words[] = {"doei", "bye", "goodbye", "ciao", "ziens", "groetjes", "groet", "cheers",
                                        NULL};
/* Words that end the conversation by themselves ("niks", "that's all"). */
static const char *const done_words[] = {"alles", "all", "niks", "niets", "nothing", "klaar", "done", NULL};
/* Fillers carry no question ("dag" alone is a hello, "fijne dag" a goodbye). */
static const char *const filler_words[] = {
    "je",    "jij",   "u",       "you",     "wel",   "hoor",   "heel",  "erg",   "hartelijk", "vriendelijk",
    "veel",  "very",  "much",    "so",      "zo",    "dan",    "then",  "maar",  "verder",    "voor",
    "for",   "nu",    "now",     "vandaag", "today", "else",   "anders", "meer", "more",      "was",
    "is",    "het",   "dat",     "that",    "thats", "s",      "it",    "a",     "lot",       "too",
    "tot",   "fijne", "prettige", "nice",   "have",  "day",    "dag",   "avond", "evening",   "weekend",
    "nog",   "een",   "hoeft",   "nodig",   "needed", "later", "nou",   "toch",  "good",      "niet",
    "not",   "that\xE2\x80\x99s", NULL};

void lk_pol_read_reply(const words_t *w, reply_t *rp)
{
    memset(rp, 0, sizeof *rp);
    rp->first = short_reply(w);
    if (w->total == 0 || w->total > w->n)
        return;
    bool meaning = false, negated = false;
    for (int i = 0; i < w->n; i++) {
        const char *x = w->w[i];
        if (lk_pol_in_list(x, yes_words))
            rp->yes = true;
        else if (lk_pol_in_list(x, ok_words))
            rp->ok = true;
        else if (lk_pol_in_list(x, closing_no_words))
            rp->no = true;
        else if (lk_pol_in_list(x, thanks_words))
            rp->thanks = true;
        else if (lk_pol_in_list(x, bye_words) || lk_pol_in_list(x, done_words))
            rp->bye = true;
        else if (lk_pol_in_list(x, filler_words)) {
            negated = negated || strcmp(x, "niet") == 0 || strcmp(x, "not") == 0;
            /* "dat was het", "that's it": done, said in fillers */
            if (i > 0 && (strcmp(x, "het") == 0 || strcmp(x, "it") == 0) &&
                (strcmp(w->w[i - 1], "was") == 0 || strcmp(w->w[i - 1], "is") == 0 || strcmp(w->w[i - 1], "s") == 0))
                rp->bye = true;
            continue;
        } else
            return; /* a word that carries a question */
        meaning = true;
    }
    rp->closing = (meaning || rp->bye) && !(negated && rp->ok);
}

static bool email_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
           ch == '_' || ch == '%' || ch == '+' || ch == '-';
}

/* The first e-mail address or phone number (9 to 15 digits, with spaces,
 * dashes, dots, slashes or parentheses between them, an optional leading
 * '+') in text, as a new string; NULL when none. */
char *lk_pol_find_contact(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (text[i] != '@')
            continue;
        size_t s = i, e = i + 1;
        while (s > 0 && email_char(text[s - 1]))
            s--;
        while (e < len && email_char(text[e]))
            e++;
        while (e > i + 1 && (text[e - 1] == '.' || text[e - 1] == '-'))
            e--; /* a full stop after the address */
        const char *dot = memchr(text + i + 1, '.', e - i - 1);
        if (s < i && dot && dot > text + i + 1 && (size_t)(text + e - dot) > 2 && e - s <= 254)
            return lk_xstrndup(text + s, e - s);
    }
    for (size_t i = 0; i < len; i++) {
        /* a number starts with a digit, '+' or '(' and not inside another one */
        bool lead = text[i] == '+' || text[i] == '(';
        if (!lead && !(text[i] >= '0' && text[i] <= '9'))
            continue;
        if (i > 0 && ((text[i - 1] >= '0' && text[i - 1] <= '9') || text[i - 1] == '+' || text[i - 1] == '('))
            continue;
        size_t e = i, last_digit = i;
        int digits = 0;
        if (lead)
            e++;
        while (e < len && ((text[e] >= '0' && text[e] <= '9') || text[e] == ' ' || text[e] == '-' ||
                           text[e] == '.' || text[e] == '/' || text[e] == '(' || text[e] == ')')) {
            if (text[e] >= '0' && text[e] <= '9') {
                digits++;
                last_digit = e;
            }
            e++;
        }
        if (digits >= 9 && digits <= 15)
            return lk_xstrndup(text + i, last_digit + 1 - i);
        i = e > i ? e - 1 : i;
    }
    return NULL;
}

/* "geen van deze", "none of these", "nee, iets anders", and the widget's
 * German and French buttons "Nichts davon", "Aucun de ces sujets": the
 * customer's answer to choices when none fits. Only these words, and at
 * least one that says no. */
static const char *const none_key_words[] = {"geen",   "none",   "neither", "nee",   "neen",  "no",   "nope",
                                             "niks",   "niets",  "nothing", "anders", "else", "nichts", "kein",
                                             "keine",  "keins",  "nein",    "aucun", "aucune", "rien", NULL};
static const char *const none_filler_words[] = {"van",   "deze",   "beide", "allebei", "allen", "of",        "these",
                                                "them",  "those",  "the",   "above",   "iets",  "something", "is",
                                                "het",   "it",     "dat",   "bedoel",  "ik",    "i",         "mean",
                                                "sorry", "helaas", "zijn",  "are",     "een",   "other",     "davon",
                                                "dieser", "ces",   "sujets", "ceux",   "ci",    "de",        NULL};

bool lk_pol_none_of_these(const words_t *w)
{
    if (w->total == 0 || w->total > 6 || w->total > w->n)
        return false;
    bool key = false;
    for (int i = 0; i < w->n; i++) {
        if (lk_pol_in_list(w->w[i], none_key_words))
            key = true;
        else if (!lk_pol_in_list(w->w[i], none_filler_words))
            return false;
    }
    return key;
}
