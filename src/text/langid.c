/*
 * langid.c: Dutch or English, on chat messages of a few words.
 *
 * Character n-gram statistics alone (TextCat) are unreliable on three words,
 * so each word is looked up first in a list of frequent words that belong to
 * only one of the two languages (function words, question words, and the
 * vocabulary of customer service); a word in a list is strong evidence. Other
 * words fall back to a naive-Bayes score over their character 1..5-grams
 * against the TextCat profiles (langid_tab.h), damped because the n-grams of
 * one word are far from independent. The sum of the words' log-odds, plus a
 * small prior from the hint, gives the language and its probability.
 */
#include "text/text.h"
#include "text/text_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text/langid_tab.h"

/* Frequent words of one language that the other does not use (words both
 * share, such as "is", "in", "we", "of", "over", "die", "want", are in
 * neither). Sorted bytewise for bsearch; a unit test checks the order. */
static const char *const words_nl[] = {
    "aan", "aangekomen", "aankoop", "aanmaken", "aanvragen", "adres", "afbetalen", "afgeleverd", "afhalen",
    "afmelden", "akkoord", "alle", "alleen", "alles", "als", "alsjeblieft", "alstublieft", "altijd", "anders",
    "annuleren", "antwoord", "automatisch", "beantwoorden", "bedankt", "bedrag", "begrijp", "begrijpen",
    "behandeld", "bekijken", "beleid", "ben", "bent", "bereiken", "bericht", "beschadigd", "beschikbaar",
    "bestaat", "bestel", "bestelde", "bestellen", "bestelling", "bestellingen", "betaal", "betaald",
    "betalen", "betaling", "betekent", "beter", "bevestigen", "bevestiging", "bezorgd", "bezorgen",
    "bezorger", "bezorging", "bij", "bijna", "binnen", "blijft", "blijkbaar", "boos", "bovendien", "brengen",
    "brief", "buiten", "daar", "daarom", "dag", "dagen", "dank", "dankjewel", "danku", "dankzij", "dat", "de",
    "defect", "deze", "dezelfde", "dicht", "dichtbij", "dit", "doe", "doen", "doet", "dom", "dus", "echt",
    "een", "eens", "eerder", "eerste", "eigen", "eigenlijk", "elke", "en", "enige", "enkele", "erg", "ergens",
    "eruit", "factuur", "fout", "fouten", "gaan", "gaat", "gebarsten", "gebeurd", "gebeurt", "gebruiken",
    "gedaan", "geen", "gegeven", "gehad", "geholpen", "gekocht", "gekregen", "geld", "geleverd", "gemaakt",
    "genoeg", "geopend", "gesloten", "gesprek", "gestuurd", "geven", "gewoon", "gezien", "gisteren", "goed",
    "graag", "groot", "grote", "hallo", "heb", "hebben", "hebt", "heeft", "heel", "hele", "helemaal",
    "helpen", "hem", "het", "hier", "hierover", "hoe", "hoelang", "hoeveel", "hoi", "hoor", "houden", "huis",
    "iemand", "iets", "ik", "inderdaad", "inloggen", "inwisselen", "ja", "jaar", "jammer", "je", "jij", "jou",
    "jouw", "jullie", "kan", "kapot", "keer", "kijken", "klacht", "klant", "klanten", "klantenservice", "kom",
    "komen", "komt", "kon", "kopen", "kost", "kosten", "krijg", "krijgen", "kun", "kunnen", "kunt", "laat",
    "laten", "leveren", "levering", "lijkt", "lukt", "maak", "maakt", "maand", "maar", "medewerker",
    "medewerkers", "mee", "meer", "meneer", "mensen", "met", "mevrouw", "mij", "mijn", "mis", "misschien",
    "moet", "moeten", "mogelijk", "morgen", "na", "naar", "nee", "niet", "niets", "nieuw", "nieuwe", "nodig",
    "nog", "nooit", "nu", "ofzo", "om", "ongeveer", "onze", "ook", "op", "opgelost", "ophalen", "opnieuw",
    "opsturen", "oud", "oude", "overal", "pakket", "pakketje", "persoon", "praten", "prima", "probleem",
    "product", "producten", "retour", "retourneren", "schade", "slecht", "snel", "spreken", "staat", "sturen",
    "terug", "terugbetaling", "teruggave", "terugsturen", "thuis", "tijd", "toch", "toen", "tot", "twee",
    "uur", "uw", "vanaf", "vandaag", "vanuit", "veel", "verkeerd", "verkeerde", "verzenden", "verzending",
    "verzendkosten", "vind", "vinden", "volgende", "voor", "vraag", "vragen", "vriendelijk", "waar", "waarom",
    "wachten", "wanneer", "wat", "weer", "weet", "weg", "wel", "welke", "werk", "werken", "werkt", "weten",
    "wie", "wij", "wil", "willen", "wilt", "worden", "wordt", "zeggen", "zeker", "zelf", "zich", "zie",
    "zien", "zijn", "zit", "zitten", "zo", "zoals", "zonder", "zou", "zouden",
};

static const char *const words_en[] = {
    "a", "about", "account", "add", "after", "again", "all", "also", "always", "am", "an", "and", "another",
    "answer", "any", "anyone", "anything", "are", "arrive", "arrived", "ask", "back", "bad", "balance", "be",
    "because", "been", "before", "being", "best", "better", "bill", "book", "both", "bought", "bring", "but",
    "buy", "by", "call", "called", "calling", "can", "can't", "cancel", "cannot", "card", "cards", "change",
    "charge", "charged", "check", "could", "couldn't", "date", "day", "days", "delivered", "delivery", "did",
    "didn't", "do", "does", "doesn't", "doing", "don't", "done", "down", "each", "easy", "else", "email",
    "ever", "every", "everything", "find", "first", "for", "from", "get", "gets", "getting", "give", "go",
    "going", "good", "got", "has", "have", "haven't", "having", "hello", "her", "here", "him", "his", "hold",
    "how", "however", "i", "i'd", "i'll", "i'm", "i've", "if", "into", "it", "it's", "its", "just",
    "keep", "know", "last", "let", "like", "likely", "long", "look", "looking", "lost", "make", "many", "may",
    "mean", "minutes", "money", "more", "most", "much", "my", "need", "never", "new", "next", "no", "not",
    "nothing", "now", "number", "of", "off", "on", "one", "only", "or", "order", "ordered", "other", "our",
    "out", "package", "paid", "pay", "payment", "people", "person", "phone", "please", "price", "problem",
    "quick", "quickly", "really", "refund", "return", "right", "said", "same", "say", "says", "see", "send",
    "sent", "service", "set", "shipping", "should", "show", "since", "so", "some", "someone", "something",
    "soon", "speak", "still", "such", "sure", "take", "talk", "tell", "thank", "thanks", "that", "the",
    "their", "them", "then", "there", "these", "they", "thing", "things", "think", "this", "those", "through",
    "time", "to", "today", "told", "tomorrow", "too", "transfer", "try", "trying", "two", "understand", "up",
    "us", "use", "used", "using", "very", "wait", "waiting", "wanted", "was", "way", "we", "well", "went",
    "were", "what", "what's", "when", "where", "whether", "which", "while", "who", "whom", "why", "will",
    "with", "without", "won't", "work", "working", "would", "wouldn't", "wrong", "yes", "yesterday", "yet",
    "you", "you're", "your",
};

#define WORD_LOGODDS 3.0   /* a listed word */
#define NGRAM_DAMP 0.35    /* weight of one word's mean n-gram log-ratio... */
#define NGRAM_WORD_MAX 2.0 /* ...capped per word */
#define HINT_LOGODDS 0.7

#define N_NGRAMS (sizeof ngram_tab / sizeof *ngram_tab)
#define NGRAM_MAX 5

/* Narrows [*lo, *hi), the entries of ngram_tab that begin with some d - 1
 * given bytes, to those whose byte d - 1 is c. The table is sorted bytewise,
 * so they are a contiguous run (an entry of only d - 1 bytes has a 0 there
 * and comes first). */
static void narrow(size_t *lo, size_t *hi, size_t d, unsigned char c)
{
    size_t a = *lo, b = *hi;
    while (a < b) { /* first entry with byte >= c */
        size_t mid = (a + b) / 2;
        if ((unsigned char)ngram_tab[mid].g[d - 1] < c)
            a = mid + 1;
        else
            b = mid;
    }
    size_t e = *hi;
    b = a;
    while (b < e) { /* first entry with byte > c */
        size_t mid = (b + e) / 2;
        if ((unsigned char)ngram_tab[mid].g[d - 1] <= c)
            b = mid + 1;
        else
            e = mid;
    }
    *lo = a;
    *hi = b;
}

/* Log-odds nl:en of one folded ASCII word from its character n-grams. */
static double ngram_score(const char *w, size_t len)
{
    char buf[40];
    if (len + 2 > sizeof buf)
        return 0;
    buf[0] = '_';
    memcpy(buf + 1, w, len);
    buf[len + 1] = '_';
    size_t bl = len + 2;
    /* found[n][i]: the entry of the n-gram at i, or -1. The n-grams that
     * start at one place are prefixes of each other, so each is looked up
     * in the run of entries that begin with the one before it. */
    long found[NGRAM_MAX + 1][sizeof buf];
    for (size_t i = 0; i < bl; i++) {
        size_t lo = 0, hi = N_NGRAMS;
        for (size_t n = 1; n <= NGRAM_MAX; n++) {
            if (i + n > bl)
                break;
            if (lo < hi)
                narrow(&lo, &hi, n, (unsigned char)buf[i + n - 1]);
            found[n][i] = lo < hi && !ngram_tab[lo].g[n] ? (long)lo : -1;
        }
    }
    double sum = 0;
    int n_seen = 0;
    for (size_t n = 1; n <= NGRAM_MAX; n++) {
        for (size_t i = 0; i + n <= bl; i++) {
            if (n == 1 && buf[i] == '_')
                continue;
            long k = found[n][i];
            if (k < 0)
                continue;
            double cnl = ngram_tab[k].nl ? ngram_tab[k].nl : 0.5 * ngram_min_nl[n];
            double cen = ngram_tab[k].en ? ngram_tab[k].en : 0.5 * ngram_min_en[n];
            sum += log(cnl / ngram_total_nl[n]) - log(cen / ngram_total_en[n]);
            n_seen++;
        }
    }
    if (!n_seen)
        return 0;
    double s = NGRAM_DAMP * sum / sqrt((double)n_seen);
    if (s > NGRAM_WORD_MAX)
        s = NGRAM_WORD_MAX;
    if (s < -NGRAM_WORD_MAX)
        s = -NGRAM_WORD_MAX;
    return s;
}

double lk_text__word_langscore(const char *w, size_t len)
{
    if (lk_text__in_sorted(words_nl, sizeof words_nl / sizeof *words_nl, w, len))
        return WORD_LOGODDS;
    if (lk_text__in_sorted(words_en, sizeof words_en / sizeof *words_en, w, len))
        return -WORD_LOGODDS;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)w[i];
        if (!(c >= 'a' && c <= 'z') && c != '\'' && c != '-')
            return 0; /* digits, codes and non-ASCII letters: no profile */
    }
    return ngram_score(w, len);
}

bool lk_text__wordlists_sorted(void)
{
    for (size_t i = 1; i < sizeof words_nl / sizeof *words_nl; i++)
        if (strcmp(words_nl[i - 1], words_nl[i]) >= 0)
            return false;
    for (size_t i = 1; i < sizeof words_en / sizeof *words_en; i++)
        if (strcmp(words_en[i - 1], words_en[i]) >= 0)
            return false;
    for (size_t i = 1; i < sizeof ngram_tab / sizeof *ngram_tab; i++)
        if (strcmp(ngram_tab[i - 1].g, ngram_tab[i].g) >= 0)
            return false;
    return true;
}

void lk_text_language_tokens(const char *norm, const lk_token_t *toks, size_t nt, const char *hint,
                             lk_text_lang_t *out)
{
    memset(out, 0, sizeof *out);
    double score = 0;
    bool evidence = false;
    for (size_t i = 0; i < nt; i++) {
        if (toks[i].type != LK_TOK_WORD)
            continue;
        double w = lk_text__word_langscore(norm + toks[i].off, toks[i].len);
        if (w != 0)
            evidence = true;
        score += w;
    }
    if (hint && !strcmp(hint, "nl"))
        score += HINT_LOGODDS;
    else if (hint && !strcmp(hint, "en"))
        score -= HINT_LOGODDS;
    out->score = score;
    if (!evidence) {
        if (hint && (!strcmp(hint, "nl") || !strcmp(hint, "en"))) {
            memcpy(out->lang, hint, 3);
            out->confidence = 1.0 / (1.0 + exp(-HINT_LOGODDS));
        }
        return;
    }
    memcpy(out->lang, score >= 0 ? "nl" : "en", 3);
    out->confidence = 1.0 / (1.0 + exp(-fabs(score)));
}

void lk_text_language(const char *s, size_t len, const char *hint, lk_text_lang_t *out)
{
    memset(out, 0, sizeof *out);
    char *norm = NULL;
    size_t nlen = 0;
    if (!s || lk_text_normalize(s, len, LK_TEXT_FOLD | LK_TEXT_STRIP_MARKS, &norm, &nlen) != 0)
        return;
    lk_token_t toks[64];
    size_t nt = lk_text_tokenize(norm, nlen, toks, 64);
    lk_text_language_tokens(norm, toks, nt > 64 ? 64 : nt, hint, out);
    free(norm);
}
