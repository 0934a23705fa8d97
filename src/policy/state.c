/*
 * policy: the names of statuses, reasons, senders and kinds, the conversation state
 * and its codec, and the action list (part of the pure policy module, see
 * policy.h).
 *
 * The state is what a turn stores: lk_policy_state_encode() writes it as one
 * JSON object (on the hot path of the writer, so without jansson when it
 * can), lk_policy_state_decode() reads it back (that layout directly, any
 * other JSON with jansson) and refuses anything out of range (the fuzz
 * driver fuzz/fuzz_policy_state.c holds it to that). Counters
 * saturate so whatever a step writes can be read back.
 */
#include "policy/policy_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ------------------------------------------------------------- */

/* The index of s in names[] (n of them), or -1 for NULL or a name not there. */
static int name_index(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return (int)i;
    return -1;
}

static const char *const status_names[] = {"bot", "queued", "assigned", "closed"};
#define N_STATUSES (sizeof status_names / sizeof status_names[0])

const char *lk_conv_status_name(lk_conv_status_t s)
{
    if ((int)s < 0 || (size_t)s >= N_STATUSES)
        return "bot";
    return status_names[s];
}

int lk_conv_status_parse(const char *s, lk_conv_status_t *out)
{
    int i = name_index(status_names, N_STATUSES, s);
    if (i < 0 || !out)
        return LK_EINVAL;
    *out = (lk_conv_status_t)i;
    return 0;
}

static const char *const reason_names[] = {
#define LK_HANDOFF_STR(name, str) str,
    LK_HANDOFF_REASON_MAP(LK_HANDOFF_STR)
#undef LK_HANDOFF_STR
};
#define N_REASONS (sizeof reason_names / sizeof reason_names[0])

const char *lk_handoff_reason_name(lk_handoff_reason_t r)
{
    if ((int)r < 0 || (size_t)r >= N_REASONS)
        return "";
    return reason_names[r];
}

int lk_handoff_reason_parse(const char *s, lk_handoff_reason_t *out)
{
    int i = name_index(reason_names, N_REASONS, s);
    if (i < 0 || !out)
        return LK_EINVAL;
    *out = (lk_handoff_reason_t)i;
    return 0;
}

/* Indexed by lk_sender_t; "" is NONE, which no name parses to. */
static const char *const sender_names[] = {"", "customer", "bot", "agent", "system"};
#define N_SENDERS (sizeof sender_names / sizeof sender_names[0])

const char *lk_sender_name(lk_sender_t s)
{
    if ((int)s <= LK_SENDER_NONE || (size_t)s >= N_SENDERS)
        return "";
    return sender_names[s];
}

int lk_sender_parse(const char *s, lk_sender_t *out)
{
    int i = name_index(sender_names, N_SENDERS, s);
    lk_sender_t v = i > 0 ? (lk_sender_t)i : LK_SENDER_NONE;
    if (out)
        *out = v;
    return v != LK_SENDER_NONE ? 0 : LK_EINVAL;
}

static const char *const say_kind_names[] = {"other",        "greeting",        "answer",         "decline",
                                             "disclosure",   "reply",           "handoff_notice", "queue_notice",
                                             "agent_notice", "callback_notice", "closed_notice",  "choices"};

const char *lk_policy_say_kind_name(lk_policy_say_kind_t k)
{
    if ((int)k < 0 || (size_t)k >= sizeof say_kind_names / sizeof say_kind_names[0])
        return "other";
    return say_kind_names[k];
}

/* Indexed by lk_policy_pending_t; the stored state uses these names. */
static const char *const pending_names[] = {"", "feedback", "offer", "more", "bye", "choice"};
#define N_PENDING (sizeof pending_names / sizeof pending_names[0])

/* ---- state ------------------------------------------------------------- */

bool lk_policy_language_valid(const char *tag)
{
    if (!tag)
        return false;
    size_t n = 0;
    for (; tag[n]; n++)
        if (n >= 3 || tag[n] < 'a' || tag[n] > 'z')
            return false;
    return n >= 2;
}

bool lk_pol_state_valid(const lk_policy_state_t *st)
{
    if ((int)st->status < LK_CONV_BOT || st->status > LK_CONV_CLOSED)
        return false;
    if ((int)st->handoff_reason < 0 || (size_t)st->handoff_reason >= N_REASONS)
        return false;
    if ((int)st->pending < LK_PENDING_NONE || st->pending > LK_PENDING_CHOICE)
        return false;
    return memchr(st->language, '\0', sizeof st->language) != NULL;
}

void lk_policy_state_init(lk_policy_state_t *st, const char *language)
{
    memset(st, 0, sizeof *st);
    st->status = LK_CONV_BOT;
    st->handoff_reason = LK_HANDOFF_NONE;
    st->pending = LK_PENDING_NONE;
    st->last_article = -1;
    const char *lang = lk_policy_language_valid(language) ? language : "nl";
    memcpy(st->language, lang, strlen(lang) + 1);
}

/* The state as JSON, the way every turn stores it: one snprintf (jansson
 * took a noticeable share of the writer's time per turn). The same bytes as
 * encode_json() below, which handles a language with other characters than
 * a-z (never made by decode, nor by the API). */
static char *encode_json(const lk_policy_state_t *st);

char *lk_policy_state_encode(const lk_policy_state_t *st)
{
    char lang[sizeof st->language];
    memcpy(lang, st->language, sizeof lang);
    lang[sizeof lang - 1] = '\0';
    for (const char *c = lang; *c; c++)
        if (*c < 'a' || *c > 'z')
            return encode_json(st);
    size_t pend = (size_t)st->pending < N_PENDING ? (size_t)st->pending : 0;
    char buf[512];
    int n = snprintf(buf, sizeof buf,
                     "{\"v\":1,\"status\":\"%s\",\"handoff_reason\":\"%s\",\"language\":\"%s\","
                     "\"consecutive_declines\":%d,\"customer_turns\":%d,\"repeats\":%d,\"pending\":\"%s\","
                     "\"last_article\":%ld,\"away\":%s,\"callback_hinted\":%s,\"callbacks\":%d,\"notice_pos\":%lld,"
                     "\"quiet_msgs\":%d}",
                     lk_conv_status_name(st->status), lk_handoff_reason_name(st->handoff_reason), lang,
                     st->consecutive_declines, st->customer_turns, st->repeats, pending_names[pend],
                     (long)st->last_article, st->away ? "true" : "false", st->callback_hinted ? "true" : "false",
                     st->callbacks, (long long)st->notice_pos, st->quiet_msgs);
    if (n < 0 || (size_t)n >= sizeof buf)
        return encode_json(st);
    return lk_xstrdup(buf);
}

static char *encode_json(const lk_policy_state_t *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "v", json_integer(1));
    json_object_set_new(o, "status", json_string(lk_conv_status_name(st->status)));
    json_object_set_new(o, "handoff_reason", json_string(lk_handoff_reason_name(st->handoff_reason)));
    char lang[sizeof st->language];
    memcpy(lang, st->language, sizeof lang);
    lang[sizeof lang - 1] = '\0';
    json_object_set_new(o, "language", json_string(lang));
    json_object_set_new(o, "consecutive_declines", json_integer(st->consecutive_declines));
    json_object_set_new(o, "customer_turns", json_integer(st->customer_turns));
    json_object_set_new(o, "repeats", json_integer(st->repeats));
    size_t pend = (size_t)st->pending < N_PENDING ? (size_t)st->pending : 0;
    json_object_set_new(o, "pending", json_string(pending_names[pend]));
    json_object_set_new(o, "last_article", json_integer(st->last_article));
    json_object_set_new(o, "away", json_boolean(st->away));
    json_object_set_new(o, "callback_hinted", json_boolean(st->callback_hinted));
    json_object_set_new(o, "callbacks", json_integer(st->callbacks));
    json_object_set_new(o, "notice_pos", json_integer(st->notice_pos));
    json_object_set_new(o, "quiet_msgs", json_integer(st->quiet_msgs));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        abort(); /* only on allocation failure */
    return s;
}

/* The state's counters (turns, declines, repeats, call-backs, quiet
 * messages) stop here: decode accepts up to this value and every step
 * saturates at it, so whatever a step writes can be read back, and an int
 * never overflows (found by fuzz/fuzz_policy_state.c). */
#define COUNTER_MAX 1000000000

void lk_pol_saturate(lk_policy_state_t *st)
{
    int *counters[] = {&st->consecutive_declines, &st->customer_turns, &st->repeats, &st->callbacks,
                       &st->quiet_msgs};
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        if (*counters[i] > COUNTER_MAX)
            *counters[i] = COUNTER_MAX;
}

static int get_int(json_t *o, const char *key, int64_t min, int64_t max, int64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0; /* absent: keep the fresh state's value */
    if (!json_is_integer(v))
        return LK_EINVAL;
    json_int_t i = json_integer_value(v);
    if (i < min || i > max)
        return LK_EINVAL;
    *out = i;
    return 0;
}

/* One of the state's counters (0 to COUNTER_MAX), into *field when present. */
static int get_counter(json_t *o, const char *key, int *field)
{
    int64_t v = *field;
    int rc = get_int(o, key, 0, COUNTER_MAX, &v);
    *field = (int)v;
    return rc;
}

static int get_bool(json_t *o, const char *key, bool *out)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return LK_EINVAL;
    *out = json_is_true(v);
    return 0;
}

static const char *get_str(json_t *o, const char *key, bool *bad)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return NULL;
    if (!json_is_string(v)) {
        *bad = true;
        return NULL;
    }
    return json_string_value(v);
}

/* A stored state's language: 2 to 7 letters a-z (it fits the state's
 * array). */
static bool stored_language_valid(const char *s, size_t n)
{
    if (n < 2 || n >= sizeof((lk_policy_state_t *)0)->language)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'a' || s[i] > 'z')
            return false;
    return true;
}

/* ---- the state as every turn stores it, read directly ------------------
 *
 * jansson's reading of a state (a hash table, a node and a string per field)
 * cost the writer some 56,000 instructions a turn (docs/performance.md).
 * A state stored by lk_policy_state_encode() has one exact layout: the keys
 * in encode's order, no spaces, names of [a-z_] only, integers without
 * leading zeros. read_canonical() reads that layout directly and takes it
 * only when every byte matches and every value is in range; anything else
 * (an older row written by jansson, a hand-made state, a bad one) goes to
 * the full JSON reading below, which decides as it always did. So the fast
 * path cannot accept what the JSON path refuses, nor read a value
 * differently. */

/* Skips the literal lit at *p. */
static bool skip(const char **p, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(*p, lit, n) != 0)
        return false;
    *p += n;
    return true;
}

/* A quoted name of [a-z_] (no escapes) into buf, NUL-terminated. */
static bool read_name(const char **p, char *buf, size_t size)
{
    const char *s = *p;
    if (*s++ != '"')
        return false;
    size_t n = 0;
    for (; (*s >= 'a' && *s <= 'z') || *s == '_'; s++) {
        if (n + 1 >= size)
            return false;
        buf[n++] = *s;
    }
    if (*s++ != '"')
        return false;
    buf[n] = '\0';
    *p = s;
    return true;
}

/* An integer as JSON writes it (no leading zeros, no "-0") in [min, max]. */
static bool read_int(const char **p, int64_t min, int64_t max, int64_t *out)
{
    const char *s = *p;
    bool neg = *s == '-';
    s += neg;
    if (*s < '0' || *s > '9' || (*s == '0' && (neg || (s[1] >= '0' && s[1] <= '9'))))
        return false;
    int64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (INT64_MAX - (*s - '0')) / 10)
            return false;
        v = v * 10 + (*s - '0');
    }
    v = neg ? -v : v;
    if (v < min || v > max)
        return false;
    *out = v;
    *p = s;
    return true;
}

static bool read_counter(const char **p, int *out)
{
    int64_t v;
    if (!read_int(p, 0, COUNTER_MAX, &v))
        return false;
    *out = (int)v;
    return true;
}

static bool read_bool(const char **p, bool *out)
{
    if (skip(p, "true"))
        *out = true;
    else if (skip(p, "false"))
        *out = false;
    else
        return false;
    return true;
}

static bool read_canonical(const char *p, lk_policy_state_t *st)
{
    char status[16], reason[32], pending[16];
    int64_t last_article, notice_pos;
    /* the keys in lk_policy_state_encode's order, one field a line */
    bool ok = skip(&p, "{\"v\":1,\"status\":") && read_name(&p, status, sizeof status);
    ok = ok && skip(&p, ",\"handoff_reason\":") && read_name(&p, reason, sizeof reason);
    ok = ok && skip(&p, ",\"language\":") && read_name(&p, st->language, sizeof st->language);
    ok = ok && skip(&p, ",\"consecutive_declines\":") && read_counter(&p, &st->consecutive_declines);
    ok = ok && skip(&p, ",\"customer_turns\":") && read_counter(&p, &st->customer_turns);
    ok = ok && skip(&p, ",\"repeats\":") && read_counter(&p, &st->repeats);
    ok = ok && skip(&p, ",\"pending\":") && read_name(&p, pending, sizeof pending);
    ok = ok && skip(&p, ",\"last_article\":") && read_int(&p, -1, COUNTER_MAX, &last_article);
    ok = ok && skip(&p, ",\"away\":") && read_bool(&p, &st->away);
    ok = ok && skip(&p, ",\"callback_hinted\":") && read_bool(&p, &st->callback_hinted);
    ok = ok && skip(&p, ",\"callbacks\":") && read_counter(&p, &st->callbacks);
    ok = ok && skip(&p, ",\"notice_pos\":") && read_int(&p, 0, INT64_MAX, &notice_pos);
    ok = ok && skip(&p, ",\"quiet_msgs\":") && read_counter(&p, &st->quiet_msgs);
    ok = ok && skip(&p, "}") && *p == '\0';
    if (!ok || lk_conv_status_parse(status, &st->status) || lk_handoff_reason_parse(reason, &st->handoff_reason) ||
        !stored_language_valid(st->language, strlen(st->language)))
        return false;
    st->last_article = (long)last_article;
    st->notice_pos = notice_pos;
    for (size_t i = 0; i < N_PENDING; i++) {
        if (strcmp(pending, pending_names[i]) == 0) {
            st->pending = (lk_policy_pending_t)i;
            return true;
        }
    }
    return false;
}

int lk_policy_state_decode(const char *json, lk_policy_state_t *out)
{
    if (!out)
        return LK_EINVAL;
    lk_policy_state_t st;
    lk_policy_state_init(&st, "nl");
    if (!json || !*json) {
        *out = st;
        return 0;
    }
    if (read_canonical(json, &st)) {
        *out = st;
        return 0;
    }
    lk_policy_state_init(&st, "nl"); /* what the direct reading left */
    json_t *o = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return LK_EINVAL;
    }
    int rc = 0;
    bool bad = false;
    const char *s;
    if ((s = get_str(o, "status", &bad)) && lk_conv_status_parse(s, &st.status))
        bad = true;
    if ((s = get_str(o, "handoff_reason", &bad)) && lk_handoff_reason_parse(s, &st.handoff_reason))
        bad = true;
    if ((s = get_str(o, "language", &bad))) {
        if (stored_language_valid(s, strlen(s)))
            memcpy(st.language, s, strlen(s) + 1);
        else
            bad = true;
    }
    if ((s = get_str(o, "pending", &bad))) {
        int i = name_index(pending_names, N_PENDING, s);
        if (i >= 0)
            st.pending = (lk_policy_pending_t)i;
        bad = bad || i < 0;
    }
    rc |= get_counter(o, "consecutive_declines", &st.consecutive_declines);
    rc |= get_counter(o, "customer_turns", &st.customer_turns);
    rc |= get_counter(o, "repeats", &st.repeats);
    int64_t v = st.last_article;
    rc |= get_int(o, "last_article", -1, COUNTER_MAX, &v);
    st.last_article = (long)v;
    rc |= get_counter(o, "callbacks", &st.callbacks);
    v = st.notice_pos;
    rc |= get_int(o, "notice_pos", 0, INT64_MAX, &v);
    st.notice_pos = v;
    rc |= get_counter(o, "quiet_msgs", &st.quiet_msgs);
    rc |= get_bool(o, "away", &st.away);
    rc |= get_bool(o, "callback_hinted", &st.callback_hinted);
    json_decref(o);
    if (rc || bad)
        return LK_EINVAL;
    *out = st;
    return 0;
}

/* ---- actions ----------------------------------------------------------- */

void lk_policy_actions_free(lk_policy_actions_t *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++) {
        free(a->items[i].text);
        free(a->items[i].contact);
    }
    free(a->items);
    a->items = NULL;
    a->n = 0;
}

lk_policy_action_t *lk_pol_push(lk_policy_actions_t *a, lk_policy_action_type_t type)
{
    a->items = lk_xrealloc(a->items, (a->n + 1) * sizeof a->items[0]);
    lk_policy_action_t *x = &a->items[a->n++];
    memset(x, 0, sizeof *x);
    x->type = type;
    x->article = -1;
    x->reason = LK_HANDOFF_NONE;
    x->kind = LK_SAY_OTHER;
    return x;
}
