/*
 * policy_sim: the conversation policy under a simulated customer population
 * (issue 4, "proof, not hope"; run by bench/policy_sim.sh, part of `make
 * bench`).
 *
 * Plays N random conversations (100,000 by default) through the real NLU,
 * built from the built-in demo knowledge base exactly as `loket serve` builds
 * it, and the real lk_policy_step(). Only the customers, the clock and the
 * agents are simulated:
 *
 *  - five kinds of customer, each a small generator of messages that reacts
 *    to what the bot said: patient, impatient, angry, off-topic and English.
 *    They ask the demo KB's example questions slightly perturbed (fillers,
 *    lower case, typos of one letter dropped, doubled or replaced), ask off-
 *    topic things, ask for a person (typed, sometimes with a typo) or press the
 *    button, burst out in anger, complain, ask whether this is a bot, answer
 *    "ja"/"nee" to "did this help?" and to the offer of a person, repeat
 *    themselves, ask two things at once or a sensitive question;
 *  - simulated time: a conversation starts at a random moment of a week (most
 *    in the daytime and evening) with business hours from --hours; customers
 *    think 5-60 s between messages; while queued, a tick every 15 s;
 *  - agents: while people are available, an agent joins after a random wait
 *    (about 1.5 minutes per place in the queue); outside business hours or
 *    with nobody logged in, the customer may leave a call-back number and an
 *    agent joins when people are back. Sometimes the agent puts the
 *    conversation back in the queue; sometimes the customer reopens a closed
 *    conversation with a new question.
 *
 * After every step it checks the policy's invariants: a person request or the
 * button leaves the conversation queued (or assigned) in that same step; never
 * two declines in a row without a hand-off; no bot message while queued or
 * assigned (nor after the hand-off within a step) and no notice at all while
 * assigned except for the agent's own events; every message is from "bot" or
 * "system", non-empty and valid UTF-8. Any violation is counted (and the first
 * few are described on stderr); the program exits 1 when there is one.
 *
 * Deterministic: every conversation draws from its own generator seeded from
 * --seed and its number, so the figures do not depend on --threads. Prints a
 * markdown report on stdout; the run time goes to stderr.
 *
 * Usage: policy_sim [--conversations N] [--seed S] [--threads T]
 *                   [--hours "ma-vr 08:00-20:00, za 10:00-16:00"] [--trace K]
 *                   [--set OPTION=VALUE]... [--phrases FILE]
 * --phrases names the file of what the customers say (default
 * bench/policy_sim_phrases.txt, from the source tree's root, where
 * bench/policy_sim.sh runs it).
 * --trace K prints the first K conversations' transcripts on stderr. --set
 * sets a policy option as the configuration file would (policy.h), e.g.
 * --set second_answer_ratio=0.3, to see what a threshold does.
 */
#include "kb/kb.h"
#include "nlu/nlu.h"
#include "policy/policy.h"
#include "util/util.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N(a) (sizeof(a) / sizeof *(a))

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define TICK_MS (15 * SEC)
#define MAX_BOT_TURNS 12 /* a customer gives up talking to the bot after this many messages */
#define HISTORY 5        /* earlier customer messages the NLU sees (as the server passes them) */
#define TEXT_MAX 400     /* one question as typed */
#define MSG_MAX 1000     /* one message: up to two questions and some words */

/* ---- random numbers (splitmix64, one stream per conversation) ----------- */

typedef struct {
    uint64_t s;
} rng_t;

static uint64_t rnd_next(rng_t *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double rnd_unit(rng_t *r)
{
    return (double)(rnd_next(r) >> 11) * 0x1.0p-53;
}

static int rnd_int(rng_t *r, int n) /* 0..n-1 */
{
    return n <= 1 ? 0 : (int)(rnd_unit(r) * n);
}

static int64_t rnd_range(rng_t *r, int64_t lo, int64_t hi) /* lo..hi */
{
    return lo + (int64_t)(rnd_unit(r) * (double)(hi - lo + 1));
}

static bool chance(rng_t *r, double p)
{
    return rnd_unit(r) < p;
}

/* Picks an index by weights (which need not sum to 1). */
static int pick(rng_t *r, const double *w, int n)
{
    double total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    double x = rnd_unit(r) * total;
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

#define PICK(r, list) ((list)[rnd_int((r), (int)N(list))])

/* ---- the customers' words ------------------------------------------------ */

typedef enum { P_PATIENT, P_IMPATIENT, P_ANGRY, P_OFFTOPIC, P_ENGLISH, P__COUNT } persona_t;

static const char *const persona_names[P__COUNT] = {"patient", "impatient", "angry", "off-topic", "English"};
static const double persona_mix[P__COUNT] = {0.35, 0.20, 0.10, 0.15, 0.20};

/* The phrase pools: what customers say for one purpose, in Dutch and in
 * English. Read from bench/policy_sim_phrases.txt (--phrases) before the
 * workers start, and only read after that. */
typedef struct {
    const char **v;
    size_t n;
} phrases_t;

typedef struct {
    phrases_t nl, en;
} pool_t;

static pool_t person_pool, angry_pool, complaint_pool, offtopic_pool, botq_pool, yes_pool, accept_pool, no_pool,
    thanks_pool, bye_pool, ok_pool, hello_pool, waiting_pool, contact_pool, assigned_pool;

/* The names the phrase file gives the pools. */
static const struct {
    const char *name;
    pool_t *pool;
} pool_names[] = {
    {"person", &person_pool},     {"angry", &angry_pool},     {"complaint", &complaint_pool},
    {"offtopic", &offtopic_pool}, {"botq", &botq_pool},       {"yes", &yes_pool},
    {"accept", &accept_pool},     {"no", &no_pool},           {"thanks", &thanks_pool},
    {"bye", &bye_pool},           {"ok", &ok_pool},           {"hello", &hello_pool},
    {"waiting", &waiting_pool},   {"contact", &contact_pool}, {"assigned", &assigned_pool},
};

/* The phrases of a "[pool language]" header line, or NULL with a message. */
static phrases_t *pool_section(const char *line, const char *path, int line_no)
{
    size_t len = strlen(line);
    const char *sp = strrchr(line, ' ');
    if (sp && line[len - 1] == ']') {
        size_t name_len = (size_t)(sp - line) - 1; /* between "[" and " " */
        const char *lang = sp + 1;
        bool nl = line + len - 1 - lang == 2 && !memcmp(lang, "nl", 2);
        bool en = line + len - 1 - lang == 2 && !memcmp(lang, "en", 2);
        for (size_t i = 0; i < N(pool_names) && (nl || en); i++)
            if (strlen(pool_names[i].name) == name_len && !memcmp(pool_names[i].name, line + 1, name_len))
                return nl ? &pool_names[i].pool->nl : &pool_names[i].pool->en;
    }
    fprintf(stderr, "policy_sim: %s:%d: \"%s\" is no \"[pool nl]\" or \"[pool en]\" of a known pool\n", path, line_no,
            line);
    return NULL;
}

/* Reads every pool from path; the text stays in *text. Returns 0, or 2 with
 * a message on stderr. The caller frees with phrases_free() either way. */
static int phrases_load(const char *path, char **text /* OUT */)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "policy_sim: cannot open %s: %s\n", path, strerror(errno));
        return 2;
    }
    lk_buf_t b;
    lk_buf_init(&b, 1 << 20);
    char chunk[4096];
    size_t got;
    int rc = 0;
    while (rc == 0 && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = lk_buf_append(&b, chunk, got);
    fclose(f);
    if (rc != 0 || lk_buf_append(&b, "", 1) != 0) {
        fprintf(stderr, "policy_sim: %s is larger than 1 MiB\n", path);
        lk_buf_free(&b);
        return 2;
    }
    *text = b.data;
    phrases_t *into = NULL;
    int line_no = 0;
    for (char *line = *text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        line_no++;
        if (line[0] == '\0' || line[0] == '#')
            continue;
        if (line[0] == '[') {
            if (!(into = pool_section(line, path, line_no)))
                return 2;
        } else if (!into) {
            fprintf(stderr, "policy_sim: %s:%d: a phrase before the first \"[pool language]\"\n", path, line_no);
            return 2;
        } else {
            into->v = lk_xrealloc(into->v, (into->n + 1) * sizeof *into->v);
            into->v[into->n++] = line;
        }
    }
    for (size_t i = 0; i < N(pool_names); i++)
        if (!pool_names[i].pool->nl.n || !pool_names[i].pool->en.n) {
            fprintf(stderr, "policy_sim: %s: the pool \"%s\" needs phrases in nl and en\n", path, pool_names[i].name);
            return 2;
        }
    return 0;
}

/* Frees the pools and the text they point into (NULL: none). */
static void phrases_free(char *text)
{
    for (size_t i = 0; i < N(pool_names); i++) {
        free(pool_names[i].pool->nl.v);
        free(pool_names[i].pool->en.v);
    }
    free(text);
}

static const char *from_pool(rng_t *r, const pool_t *p, bool en)
{
    const phrases_t *ph = en ? &p->en : &p->nl;
    return ph->v[rnd_int(r, (int)ph->n)];
}

/* ---- perturbation --------------------------------------------------------- */

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* One typo in a word of 5+ ASCII letters: a letter dropped, doubled or
 * replaced (never the first two letters): one edit, the tolerance the NLU
 * documents. Leaves the text alone when it has no such word. */
static void typo(rng_t *r, char *s)
{
    size_t starts[64], lens[64], n = 0, len = strlen(s);
    for (size_t i = 0; i < len && n < N(starts);) {
        if (!is_alpha(s[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && is_alpha(s[j]))
            j++;
        if (j - i >= 5) {
            starts[n] = i;
            lens[n] = j - i;
            n++;
        }
        i = j;
    }
    if (!n)
        return;
    size_t k = (size_t)rnd_int(r, (int)n);
    size_t at = starts[k] + 2 + (size_t)rnd_int(r, (int)lens[k] - 2);
    switch (rnd_int(r, 3)) {
    case 0: /* dropped */
        memmove(s + at, s + at + 1, len - at);
        break;
    case 1: /* doubled */
        if (len + 1 < TEXT_MAX)
            memmove(s + at + 1, s + at, len - at + 1);
        break;
    default: { /* replaced by a neighbour on the keyboard (roughly) */
        static const char *const rows = "qwertyuiop asdfghjkl zxcvbnm";
        const char *p = strchr(rows, s[at] | 0x20);
        if (p && p[1] && p[1] != ' ')
            s[at] = p[1];
        else if (p && p > rows && p[-1] != ' ')
            s[at] = p[-1];
        break;
    }
    }
}

static void lower_ascii(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s |= 0x20;
}

/* A KB example question as a customer would type it. */
static void perturb(rng_t *r, const char *q, bool en, double typo_rate, char *out)
{
    static const char *const pre_nl[] = {"hallo, ", "hoi, ", "goedemiddag, ", "ik heb een vraag: ", "vraagje: "};
    static const char *const pre_en[] = {"hi, ", "hello, ", "quick question: "};
    static const char *const post_nl[] = {" alvast bedankt", " groetjes", "?"};
    static const char *const post_en[] = {" thanks", " cheers", "?"};
    const char *pre = chance(r, 0.15) ? (en ? PICK(r, pre_en) : PICK(r, pre_nl)) : "";
    const char *post = chance(r, 0.15) ? (en ? PICK(r, post_en) : PICK(r, post_nl)) : "";
    snprintf(out, TEXT_MAX, "%s%s%s", pre, q, post);
    if (chance(r, 0.4))
        lower_ascii(out);
    size_t len = strlen(out);
    if (len > 1 && out[len - 1] == '?' && chance(r, 0.3))
        out[len - 1] = '\0';
    if (chance(r, typo_rate))
        typo(r, out);
    if (chance(r, typo_rate / 3))
        typo(r, out);
}

/* ---- the knowledge base, as the customers know it ------------------------ */

typedef struct {
    const lk_kb_t *kb;
    long *general[2]; /* ordinary questions' articles per language (0 nl, 1 en) */
    size_t n_general[2];
    long *sensitive[2];
    size_t n_sensitive[2];
} topics_t;

static bool has_tag(const lk_article_t *a, const char *tag)
{
    for (size_t i = 0; i < a->n_tags; i++)
        if (strcmp(a->tags[i], tag) == 0)
            return true;
    return false;
}

static void topics_init(topics_t *t, const lk_kb_t *kb)
{
    memset(t, 0, sizeof *t);
    t->kb = kb;
    for (int li = 0; li < 2; li++) {
        t->general[li] = lk_xcalloc(kb->n_articles, sizeof(long));
        t->sensitive[li] = lk_xcalloc(kb->n_articles, sizeof(long));
    }
    for (size_t i = 0; i < kb->n_articles; i++) {
        const lk_article_t *a = &kb->articles[i];
        int li = strcmp(a->language, "en") == 0 ? 1 : 0;
        if (has_tag(a, "sensitive"))
            t->sensitive[li][t->n_sensitive[li]++] = (long)i;
        else if (!has_tag(a, "klacht")) /* complaints have their own generator */
            t->general[li][t->n_general[li]++] = (long)i;
    }
}

static void topics_free(topics_t *t)
{
    for (int li = 0; li < 2; li++) {
        free(t->general[li]);
        free(t->sensitive[li]);
    }
}

/* Same article up to language: "retourneren" and "retourneren-en". */
static bool same_topic(const lk_kb_t *kb, long a, long b)
{
    if (a < 0 || b < 0)
        return false;
    const char *x = kb->articles[a].id, *y = kb->articles[b].id;
    size_t lx = strlen(x), ly = strlen(y);
    if (lx > 3 && !strcmp(x + lx - 3, "-en"))
        lx -= 3;
    if (ly > 3 && !strcmp(y + ly - 3, "-en"))
        ly -= 3;
    return lx == ly && !memcmp(x, y, lx);
}

/* ---- statistics ----------------------------------------------------------- */

enum {
    V_PERSON_NOT_QUEUED, /* a person request or the button did not queue in that step */
    V_TWO_DECLINES,      /* two declines in a row without a hand-off */
    V_BOT_WHILE_HANDED,  /* a bot message while queued or assigned, or after the hand-off */
    V_NOTICE_ASSIGNED,   /* any message while assigned other than on the agent's events */
    V_SENDER,            /* a message not from bot/system, empty, or invalid UTF-8 */
    V__COUNT
};
static const char *const violation_names[V__COUNT] = {
    "person request or button not queued in that step",
    "two declines in a row without a hand-off",
    "bot message while queued or assigned",
    "notice while assigned (other than the agent's own events)",
    "message not from bot/system, empty or invalid UTF-8",
};

#define N_REASONS (LK_HANDOFF_LANGUAGE + 1)

typedef struct {
    int64_t conversations;
    int64_t contained;     /* ended without any hand-off */
    int64_t confirmed;     /* contained, and the customer said an answer helped */
    int64_t customer_msgs; /* messages + button presses */
    int64_t handed_off;    /* conversations with at least one hand-off */
    int64_t handoffs;      /* every hand-off (a reopened conversation may have two) */
    int64_t reasons[N_REASONS];
    int64_t handoff_away; /* hand-offs while nobody was available */
    int64_t callbacks;
    int64_t answers, declines, disclosures;
    int64_t queue_notices, waits_ms, joins;
    int64_t reopened;
    int64_t steps;
    int64_t person_typed, person_missed; /* typed requests for a person; of those, not recognised by the NLU */
    int64_t byes, byes_declined;         /* "nee, dank je", "ok", ... to "anything else?"; of those, declined */
    int64_t byes_handed;                 /* closings (or the "ok" after the bot's goodbye) handed to a person */
    int64_t byes_ok;                     /* "ok" once more after the bot's reply to the closing */
    int64_t multi, multi_both;           /* two questions in one message; of those, both answered */
    int64_t multi_right;                 /* both answered, with the two articles the customer asked about */
    int64_t multi_one;                   /* one answered, then handed over (complex) */
    int64_t queued_presses, queued_press_notices; /* the button while queued; of those, answered with a notice */
    int64_t false_alarms[N_REASONS];     /* hand-offs for a person, anger or a complaint on a calm message */
    int64_t v[V__COUNT];
    int64_t p_conv[P__COUNT], p_contained[P__COUNT], p_msgs[P__COUNT];
    int64_t p_reasons[P__COUNT][N_REASONS];
} stats_t;

static void stats_add(stats_t *a, const stats_t *b)
{
    int64_t *x = (int64_t *)a;
    const int64_t *y = (const int64_t *)b;
    for (size_t i = 0; i < sizeof *a / sizeof(int64_t); i++)
        x[i] += y[i];
}

/* ---- one conversation ----------------------------------------------------- */

enum { DIAG_VIOLATION, DIAG_MISSED, DIAG_ALARM, DIAG__COUNT };

typedef struct {
    const lk_policy_config_t *cfg;
    const lk_nlu_model_t *nlu;
    const topics_t *topics;
    const lk_kb_t *kb;
    int trace; /* print this conversation's transcript */
    pthread_mutex_t *trace_mu;
    int64_t *diag_left; /* examples still to describe on stderr: [DIAG_VIOLATION], [DIAG_MISSED], [DIAG_ALARM] */
} world_t;

typedef struct {
    const world_t *w;
    stats_t *stats;
    rng_t rng;
    persona_t persona;
    bool en;    /* writes English */
    int agents; /* agents logged in while business hours are open */
    int64_t now;
    int64_t queue_len;   /* conversations ahead in the queue */
    int64_t wait_median; /* the server's median of recent waits, s; -1: none yet */
    lk_policy_state_t st;
    char history[HISTORY][MSG_MAX];
    size_t n_history;
    /* what the last step did */
    unsigned said;      /* bit per lk_policy_say_kind_t */
    long answered;      /* article of the last answer in the step, -1 none */
    long answered_first; /* article of the first answer in the step, -1 none */
    int n_answers;       /* answers in the step */
    bool offer_pending; /* the bot's last words offered a person */
    int declines_in_row;
    bool handed_off;
    bool confirmed;
    bool calm;     /* the message being sent asks for no person, is not angry and files no complaint */
    int bot_turns; /* customer messages in the current bot episode */
    long topic;    /* the article the customer is asking about, -1 none */
    char last_text[MSG_MAX];
    lk_buf_t transcript;
} conv_t;

static const char *status_of(const conv_t *c)
{
    return lk_conv_status_name(c->st.status);
}

static void diag(conv_t *c, int v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void diag(conv_t *c, int v, const char *fmt, ...)
{
    c->stats->v[v]++;
    pthread_mutex_lock(c->w->trace_mu);
    if (c->w->diag_left[DIAG_VIOLATION] > 0) {
        c->w->diag_left[DIAG_VIOLATION]--;
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "VIOLATION (%s): ", violation_names[v]);
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, "\n");
        va_end(ap);
    }
    pthread_mutex_unlock(c->w->trace_mu);
}

static bool people_available(const conv_t *c)
{
    return c->agents > 0 && lk_policy_open_at(c->w->cfg, c->now);
}

/* Runs one event through the policy and checks the invariants. person: the
 * policy was asked for a person: the button, "ja" to the bot's offer of a
 * person, or a message that the NLU read as a request for a person. */
static void step(conv_t *c, const lk_policy_event_t *ev, bool person)
{
    lk_policy_env_t env = {
        .now_ms = c->now,
        .agents_online = people_available(c) ? c->agents : 0,
        .queue_length = c->queue_len,
        .est_wait_s = c->wait_median < 0 ? -1 : c->wait_median * (c->queue_len + 1),
        .kb = c->w->kb,
    };
    lk_policy_state_t next;
    lk_policy_actions_t acts;
    int rc = lk_policy_step(c->w->cfg, &c->st, ev, &env, &next, &acts);
    if (rc) {
        fprintf(stderr, "policy_sim: lk_policy_step failed: %s\n", lk_strerror(rc));
        exit(2);
    }
    c->stats->steps++;
    lk_conv_status_t before = c->st.status;
    bool handed = false;
    c->said = 0;
    c->answered = -1;
    c->answered_first = -1;
    c->n_answers = 0;
    for (size_t i = 0; i < acts.n; i++) {
        const lk_policy_action_t *a = &acts.items[i];
        if (a->type == LK_ACTION_HANDOFF) {
            handed = true;
            c->handed_off = true;
            c->declines_in_row = 0;
            c->stats->handoffs++;
            if ((int)a->reason >= 0 && (int)a->reason < N_REASONS) {
                c->stats->reasons[a->reason]++;
                c->stats->p_reasons[c->persona][a->reason]++;
            }
            if (!people_available(c))
                c->stats->handoff_away++;
            if (c->calm && (a->reason == LK_HANDOFF_CUSTOMER_REQUEST || a->reason == LK_HANDOFF_NEGATIVE_SENTIMENT ||
                            a->reason == LK_HANDOFF_COMPLAINT)) {
                c->stats->false_alarms[a->reason]++;
                pthread_mutex_lock(c->w->trace_mu);
                if (c->w->diag_left[DIAG_ALARM] > 0) {
                    c->w->diag_left[DIAG_ALARM]--;
                    fprintf(stderr, "NLU false alarm: \"%s\" handed over for %s\n", c->last_text,
                            lk_handoff_reason_name(a->reason));
                }
                pthread_mutex_unlock(c->w->trace_mu);
            }
            if (c->w->trace)
                lk_buf_printf(&c->transcript, "    [hand-off: %s]\n", lk_handoff_reason_name(a->reason));
            continue;
        }
        if (a->type == LK_ACTION_CALLBACK_REQUEST) {
            c->stats->callbacks++;
            if (c->w->trace)
                lk_buf_printf(&c->transcript, "    [call-back request: %s]\n", a->contact ? a->contact : "?");
            continue;
        }
        /* LK_ACTION_SAY */
        bool bot = a->sender == LK_SENDER_BOT;
        if ((!bot && a->sender != LK_SENDER_SYSTEM) || !a->text || !*a->text ||
            !lk_utf8_valid(a->text, strlen(a->text)))
            diag(c, V_SENDER, "sender %d \"%s\" in a %s conversation", (int)a->sender, lk_sender_name(a->sender),
                 status_of(c));
        if (bot && (handed || before == LK_CONV_QUEUED || before == LK_CONV_ASSIGNED))
            diag(c, V_BOT_WHILE_HANDED, "status %s, %s, bot said: %.80s", lk_conv_status_name(before),
                 handed ? "after the hand-off" : "no hand-off", a->text);
        if (before == LK_CONV_ASSIGNED &&
            (ev->type == LK_EV_MESSAGE || ev->type == LK_EV_BUTTON || ev->type == LK_EV_TICK))
            diag(c, V_NOTICE_ASSIGNED, "%s said: %.80s", lk_sender_name(a->sender), a->text);
        if ((unsigned)a->kind < 32)
            c->said |= 1u << a->kind;
        switch (a->kind) {
        case LK_SAY_ANSWER:
            c->declines_in_row = 0;
            if (c->n_answers++ == 0)
                c->answered_first = a->article;
            c->answered = a->article;
            c->stats->answers++;
            break;
        case LK_SAY_DECLINE:
            c->stats->declines++;
            if (++c->declines_in_row >= 2)
                diag(c, V_TWO_DECLINES, "after \"%s\"", c->last_text);
            break;
        case LK_SAY_GREETING:
            c->declines_in_row = 0;
            break;
        case LK_SAY_DISCLOSURE:
            c->stats->disclosures++;
            break;
        case LK_SAY_QUEUE_NOTICE:
            c->stats->queue_notices++;
            break;
        default:
            break;
        }
        if (c->w->trace)
            lk_buf_printf(&c->transcript, "    %s (%s): %.160s\n", lk_sender_name(a->sender),
                          lk_policy_say_kind_name(a->kind), a->text);
    }
    if (person && next.status != LK_CONV_QUEUED && next.status != LK_CONV_ASSIGNED)
        diag(c, V_PERSON_NOT_QUEUED, "\"%s\" left the conversation %s",
             ev->type == LK_EV_BUTTON ? "[button]" : c->last_text, lk_conv_status_name(next.status));
    /* What the bot's last words asked (the policy's own state says the same;
     * the customer reads it from the messages). */
    c->offer_pending = next.pending == LK_PENDING_OFFER;
    bool quiet_tick = ev->type == LK_EV_TICK && acts.n == 0;
    lk_policy_actions_free(&acts);
    c->st = next;
    if (c->w->trace && !quiet_tick)
        lk_buf_printf(&c->transcript, "    -> %s\n", status_of(c));
}

static void remember(conv_t *c, const char *text)
{
    if (c->n_history == HISTORY) {
        memmove(c->history[0], c->history[1], sizeof c->history[0] * (HISTORY - 1));
        c->n_history--;
    }
    snprintf(c->history[c->n_history++], MSG_MAX, "%s", text);
}

/* The customer types text: NLU, then the policy, as the server does.
 * wants_person: the customer typed a request for a person, which the policy
 * must act on when the NLU recognises it (a typed request it misses is
 * counted apart: that is the NLU's recall, not a policy invariant).
 * accepts: "ja" to the bot's offer of a person. */
static void say_text_ex(conv_t *c, const char *text, bool wants_person, bool accepts)
{
    c->now += rnd_range(&c->rng, 5, 60) * SEC;
    snprintf(c->last_text, sizeof c->last_text, "%s", text);
    const char *prev[HISTORY];
    for (size_t i = 0; i < c->n_history; i++)
        prev[i] = c->history[i];
    lk_nlu_context_t ctx = {prev, c->n_history, c->st.language};
    lk_nlu_reading_t reading;
    int rc = lk_nlu_read(c->w->nlu, text, strlen(text), &ctx, &reading);
    if (rc) {
        fprintf(stderr, "policy_sim: lk_nlu_read failed on \"%s\": %s\n", text, lk_strerror(rc));
        exit(2);
    }
    remember(c, text);
    c->stats->customer_msgs++;
    c->stats->p_msgs[c->persona]++;
    bool recognised = reading.signals.person_request >= c->w->cfg->person_request_min;
    if (wants_person) {
        c->stats->person_typed++;
        if (!recognised) {
            c->stats->person_missed++;
            pthread_mutex_lock(c->w->trace_mu);
            if (c->w->diag_left[DIAG_MISSED] > 0) {
                c->w->diag_left[DIAG_MISSED]--;
                fprintf(stderr, "NLU missed a request for a person: \"%s\" (person_request %.2f)\n", text,
                        reading.signals.person_request);
            }
            pthread_mutex_unlock(c->w->trace_mu);
        }
    }
    if (c->w->trace)
        lk_buf_printf(&c->transcript, "  customer%s: %s\n",
                      wants_person || accepts
                          ? (recognised || accepts ? " (wants a person)" : " (wants a person; NLU missed it)")
                          : "",
                      text);
    lk_policy_event_t ev = {.type = LK_EV_MESSAGE, .text = text, .len = strlen(text), .reading = &reading};
    step(c, &ev, recognised || accepts);
}

static void say_text(conv_t *c, const char *text)
{
    say_text_ex(c, text, false, false);
}

static void press_button(conv_t *c)
{
    c->now += rnd_range(&c->rng, 2, 30) * SEC;
    snprintf(c->last_text, sizeof c->last_text, "[button]");
    c->stats->customer_msgs++;
    c->stats->p_msgs[c->persona]++;
    if (c->w->trace)
        lk_buf_printf(&c->transcript, "  customer: [button]\n");
    lk_policy_event_t ev = {.type = LK_EV_BUTTON};
    bool queued = c->st.status == LK_CONV_QUEUED;
    step(c, &ev, true);
    if (queued) {
        c->stats->queued_presses++;
        c->stats->queued_press_notices += (c->said & (1u << LK_SAY_QUEUE_NOTICE)) != 0;
    }
}

static void event(conv_t *c, lk_policy_event_type_t type, const char *agent)
{
    if (c->w->trace && type != LK_EV_TICK)
        lk_buf_printf(&c->transcript, "  [%s]\n",
                      type == LK_EV_AGENT_JOINS    ? "agent joins"
                      : type == LK_EV_AGENT_LEAVES ? "agent leaves"
                      : type == LK_EV_CLOSE        ? "close"
                                                   : "start");
    lk_policy_event_t ev = {.type = type, .agent_name = agent};
    step(c, &ev, false);
}

/* ---- what the customer does next ------------------------------------------ */

typedef enum {
    M_ASK,      /* a new KB question */
    M_REPHRASE, /* the same topic, another example question */
    M_REPEAT,   /* the same words again */
    M_PERSON,   /* typed request for a person */
    M_BUTTON,
    M_YES,    /* "ja" to "did this help?" */
    M_ACCEPT, /* "ja" to the offer of a person */
    M_NO,
    M_NO_BUT, /* "nee, ik bedoel ..." and the question again */
    M_THANKS,
    M_BYE, /* "nee, dank je" to "anything else?" */
    M_OFFTOPIC,
    M_BOTQ,
    M_ANGRY,
    M_COMPLAINT,
    M_SENSITIVE,
    M_MULTI, /* two KB questions at once */
    M_HELLO,
    M_LEAVE,
    M__COUNT
} move_t;

static void draw_queue(conv_t *c);

static void kb_question(conv_t *c, long article, char *out, double typo_rate)
{
    const lk_article_t *a = &c->w->kb->articles[article];
    const char *q = a->questions[rnd_int(&c->rng, (int)a->n_questions)];
    perturb(&c->rng, q, c->en, typo_rate, out);
}

static long random_topic(conv_t *c)
{
    const topics_t *t = c->w->topics;
    int li = c->en ? 1 : 0;
    return t->general[li][rnd_int(&c->rng, (int)t->n_general[li])];
}

static double typo_rate(const conv_t *c)
{
    return c->persona == P_IMPATIENT ? 0.5 : c->persona == P_ANGRY ? 0.3 : 0.15;
}

/* Sends what the move says; false when the customer leaves. */
static bool perform(conv_t *c, move_t m)
{
    char text[MSG_MAX];
    rng_t *r = &c->rng;
    bool en = c->en;
    c->calm = !(m == M_PERSON || m == M_ACCEPT || m == M_ANGRY || m == M_COMPLAINT || m == M_REPEAT);
    switch (m) {
    case M_LEAVE:
        return false;
    case M_BUTTON:
        press_button(c);
        return true;
    case M_ASK:
        c->topic = random_topic(c);
        kb_question(c, c->topic, text, typo_rate(c));
        break;
    case M_REPHRASE:
        if (c->topic < 0)
            return perform(c, c->persona == P_OFFTOPIC ? M_OFFTOPIC : M_ASK);
        kb_question(c, c->topic, text, typo_rate(c));
        break;
    case M_REPEAT:
        snprintf(text, sizeof text, "%s", c->last_text[0] && c->last_text[0] != '[' ? c->last_text : "hallo?");
        break;
    case M_PERSON: {
        snprintf(text, sizeof text, "%s", from_pool(r, &person_pool, en));
        if (chance(r, c->persona == P_IMPATIENT ? 0.35 : 0.15))
            typo(r, text);
        if (chance(r, 0.3))
            lower_ascii(text);
        say_text_ex(c, text, true, false);
        return true;
    }
    case M_YES:
        snprintf(text, sizeof text, "%s", from_pool(r, &yes_pool, en));
        c->confirmed = true;
        break;
    case M_ACCEPT:
        snprintf(text, sizeof text, "%s", from_pool(r, &accept_pool, en));
        say_text_ex(c, text, false, c->offer_pending);
        return true;
    case M_NO:
        snprintf(text, sizeof text, "%s", from_pool(r, &no_pool, en));
        break;
    case M_NO_BUT: {
        char q[TEXT_MAX];
        if (c->topic < 0)
            c->topic = random_topic(c);
        kb_question(c, c->topic, q, typo_rate(c));
        snprintf(text, sizeof text, "%s %s", en ? "no, I mean" : "nee, ik bedoel", q);
        break;
    }
    case M_THANKS:
        snprintf(text, sizeof text, "%s", from_pool(r, &thanks_pool, en));
        c->confirmed = true;
        break;
    case M_BYE: {
        snprintf(text, sizeof text, "%s", from_pool(r, &bye_pool, en));
        say_text(c, text);
        c->stats->byes++;
        bool declined = (c->said & (1u << LK_SAY_DECLINE)) != 0;
        bool handed = c->st.status != LK_CONV_BOT;
        if (!handed && chance(r, 0.3)) { /* "ok" to whatever the bot said to that */
            c->stats->byes_ok++;
            say_text(c, from_pool(r, &ok_pool, en));
            declined = declined || (c->said & (1u << LK_SAY_DECLINE)) != 0;
            handed = c->st.status != LK_CONV_BOT;
        }
        c->stats->byes_declined += declined;
        c->stats->byes_handed += handed;
        if (handed && c->st.status == LK_CONV_QUEUED)
            draw_queue(c);
        return false; /* and the customer goes (or waits for the person it got) */
    }
    case M_OFFTOPIC:
        c->topic = -1;
        snprintf(text, sizeof text, "%s", from_pool(r, &offtopic_pool, en));
        if (chance(r, 0.3))
            typo(r, text);
        break;
    case M_BOTQ:
        snprintf(text, sizeof text, "%s", from_pool(r, &botq_pool, en));
        break;
    case M_ANGRY:
        snprintf(text, sizeof text, "%s", from_pool(r, &angry_pool, en));
        break;
    case M_COMPLAINT:
        snprintf(text, sizeof text, "%s", from_pool(r, &complaint_pool, en));
        break;
    case M_SENSITIVE: {
        const topics_t *t = c->w->topics;
        int li = en ? 1 : 0;
        c->topic = t->sensitive[li][rnd_int(r, (int)t->n_sensitive[li])];
        kb_question(c, c->topic, text, 0.1);
        break;
    }
    case M_MULTI: {
        char a[TEXT_MAX], b[TEXT_MAX];
        long t1 = random_topic(c), t2 = random_topic(c);
        const lk_article_t *x = &c->w->kb->articles[t1], *y = &c->w->kb->articles[t2];
        snprintf(a, sizeof a, "%s", x->questions[rnd_int(r, (int)x->n_questions)]);
        snprintf(b, sizeof b, "%s", y->questions[rnd_int(r, (int)y->n_questions)]);
        size_t la = strlen(a);
        while (la && (a[la - 1] == '?' || a[la - 1] == ' '))
            a[--la] = '\0';
        lower_ascii(b);
        snprintf(text, sizeof text, "%s? %s %s?", a, en ? "And" : "En", b);
        size_t lt = strlen(text);
        if (lt > 2 && text[lt - 2] == '?')
            text[lt - 1] = '\0';
        c->topic = t1;
        say_text(c, text);
        c->stats->multi++;
        if (c->n_answers >= 2 && c->st.status == LK_CONV_BOT) {
            c->stats->multi_both++;
            const lk_kb_t *kb = c->w->kb;
            long f = c->answered_first, l = c->answered;
            c->stats->multi_right += (same_topic(kb, f, t1) && same_topic(kb, l, t2)) ||
                                     (same_topic(kb, f, t2) && same_topic(kb, l, t1));
        } else if (c->n_answers == 1 && c->st.handoff_reason == LK_HANDOFF_COMPLEX && c->st.status != LK_CONV_BOT) {
            c->stats->multi_one++;
        }
        return true;
    }
    case M_HELLO:
        snprintf(text, sizeof text, "%s", from_pool(r, &hello_pool, en));
        break;
    default:
        return false;
    }
    say_text(c, text);
    return true;
}

/* Weights of the moves, by persona, for each situation. */
typedef struct {
    double w[P__COUNT][M__COUNT];
} table_t;

/* clang-format off */
#define ROW(...) {__VA_ARGS__}
/* clang-format on */
/* Column order: ASK REPHRASE REPEAT PERSON BUTTON YES ACCEPT NO NO_BUT THANKS BYE OFFTOPIC BOTQ ANGRY COMPLAINT
 * SENSITIVE MULTI HELLO LEAVE */
static const table_t opening = {{
    [P_PATIENT] = ROW(.78, 0, 0, .02, .01, 0, 0, 0, 0, 0, 0, 0, .03, 0, 0, .05, .07, .04, 0),
    [P_IMPATIENT] = ROW(.55, 0, 0, .25, .15, 0, 0, 0, 0, 0, 0, 0, .05, 0, 0, 0, 0, 0, 0),
    [P_ANGRY] = ROW(.35, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .40, .25, 0, 0, 0, 0),
    [P_OFFTOPIC] = ROW(.10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .70, .15, 0, 0, 0, 0, .05, 0),
    [P_ENGLISH] = ROW(.75, 0, 0, .08, .02, 0, 0, 0, 0, 0, 0, 0, .05, 0, 0, .04, .04, .02, 0),
}};
/* after a right answer ("did this help?") */
static const table_t answered_right = {{
    [P_PATIENT] = ROW(.10, 0, 0, 0, 0, .50, 0, 0, 0, .15, 0, 0, 0, 0, 0, 0, 0, 0, .25),
    [P_IMPATIENT] = ROW(.25, 0, 0, .05, 0, .20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .50),
    [P_ANGRY] = ROW(.20, 0, 0, 0, 0, .30, 0, 0, 0, 0, 0, 0, 0, .10, 0, 0, 0, 0, .40),
    [P_OFFTOPIC] = ROW(0, 0, 0, 0, 0, .20, 0, 0, 0, 0, 0, .50, 0, 0, 0, 0, 0, 0, .30),
    [P_ENGLISH] = ROW(.10, 0, 0, 0, 0, .50, 0, 0, 0, .15, 0, 0, 0, 0, 0, 0, 0, 0, .25),
}};
/* after a wrong answer */
static const table_t answered_wrong = {{
    [P_PATIENT] = ROW(0, .25, 0, .05, 0, 0, 0, .40, .20, 0, 0, 0, 0, 0, 0, 0, 0, 0, .10),
    [P_IMPATIENT] = ROW(0, 0, .20, .35, .15, 0, 0, .20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .10),
    [P_ANGRY] = ROW(0, 0, 0, .10, 0, 0, 0, .20, 0, 0, 0, 0, 0, .50, .20, 0, 0, 0, 0),
    [P_OFFTOPIC] = ROW(0, 0, .20, 0, 0, 0, 0, .30, 0, 0, 0, .40, 0, 0, 0, 0, 0, 0, .10),
    [P_ENGLISH] = ROW(0, .25, 0, .05, 0, 0, 0, .40, .20, 0, 0, 0, 0, 0, 0, 0, 0, 0, .10),
}};
/* after a decline, or a "no" to "did this help?": the bot offered a person */
static const table_t offered = {{
    [P_PATIENT] = ROW(.05, .50, 0, 0, 0, 0, .20, .10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .15),
    [P_IMPATIENT] = ROW(0, 0, .25, .25, .10, 0, .35, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .05),
    [P_ANGRY] = ROW(0, 0, 0, .20, 0, 0, .20, 0, 0, 0, 0, 0, 0, .50, .10, 0, 0, 0, 0),
    [P_OFFTOPIC] = ROW(0, 0, .25, 0, 0, 0, 0, .20, 0, 0, 0, .40, 0, 0, 0, 0, 0, 0, .15),
    [P_ENGLISH] = ROW(.05, .50, 0, 0, 0, 0, .20, .10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .15),
}};
/* after "yes, I am an automated assistant; a person?" */
static const table_t disclosed = {{
    [P_PATIENT] = ROW(.30, 0, 0, 0, 0, 0, .20, .40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .10),
    [P_IMPATIENT] = ROW(.40, 0, 0, 0, 0, 0, .60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    [P_ANGRY] = ROW(.30, 0, 0, 0, 0, 0, .40, 0, 0, 0, 0, 0, 0, .30, 0, 0, 0, 0, 0),
    [P_OFFTOPIC] = ROW(0, 0, .20, 0, 0, 0, .20, .20, 0, 0, 0, .40, 0, 0, 0, 0, 0, 0, 0),
    [P_ENGLISH] = ROW(.30, 0, 0, 0, 0, 0, .20, .40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .10),
}};
/* after "glad it helped / you're welcome, anything else?" */
static const table_t anything_else = {{
    [P_PATIENT] = ROW(.20, 0, 0, 0, 0, 0, 0, 0, 0, 0, .25, 0, 0, 0, 0, 0, 0, 0, .55),
    [P_IMPATIENT] = ROW(.10, 0, 0, 0, 0, 0, 0, 0, 0, 0, .10, 0, 0, 0, 0, 0, 0, 0, .80),
    [P_ANGRY] = ROW(.10, 0, 0, 0, 0, 0, 0, 0, 0, 0, .10, 0, 0, 0, 0, 0, 0, 0, .80),
    [P_OFFTOPIC] = ROW(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .20, .40, 0, 0, 0, 0, 0, 0, .40),
    [P_ENGLISH] = ROW(.20, 0, 0, 0, 0, 0, 0, 0, 0, 0, .25, 0, 0, 0, 0, 0, 0, 0, .55),
}};
/* after any other reply ("ask it another way", "what can I help you with?") */
static const table_t other_reply = {{
    [P_PATIENT] = ROW(.30, .40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .30),
    [P_IMPATIENT] = ROW(.30, 0, .10, .20, .10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .30),
    [P_ANGRY] = ROW(.30, 0, 0, .10, 0, 0, 0, 0, 0, 0, 0, 0, 0, .40, 0, 0, 0, 0, .20),
    [P_OFFTOPIC] = ROW(0, 0, .20, 0, 0, 0, 0, 0, 0, 0, 0, .50, .10, 0, 0, 0, 0, 0, .20),
    [P_ENGLISH] = ROW(.30, .40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .30),
}};

static move_t choose(conv_t *c, const table_t *t)
{
    return (move_t)pick(&c->rng, t->w[c->persona], M__COUNT);
}

/* The customer's reaction to what the bot just said. */
static move_t react(conv_t *c, move_t last)
{
    if (c->said & (1u << LK_SAY_ANSWER)) /* the customer knows whether it answers their question */
        return choose(c, same_topic(c->w->kb, c->answered, c->topic) ? &answered_right : &answered_wrong);
    if (c->said & (1u << LK_SAY_DISCLOSURE))
        return choose(c, &disclosed);
    if (c->offer_pending) /* a decline, or the reply to a "no" to "did this help?" */
        return choose(c, &offered);
    if ((c->said & (1u << LK_SAY_REPLY)) && (last == M_YES || last == M_THANKS))
        return choose(c, &anything_else);
    return choose(c, &other_reply);
}

/* ---- the phases ------------------------------------------------------------- */

/* The queue is drawn when the conversation is handed over. */
static void draw_queue(conv_t *c)
{
    c->queue_len = people_available(c) ? rnd_range(&c->rng, 0, 4) : rnd_range(&c->rng, 0, 8);
}

static void customer_while_queued(conv_t *c)
{
    c->calm = false; /* no hand-off can happen while queued */
    rng_t *r = &c->rng;
    double p = c->persona == P_IMPATIENT ? 0.5 : c->persona == P_ANGRY ? 0.35 : 0.15;
    if (!chance(r, p))
        return;
    switch (rnd_int(r, c->persona == P_IMPATIENT || c->persona == P_ANGRY ? 4 : 2)) {
    case 0:
        say_text(c, from_pool(r, &waiting_pool, c->en));
        break;
    case 1: {
        char q[TEXT_MAX];
        kb_question(c, c->topic >= 0 ? c->topic : random_topic(c), q, typo_rate(c));
        say_text(c, q); /* a question the bot could answer: it must stay silent */
        break;
    }
    case 2:
        perform(c, c->persona == P_ANGRY ? M_ANGRY : M_PERSON);
        break;
    default:
        press_button(c);
        break;
    }
}

/* Waits in the queue with people available until an agent joins. */
static void wait_for_agent(conv_t *c)
{
    int64_t per_place = rnd_range(&c->rng, 30, 150) * SEC;
    int64_t wait = per_place * (c->queue_len + 1) + rnd_range(&c->rng, 0, 30) * SEC;
    int64_t start = c->now, ahead = c->queue_len, next_tick = c->now + TICK_MS;
    while (c->now < start + wait) {
        if (chance(&c->rng, 0.25))
            customer_while_queued(c);
        if (c->st.status != LK_CONV_QUEUED)
            return;
        if (c->now < next_tick)
            c->now = next_tick;
        next_tick = c->now + TICK_MS;
        int64_t moved = (c->now - start) / per_place;
        c->queue_len = ahead > moved ? ahead - moved : 0;
        event(c, LK_EV_TICK, NULL);
        if (!people_available(c))
            return; /* closing time came while waiting */
    }
    c->stats->waits_ms += c->now - start;
    c->stats->joins++;
}

/* Nobody is there: the customer may leave a message, then goes; when people
 * are back, a tick tells them, and an agent picks the conversation up. */
static void away(conv_t *c)
{
    rng_t *r = &c->rng;
    int msgs = rnd_int(r, 3);
    for (int i = 0; i < msgs && c->st.status == LK_CONV_QUEUED; i++) {
        if (chance(r, 0.6))
            say_text(c, from_pool(r, &contact_pool, c->en));
        else if (chance(r, 0.5))
            say_text(c, from_pool(r, &waiting_pool, c->en));
        else
            perform(c, M_PERSON);
    }
    /* some time later: people back, or agents logging in */
    int64_t back = lk_policy_next_open(c->w->cfg, c->now + TICK_MS);
    if (back < 0)
        back = c->now + DAY;
    if (c->agents == 0)
        c->agents = (int)rnd_range(r, 1, 4);
    if (back < c->now + rnd_range(r, 5, 60) * MIN)
        back = c->now + rnd_range(r, 5, 60) * MIN;
    c->now = back + rnd_range(r, 0, 5) * MIN;
    c->queue_len = rnd_range(r, 0, 6);
    event(c, LK_EV_TICK, NULL);
}

static void queued_until_assigned(conv_t *c)
{
    for (int guard = 0; guard < 8 && c->st.status == LK_CONV_QUEUED; guard++) {
        if (!people_available(c)) {
            away(c);
            continue;
        }
        wait_for_agent(c);
        if (c->st.status == LK_CONV_QUEUED && people_available(c)) {
            c->now += rnd_range(&c->rng, 1, 10) * SEC;
            event(c, LK_EV_AGENT_JOINS, chance(&c->rng, 0.8) ? "Sanne" : NULL);
        }
    }
}

static void with_agent(conv_t *c)
{
    c->calm = false;
    rng_t *r = &c->rng;
    for (int round = 0; round < 3; round++) {
        queued_until_assigned(c);
        if (c->st.status != LK_CONV_ASSIGNED)
            return;
        int msgs = rnd_int(r, 3);
        for (int i = 0; i < msgs; i++) {
            if (chance(r, 0.2)) {
                char q[TEXT_MAX];
                kb_question(c, random_topic(c), q, typo_rate(c));
                say_text(c, q); /* the bot must stay silent */
            } else if (chance(r, 0.1)) {
                press_button(c); /* already with a person: nothing to do */
            } else {
                say_text(c, from_pool(r, &assigned_pool, c->en));
            }
        }
        c->now += rnd_range(r, 1, 10) * MIN;
        if (!chance(r, 0.03))
            break;
        event(c, LK_EV_AGENT_LEAVES, NULL); /* back in the queue */
        draw_queue(c);
    }
    if (c->st.status == LK_CONV_ASSIGNED)
        event(c, LK_EV_CLOSE, NULL);
}

/* Talks to the bot until the customer leaves or the conversation is queued. */
static void with_bot(conv_t *c, move_t first)
{
    move_t m = first;
    c->bot_turns = 0;
    for (;;) {
        if (c->bot_turns >= MAX_BOT_TURNS)
            return;
        /* the impatient press the button now and then, whatever happens */
        if (c->persona == P_IMPATIENT && m != M_LEAVE && chance(&c->rng, 0.04))
            m = M_BUTTON;
        if (!perform(c, m))
            return;
        c->bot_turns++;
        if (c->st.status != LK_CONV_BOT) {
            if (c->st.status == LK_CONV_QUEUED)
                draw_queue(c);
            return;
        }
        m = react(c, m);
    }
}

static void conversation(const world_t *w, stats_t *s, uint64_t seed, uint64_t index)
{
    conv_t c;
    memset(&c, 0, sizeof c);
    c.w = w;
    c.stats = s;
    c.rng.s = seed ^ (index * 0xd1342543de82ef95ULL);
    rnd_next(&c.rng);
    c.persona = (persona_t)pick(&c.rng, persona_mix, P__COUNT);
    c.en = c.persona == P_ENGLISH;
    c.agents = chance(&c.rng, 0.1) ? 0 : (int)rnd_range(&c.rng, 1, 4);
    c.topic = -1;
    c.answered = -1;
    if (w->trace)
        lk_buf_init(&c.transcript, 1 << 20);
    /* Monday 2 March 2026 00:00 in Amsterdam, plus a moment of that week: most
     * conversations between 08:00 and 22:00. */
    int64_t monday = 1772406000000LL; /* 2026-03-01T23:00:00Z */
    int64_t day = rnd_int(&c.rng, 7);
    int64_t tod = chance(&c.rng, 0.8) ? rnd_range(&c.rng, 8 * HOUR, 22 * HOUR - 1) : rnd_range(&c.rng, 0, DAY - 1);
    c.now = monday + day * DAY + tod;
    /* half of the English speakers' widgets open in English */
    lk_policy_state_init(&c.st, c.en && chance(&c.rng, 0.5) ? "en" : "nl");
    c.queue_len = rnd_range(&c.rng, 0, 3);
    c.wait_median = chance(&c.rng, 0.1) ? -1 : rnd_range(&c.rng, 40, 150);
    event(&c, LK_EV_START, NULL);

    s->conversations++;
    s->p_conv[c.persona]++;
    bool reopened = false;
    move_t first = choose(&c, &opening);
    for (;;) {
        with_bot(&c, first);
        if (c.st.status == LK_CONV_QUEUED)
            with_agent(&c);
        if (reopened || c.st.status != LK_CONV_CLOSED || !chance(&c.rng, 0.05))
            break;
        /* the customer comes back to the closed conversation later */
        reopened = true;
        s->reopened++;
        c.now += rnd_range(&c.rng, 1, 48) * HOUR;
        c.queue_len = rnd_range(&c.rng, 0, 3);
        first = M_ASK;
    }
    if (!c.handed_off) {
        s->contained++;
        s->p_contained[c.persona]++;
        if (c.confirmed)
            s->confirmed++;
    } else {
        s->handed_off++;
    }
    if (w->trace) {
        pthread_mutex_lock(w->trace_mu);
        fprintf(stderr, "--- conversation %" PRIu64 " (%s)\n%s", index, persona_names[c.persona],
                c.transcript.data ? c.transcript.data : "");
        pthread_mutex_unlock(w->trace_mu);
        lk_buf_free(&c.transcript);
    }
}

/* ---- threads and the report ------------------------------------------------ */

typedef struct {
    world_t w;
    uint64_t seed, from, to;
    int trace_upto;
    stats_t stats;
} worker_t;

static void *worker_main(void *arg)
{
    worker_t *k = arg;
    for (uint64_t i = k->from; i < k->to; i++) {
        world_t w = k->w;
        w.trace = i < (uint64_t)k->trace_upto;
        conversation(&w, &k->stats, k->seed, i);
    }
    return NULL;
}

static double pct(int64_t a, int64_t b)
{
    return b ? 100.0 * (double)a / (double)b : 0.0;
}

static void report(const stats_t *s, uint64_t seed, const char *hours)
{
    printf("### Policy simulation: %" PRId64 " conversations, seed %" PRIu64 "\n\n", s->conversations, seed);
    printf("Real NLU on the demo knowledge base, real `lk_policy_step`; business hours `%s`.\n\n", hours);
    printf("| figure | value |\n| --- | --- |\n");
    printf("| contained (ended without a person) | %.1f%% |\n", pct(s->contained, s->conversations));
    printf("| of which the customer said an answer helped | %.1f%% of all |\n", pct(s->confirmed, s->conversations));
    printf("| handed to a person | %.1f%% |\n", pct(s->handed_off, s->conversations));
    printf("| average customer turns per conversation | %.2f |\n",
           s->conversations ? (double)s->customer_msgs / (double)s->conversations : 0.0);
    printf("| bot answers / declines / \"yes, I am a bot\" | %" PRId64 " / %" PRId64 " / %" PRId64 " |\n", s->answers,
           s->declines, s->disclosures);
    printf("| hand-offs while nobody was available | %.1f%% of hand-offs |\n", pct(s->handoff_away, s->handoffs));
    printf("| call-back requests stored | %" PRId64 " |\n", s->callbacks);
    printf("| typed requests for a person / not recognised by the NLU | %" PRId64 " / %" PRId64 " |\n", s->person_typed,
           s->person_missed);
    printf("| two questions in one message / both answered by the bot (both right) / one answered, then a person | "
           "%" PRId64 " / %" PRId64 " (%" PRId64 ") / %" PRId64 " |\n",
           s->multi, s->multi_both, s->multi_right, s->multi_one);
    printf("| hand-offs on a calm message for a person request / anger / a complaint (NLU false alarms) | %" PRId64
           " / %" PRId64 " / %" PRId64 " |\n",
           s->false_alarms[LK_HANDOFF_CUSTOMER_REQUEST], s->false_alarms[LK_HANDOFF_NEGATIVE_SENTIMENT],
           s->false_alarms[LK_HANDOFF_COMPLAINT]);
    printf("| closing \"nee, dank je\", \"ok\", \"top\", ... / answered with a decline / handed over | %" PRId64
           " / %" PRId64 " / %" PRId64 " |\n",
           s->byes, s->byes_declined, s->byes_handed);
    printf("| of those, \"ok\" once more after the bot's reply | %" PRId64 " |\n", s->byes_ok);
    printf("| average wait for an agent (people available) | %.0f s |\n",
           s->joins ? (double)s->waits_ms / 1000.0 / (double)s->joins : 0.0);
    printf("| queue notices | %" PRId64 " |\n", s->queue_notices);
    printf("| button pressed again while queued / answered with a notice | %" PRId64 " / %" PRId64 " |\n",
           s->queued_presses, s->queued_press_notices);
    printf("| reopened after closing | %" PRId64 " |\n", s->reopened);
    printf("| policy steps | %" PRId64 " |\n\n", s->steps);

    printf("| hand-off reason | hand-offs | share |\n| --- | --- | --- |\n");
    for (int r = 1; r < N_REASONS; r++)
        printf("| %s | %" PRId64 " | %.1f%% |\n", lk_handoff_reason_name((lk_handoff_reason_t)r), s->reasons[r],
               pct(s->reasons[r], s->handoffs));
    printf("| total | %" PRId64 " | |\n\n", s->handoffs);

    printf("| customer | conversations | contained | turns | most common hand-off reason |\n");
    printf("| --- | --- | --- | --- | --- |\n");
    for (int p = 0; p < P__COUNT; p++) {
        int best = 0;
        for (int r = 1; r < N_REASONS; r++)
            if (s->p_reasons[p][r] > s->p_reasons[p][best])
                best = r;
        printf("| %s | %" PRId64 " | %.1f%% | %.2f | %s |\n", persona_names[p], s->p_conv[p],
               pct(s->p_contained[p], s->p_conv[p]), s->p_conv[p] ? (double)s->p_msgs[p] / (double)s->p_conv[p] : 0.0,
               best ? lk_handoff_reason_name((lk_handoff_reason_t)best) : "-");
    }
    printf("\n| invariant violation | count |\n| --- | --- |\n");
    int64_t total = 0;
    for (int v = 0; v < V__COUNT; v++) {
        printf("| %s | %" PRId64 " |\n", violation_names[v], s->v[v]);
        total += s->v[v];
    }
    printf("| **total (must be 0)** | **%" PRId64 "** |\n", total);
}

static void usage(void)
{
    fprintf(stderr, "usage: policy_sim [--conversations N] [--seed S] [--threads T] [--hours SPEC] [--trace K]\n"
                    "                  [--set OPTION=VALUE]... [--phrases FILE]\n");
    exit(1);
}

static int64_t num_arg(const char *s, int64_t min, int64_t max)
{
    int64_t v;
    if (!s || lk_parse_i64(s, min, max, &v) != 0)
        usage();
    return v;
}

int main(int argc, char **argv)
{
    int64_t n = 100000, seed = 1, threads = 1, trace = 0;
    const char *hours = "ma-vr 08:00-20:00, za 10:00-16:00";
    const char *phrases = "bench/policy_sim_phrases.txt";
    const char *sets[32];
    size_t n_sets = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--conversations"))
            n = num_arg(v, 1, 100000000), i++;
        else if (!strcmp(a, "--seed"))
            seed = num_arg(v, 0, INT64_MAX), i++;
        else if (!strcmp(a, "--threads"))
            threads = num_arg(v, 1, 64), i++;
        else if (!strcmp(a, "--trace"))
            trace = num_arg(v, 0, 1000), i++;
        else if (!strcmp(a, "--hours") && v)
            hours = v, i++;
        else if (!strcmp(a, "--phrases") && v)
            phrases = v, i++;
        else if (!strcmp(a, "--set") && v && strchr(v, '=') && n_sets < N(sets))
            sets[n_sets++] = v, i++;
        else
            usage();
    }
    lk_log_set_level(LK_LOG_WARN);

    lk_policy_config_t cfg;
    lk_policy_config_default(&cfg);
    if (lk_policy_config_set(&cfg, "business_hours", hours) != 0) {
        fprintf(stderr, "policy_sim: bad --hours \"%s\"\n", hours);
        return 1;
    }
    for (size_t i = 0; i < n_sets; i++) {
        char name[64];
        const char *eq = strchr(sets[i], '=');
        size_t nl = (size_t)(eq - sets[i]);
        if (nl < sizeof name) {
            memcpy(name, sets[i], nl);
            name[nl] = '\0';
        }
        if (nl >= sizeof name || lk_policy_config_set(&cfg, name, eq + 1) != 0) {
            fprintf(stderr, "policy_sim: bad --set \"%s\"\n", sets[i]);
            return 1;
        }
    }
    char *phrases_text = NULL;
    int rc = phrases_load(phrases, &phrases_text);
    if (rc != 0) {
        phrases_free(phrases_text);
        return rc;
    }
    lk_kb_t kb;
    if (lk_kb_demo(&kb) != 0) {
        fprintf(stderr, "policy_sim: the demo knowledge base does not parse\n");
        return 2;
    }
    int64_t t0 = lk_time_mono_ns();
    lk_nlu_model_t *nlu = NULL;
    if (lk_nlu_build(&kb, NULL, &nlu) != 0) {
        fprintf(stderr, "policy_sim: lk_nlu_build failed\n");
        return 2;
    }
    int64_t t1 = lk_time_mono_ns();
    topics_t topics;
    topics_init(&topics, &kb);

    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    int64_t diag_left[DIAG__COUNT] = {20, 8, 8};
    worker_t *ws = lk_xcalloc((size_t)threads, sizeof *ws);
    pthread_t *tids = lk_xcalloc((size_t)threads, sizeof *tids);
    for (int64_t k = 0; k < threads; k++) {
        ws[k].w = (world_t){&cfg, nlu, &topics, &kb, 0, &mu, diag_left};
        ws[k].seed = (uint64_t)seed;
        ws[k].from = (uint64_t)(n * k / threads);
        ws[k].to = (uint64_t)(n * (k + 1) / threads);
        ws[k].trace_upto = (int)trace;
        if (pthread_create(&tids[k], NULL, worker_main, &ws[k]) != 0) {
            fprintf(stderr, "policy_sim: cannot start a thread\n");
            return 2;
        }
    }
    stats_t total;
    memset(&total, 0, sizeof total);
    for (int64_t k = 0; k < threads; k++) {
        pthread_join(tids[k], NULL);
        stats_add(&total, &ws[k].stats);
    }
    int64_t t2 = lk_time_mono_ns();
    report(&total, (uint64_t)seed, hours);
    fprintf(stderr,
            "policy_sim: NLU built in %.2f s; %" PRId64 " conversations, %" PRId64 " policy steps in %.1f s on %" PRId64
            " thread(s) (%.1f us per step)\n",
            (double)(t1 - t0) / 1e9, total.conversations, total.steps, (double)(t2 - t1) / 1e9, threads,
            total.steps ? (double)(t2 - t1) / 1e3 / (double)total.steps : 0.0);

    int64_t bad = 0;
    for (int v = 0; v < V__COUNT; v++)
        bad += total.v[v];
    free(ws);
    free(tids);
    topics_free(&topics);
    lk_nlu_free(nlu);
    lk_kb_free(&kb);
    phrases_free(phrases_text);
    return bad ? 1 : 0;
}
