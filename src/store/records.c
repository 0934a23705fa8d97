/*
 * The store's records, whatever the backend: the functions that free the
 * heap strings a record owns, and the names of the closed sets the records
 * carry as enums (user role, call-back, draft and article status, a
 * message's outcome, a version's change, a verdict; a conversation's status
 * and hand-off reason and a message's sender are the policy's), which are
 * also the text the API's JSON and the database hold.
 */
#include "store/store.h"

#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* Defines fn(type *v, size_t n), which clears each of the n records with
 * clear and frees the array; v may be NULL. */
#define LK_ARRAY_FREE(fn, type, clear)                                                                                 \
    void fn(type *v, size_t n)                                                                                         \
    {                                                                                                                  \
        for (size_t i = 0; v && i < n; i++)                                                                            \
            clear(&v[i]);                                                                                              \
        free(v);                                                                                                       \
    }


void lk_canned_clear(lk_canned_t *c)
{
    if (!c)
        return;
    free(c->title);
    free(c->shortcut);
    free(c->text);
    memset(c, 0, sizeof *c);
}

void lk_draft_clear(lk_draft_t *d)
{
    if (!d)
        return;
    free(d->title);
    free(d->questions);
    free(d->answer);
    free(d->url);
    free(d->tags);
    memset(d, 0, sizeof *d);
}

void lk_article_rec_clear(lk_article_rec_t *r)
{
    if (!r)
        return;
    lk_article_free(&r->a);
    memset(r, 0, sizeof *r);
}

void lk_totp_clear(lk_totp_t *t)
{
    if (!t)
        return;
    free(t->secret);
    memset(t, 0, sizeof *t);
}

void lk_conv_clear(lk_conv_t *c)
{
    if (!c)
        return;
    free(c->rating_comment);
    free(c->disposition);
    free(c->policy_state);
    free(c->customer_email);
    free(c->customer_external_id);
    free(c->customer_name);
    free(c->topic);
    memset(c, 0, sizeof *c);
}

void lk_msg_clear(lk_msg_t *m)
{
    if (!m)
        return;
    free(m->text);
    free(m->article_id);
    free(m->author_name);
    free(m->suggestion_article_id);
    free(m->outcome_article_id);
    for (size_t i = 0; i < m->n_choices; i++) {
        free(m->choices[i].article_id);
        free(m->choices[i].title);
    }
    free(m->choices);
    memset(m, 0, sizeof *m);
}

void lk_user_clear(lk_user_t *u)
{
    if (!u)
        return;
    free(u->display_name);
    free(u->password_hash);
    memset(u, 0, sizeof *u);
}

void lk_note_clear(lk_note_t *n)
{
    if (!n)
        return;
    free(n->author_name);
    free(n->text);
    memset(n, 0, sizeof *n);
}

void lk_callback_clear(lk_callback_t *c)
{
    if (!c)
        return;
    free(c->contact);
    free(c->text);
    memset(c, 0, sizeof *c);
}

/* What the records listed only in arrays own. */
static void gap_msg_clear(lk_gap_msg_t *m)
{
    free(m->text);
}

static void review_pending_clear(lk_review_pending_t *t)
{
    free(t->answer);
    free(t->question);
}

static void article_version_clear(lk_article_version_t *v)
{
    lk_article_free(&v->a);
}

static void audit_rec_clear(lk_audit_rec_t *r)
{
    free(r->actor_name);
    free(r->detail);
}

static void secevent_clear(lk_secevent_t *e)
{
    free(e->account);
    free(e->reason);
}

/* The arrays of records, each freed with its record's clear function. */
LK_ARRAY_FREE(lk_canned_free, lk_canned_t, lk_canned_clear)
LK_ARRAY_FREE(lk_drafts_free, lk_draft_t, lk_draft_clear)
LK_ARRAY_FREE(lk_article_recs_free, lk_article_rec_t, lk_article_rec_clear)
LK_ARRAY_FREE(lk_msgs_free, lk_msg_t, lk_msg_clear)
LK_ARRAY_FREE(lk_convs_free, lk_conv_t, lk_conv_clear)
LK_ARRAY_FREE(lk_notes_free, lk_note_t, lk_note_clear)
LK_ARRAY_FREE(lk_callbacks_free, lk_callback_t, lk_callback_clear)
LK_ARRAY_FREE(lk_users_free, lk_user_t, lk_user_clear)
LK_ARRAY_FREE(lk_gap_msgs_free, lk_gap_msg_t, gap_msg_clear)
LK_ARRAY_FREE(lk_review_pendings_free, lk_review_pending_t, review_pending_clear)
LK_ARRAY_FREE(lk_article_versions_free, lk_article_version_t, article_version_clear)
LK_ARRAY_FREE(lk_audit_recs_free, lk_audit_rec_t, audit_rec_clear)
LK_ARRAY_FREE(lk_secevents_free, lk_secevent_t, secevent_clear)

/* ---- closed sets ------------------------------------------------------- */

/* The name of value v in names[] (n of them, names[0] "" for NONE). */
static const char *set_name(const char *const *names, size_t n, int v)
{
    return v > 0 && (size_t)v < n ? names[v] : "";
}

/* The value whose name is name, or 0 (NONE). */
static int set_parse(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 1; name && i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return 0;
}

/* Defines lk_<fn>_name and lk_<fn>_parse for type over the names listed. */
#define LK_SET_FUNCS(fn, type, ...)                                                                                    \
    static const char *const fn##_names[] = {"", __VA_ARGS__};                                                         \
    const char *lk_##fn##_name(type v)                                                                                 \
    {                                                                                                                  \
        return set_name(fn##_names, sizeof fn##_names / sizeof fn##_names[0], (int)v);                                 \
    }                                                                                                                  \
    int lk_##fn##_parse(const char *name, type *out)                                                                   \
    {                                                                                                                  \
        int v = set_parse(fn##_names, sizeof fn##_names / sizeof fn##_names[0], name);                                 \
        if (out)                                                                                                       \
            *out = (type)v;                                                                                            \
        return v ? 0 : LK_EINVAL;                                                                                      \
    }

/* In the order of the enums in store.h. */
LK_SET_FUNCS(role, lk_role_t, "agent", "supervisor", "admin")
LK_SET_FUNCS(callback_status, lk_callback_status_t, "open", "done")
LK_SET_FUNCS(draft_status, lk_draft_status_t, "draft", "published", "discarded")
LK_SET_FUNCS(draft_source, lk_draft_source_t, "editor", "gap_report", "import")
LK_SET_FUNCS(article_status, lk_article_status_t, "published", "archived")
LK_SET_FUNCS(provenance, lk_provenance_t, "human", "suggested", "suggested_edited")
LK_SET_FUNCS(outcome, lk_outcome_t, "answered", "declined", "handoff", "clarify", "reply", "none")
LK_SET_FUNCS(change, lk_change_t, "created", "edited", "archived", "restored", "imported")
LK_SET_FUNCS(verdict, lk_verdict_t, "right", "wrong")
LK_SET_FUNCS(sec_kind, lk_sec_kind_t, "login_failed", "lockout", "cross_site", "forbidden", "rate_limited")
LK_SET_FUNCS(labelled_source, lk_labelled_source_t, "import", "console", "review")

void lk_labelled_free(lk_labelled_t *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i].text);
    free(v);
}
