/*
 * langid.c: Dutch, English, German or French, on chat messages of a few
 * words (the customers of a Dutch shop: Dutch, Belgian, German, and those
 * who write English).
 *
 * Character n-gram statistics alone (TextCat) are unreliable on three words,
 * so each word is looked up first in lists of frequent words of each
 * language (function words, question words, and the vocabulary of customer
 * service); a word in a list is strong evidence for every language whose
 * list has it ("je" is Dutch and French, "hier" Dutch and German). Other
 * words fall back to a naive-Bayes score over their character 1..5-grams
 * against the TextCat profiles (langid_tab.h, made by scripts/langid_tab.py),
 * damped because the n-grams of one word are far from independent. Each
 * language's sum over the words, plus a small prior for the hint, gives the
 * language (the largest) and its probability (a softmax over the four).
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
    "een", "eens", "eerder", "eerste", "eigen", "eigenlijk", "elke", "en", "enige", "enkele", "er", "erg", "ergens",
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

/* German and French, folded as the text is ("für" -> "fur", "où" -> "ou").
 * Words they share with Dutch or English ("alle", "hier", "a", "je") are in
 * both lists; frequent Dutch or English words that German or French also
 * use ("in", "die", "me", "te", "article") are in neither. */
static const char *const words_de[] = {
    "aber", "abgelehnt", "alle", "alles", "als", "also", "am", "an", "andern", "anders", "angekommen", "anrufen",
    "antwort", "auch", "auf", "aus", "bei", "beim", "bekomme", "bekommen", "beschadigt", "bestatigen",
    "bestatigung", "bestellen", "bestellnummer", "bestellt", "bestellung", "bestellungen", "bezahlen", "bezahlt",
    "bezahlung", "bin", "bis", "bist", "bitte", "bleibt", "brauche", "da", "damit", "dank", "danke", "dann", "darf",
    "das", "dass", "dauern", "dauert", "dein", "deine", "dem", "den", "denn", "der", "des", "dich", "dies", "diese",
    "diesem", "diesen", "dieser", "dir", "doch", "dort", "du", "durch", "ein", "eine", "einem", "einen", "einer",
    "eines", "erhalten", "erstattet", "es", "etwas", "euch", "euer", "falsch", "farbe", "finde", "frage", "fragen",
    "funktioniert", "fur", "gebuhr", "gebuhren", "geht", "gekauft", "geld", "geliefert", "gerne", "gestern", "gibt",
    "grosse", "gut", "gutschein", "habe", "haben", "halfte", "hallo", "hat", "hatte", "helfen", "heute", "hier",
    "hilfe", "hoch", "ich", "ihn", "ihnen", "ihr", "ihre", "ihren", "im", "immer", "ist", "ja", "jemand", "jetzt",
    "kann", "kaputt", "kaufen", "kein", "keine", "keinen", "kommt", "konnen", "konnte", "konto", "kosten",
    "kostenlos", "kostet", "kunde", "kundendienst", "kundennummer", "kundenservice", "lange", "lastschrift",
    "leider", "lieferadresse", "liefern", "lieferung", "lieferzeit", "loschen", "machen", "mal", "mehr", "mein",
    "meine", "meinem", "meinen", "meiner", "mensch", "mich", "mir", "mit", "mitarbeiter", "mochte", "moglich",
    "morgen", "muss", "mussen", "nach", "nachricht", "nein", "neukunden", "nicht", "nichts", "noch", "nochmal",
    "nur", "oder", "ohne", "paket", "passt", "passwort", "problem", "rabatt", "rechnung", "rechnungsadresse",
    "roboter", "ruckerstattung", "ruckgabe", "rucksendung", "schicken", "schnell", "schon", "sehr", "sein", "seit",
    "sendung", "sendungsverfolgung", "sich", "sie", "sind", "so", "soll", "sollte", "sprechen", "stornieren",
    "storniert", "uber", "uberweisung", "umtauschen", "und", "uns", "unser", "unsere", "vergessen", "versand",
    "versandkosten", "verschickt", "versendet", "vielen", "von", "vor", "wann", "warum", "was", "weil", "wenig",
    "wer", "werden", "wie", "wieder", "will", "wir", "wird", "wo", "woche", "wochen", "wurde", "zahlen", "zahlung",
    "zu", "zum", "zur", "zuruck", "zuruckschicken", "zurucksenden", "zwei",
};

static const char *const words_fr[] = {
    "a-t-il", "abime", "achete", "adresse", "ai", "aide", "aider", "aidez", "aller", "alors", "annuler", "apres",
    "arriver", "au", "aucun", "aujourd'hui", "aussi", "autre", "aux", "avec", "avez", "avez-vous", "avoir", "avons",
    "besoin", "bien", "bon", "bonjour", "c'est", "ca", "carte", "casse", "ce", "cela", "celle", "cet", "cette",
    "changer", "chez", "colis", "combien", "commande", "commander", "commandes", "comme", "comment", "compte",
    "conseiller", "cordialement", "couleur", "coute", "d'accord", "d'un", "d'une", "dans", "de", "deja", "delai",
    "demain", "demande", "depuis", "des", "dois", "donc", "du", "echanger", "elle", "encore", "endommage", "envoye",
    "envoyer", "est", "est-ce", "est-il", "et", "ete", "etes-vous", "etre", "facture", "faire", "fait", "faut",
    "frais", "gratuit", "gratuite", "humain", "il", "ils", "j'ai", "j'attends", "jamais", "je", "jour", "jours",
    "l'adresse", "l'article", "la", "le", "les", "leur", "livraison", "livre", "livree", "livrer", "livrez", "lui",
    "m'aider", "ma", "madame", "maintenant", "mais", "mauvais", "mauvaise", "merci", "mes", "moi", "moitie", "mon",
    "monsieur", "mot", "n'ai", "n'est", "ne", "nous", "nouveau", "nouveaux", "nouvelle", "numero", "ou", "oublie",
    "paiement", "par", "parce", "parler", "passe", "payer", "peut", "peut-etre", "peux", "plus", "pour", "pourquoi",
    "pourriez", "pouvez", "pouvez-vous", "prend", "prix", "produit", "puis", "puis-je", "qu'est-ce", "qu'il",
    "quand", "que", "quel", "quelle", "quelqu'un", "qui", "recois", "recu", "recue", "reduction", "rembourse",
    "remboursement", "rembourser", "retour", "retourner", "rien", "s'il", "sa", "sans", "se", "semaine", "semaines",
    "ses", "si", "sont", "suis", "suivi", "suivre", "supprimer", "sur", "svp", "ta", "taille", "temps", "toujours",
    "tout", "tres", "trop", "tu", "un", "une", "va", "veuillez", "veux", "vite", "vos", "votre", "voudrais", "vous",
    "y",
};

static const struct {
    const char *const *words;
    size_t n;
} lists[LANGID_N] = {
    {words_nl, sizeof words_nl / sizeof *words_nl},
    {words_en, sizeof words_en / sizeof *words_en},
    {words_de, sizeof words_de / sizeof *words_de},
    {words_fr, sizeof words_fr / sizeof *words_fr},
};
static const char *const lang_names[LANGID_N] = {"nl", "en", "de", "fr"};

#define WORD_LOGODDS 3.0   /* a listed word */
#define NGRAM_DAMP 0.35    /* weight of one word's mean n-gram log-ratio... */
#define NGRAM_WORD_MAX 2.0 /* ...capped per word */
#define HINT_LOGODDS 0.7
/* The prior of German and French against Dutch and English: a Dutch shop
 * hears them less often, and a wrong guess for them costs more (the bot
 * follows the customer into the language). */
#define FOREIGN_LOGODDS (-1.0)

#define N_NGRAMS (sizeof ngram_tab / sizeof *ngram_tab)
#define NL 0
#define EN 1
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

/* Each language's score of one folded ASCII word from its character
 * n-grams, centred on the languages' mean (so that the difference of two
 * languages' scores is their log-odds). Adds to out[]. */
static void ngram_score(const char *w, size_t len, double out[LANGID_N])
{
    char buf[40];
    if (len + 2 > sizeof buf)
        return;
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
    double sum[LANGID_N] = {0};
    int n_seen = 0;
    for (size_t n = 1; n <= NGRAM_MAX; n++) {
        for (size_t i = 0; i + n <= bl; i++) {
            if (n == 1 && buf[i] == '_')
                continue;
            long k = found[n][i];
            if (k < 0)
                continue;
            double lp[LANGID_N], mean = 0;
            for (int l = 0; l < LANGID_N; l++) {
                double c = ngram_tab[k].c[l] ? ngram_tab[k].c[l] : 0.5 * ngram_min[l][n];
                lp[l] = log(c / ngram_total[l][n]);
                mean += lp[l] / LANGID_N;
            }
            for (int l = 0; l < LANGID_N; l++)
                sum[l] += lp[l] - mean;
            n_seen++;
        }
    }
    if (!n_seen)
        return;
    /* each score within +-NGRAM_WORD_MAX / 2: two languages differ by at
     * most NGRAM_WORD_MAX on one word */
    for (int l = 0; l < LANGID_N; l++) {
        double s = NGRAM_DAMP * sum[l] / sqrt((double)n_seen);
        if (s > NGRAM_WORD_MAX / 2)
            s = NGRAM_WORD_MAX / 2;
        if (s < -NGRAM_WORD_MAX / 2)
            s = -NGRAM_WORD_MAX / 2;
        out[l] += s;
    }
}

/* Adds one word's evidence to each language's score; false when the word
 * gives none (digits, codes, letters no profile has). */
static bool word_scores(const char *w, size_t len, double out[LANGID_N])
{
    bool listed = false;
    for (int l = 0; l < LANGID_N; l++)
        if (lk_text__in_sorted(lists[l].words, lists[l].n, w, len)) {
            out[l] += WORD_LOGODDS;
            listed = true;
        }
    if (listed)
        return true;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)w[i];
        if (!(c >= 'a' && c <= 'z') && c != '\'' && c != '-')
            return false; /* digits, codes and non-ASCII letters: no profile */
    }
    double before[LANGID_N];
    memcpy(before, out, sizeof before);
    ngram_score(w, len, out);
    return memcmp(before, out, sizeof before) != 0;
}

double lk_text__word_langscore(const char *w, size_t len)
{
    double s[LANGID_N] = {0};
    word_scores(w, len, s);
    return s[NL] - s[EN];
}

bool lk_text__wordlists_sorted(void)
{
    for (int l = 0; l < LANGID_N; l++)
        for (size_t i = 1; i < lists[l].n; i++)
            if (strcmp(lists[l].words[i - 1], lists[l].words[i]) >= 0)
                return false;
    for (size_t i = 1; i < sizeof ngram_tab / sizeof *ngram_tab; i++)
        if (strcmp(ngram_tab[i - 1].g, ngram_tab[i].g) >= 0)
            return false;
    return true;
}

static int lang_index(const char *lang)
{
    for (int l = 0; lang && l < LANGID_N; l++)
        if (strcmp(lang, lang_names[l]) == 0)
            return l;
    return -1;
}

void lk_text_language_tokens(const char *norm, const lk_token_t *toks, size_t nt, const char *hint,
                             lk_text_lang_t *out)
{
    memset(out, 0, sizeof *out);
    double score[LANGID_N] = {0};
    bool evidence = false;
    for (size_t i = 0; i < nt; i++) {
        if (toks[i].type != LK_TOK_WORD)
            continue;
        if (word_scores(norm + toks[i].off, toks[i].len, score))
            evidence = true;
    }
    int h = lang_index(hint);
    if (h >= 0)
        score[h] += HINT_LOGODDS;
    out->score = score[NL] - score[EN];
    for (int l = EN + 1; l < LANGID_N; l++)
        score[l] += FOREIGN_LOGODDS;
    if (!evidence) {
        if (h >= 0) {
            memcpy(out->lang, lang_names[h], 3);
            /* the hint's prior against the other languages */
            out->confidence = exp(HINT_LOGODDS) / (exp(HINT_LOGODDS) + (LANGID_N - 1));
        }
        return;
    }
    /* the best language (ties: the first of nl, en, de, fr) and its share */
    int best = 0;
    for (int l = 1; l < LANGID_N; l++)
        if (score[l] > score[best])
            best = l;
    double z = 0;
    for (int l = 0; l < LANGID_N; l++)
        z += exp(score[l] - score[best]);
    memcpy(out->lang, lang_names[best], 3);
    out->confidence = 1.0 / z;
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
