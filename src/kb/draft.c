/*
 * Drafts of articles and what publishing one needs (docs/kb.md): ids made
 * from a title or a translation group, the id a draft publishes under, the
 * checks of a draft's content, and the JSON text in which the store keeps a
 * draft's questions and tags.
 *
 * Pure: no I/O, no clock. Whether an id is taken is asked through a
 * callback, so the caller decides where articles live (the store) and this
 * file can be tested on a list in memory.
 */
#include "kb/kb.h"

#include "text/text.h"
#include "util/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

bool lk_kb_token_valid(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '.' || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

bool lk_kb_language_valid(const char *s, size_t len)
{
    if (len < 2 || len > 3)
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] < 'a' || s[i] > 'z')
            return false;
    return true;
}

bool lk_kb_new_id_valid(const char *s)
{
    return lk_slug_valid(s, LK_KB_NEW_ID_MAX);
}

void lk_kb_slugify(const char *text, char *out, size_t size)
{
    char *f = lk_text_search_fold(text);
    size_t o = 0, max = size - 1 < LK_KB_SLUG_MAX ? size - 1 : LK_KB_SLUG_MAX;
    for (const char *p = f; *p && o < max; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
            out[o++] = c;
        else if (o > 0 && out[o - 1] != '-')
            out[o++] = '-';
    }
    while (o > 0 && out[o - 1] == '-')
        o--;
    out[o] = '\0';
    free(f);
    if (!o)
        snprintf(out, size, "artikel");
}

int lk_kb_choose_id(const lk_kb_draft_id_t *d, lk_kb_taken_fn taken, void *ud, char *out, size_t size)
{
    if (d->new_id && d->new_id[0]) {
        snprintf(out, size, "%s", d->new_id);
        return 0;
    }
    char base[LK_KB_SLUG_MAX + 8];
    if (d->translation_group && d->translation_group[0]) {
        char g[LK_KB_SLUG_MAX + 1];
        lk_kb_slugify(d->translation_group, g, sizeof g);
        snprintf(base, sizeof base, "%.*s-%s", LK_KB_SLUG_MAX - 4, g, d->language ? d->language : "");
    } else {
        lk_kb_slugify(d->title ? d->title : "", base, sizeof base);
    }
    for (int k = 1; k < 1000; k++) {
        if (k == 1)
            snprintf(out, size, "%s", base);
        else
            snprintf(out, size, "%s-%d", base, k);
        int rc = taken(ud, out);
        if (rc <= 0)
            return rc;
    }
    return LK_EEXIST;
}

int lk_kb_publish_target(const lk_kb_draft_id_t *d, lk_kb_taken_fn taken, void *ud, char *id, size_t size, bool *create)
{
    *create = !(d->article_id && d->article_id[0]);
    int rc;
    if (*create) {
        rc = lk_kb_choose_id(d, taken, ud, id, size);
        if (rc == 0 && d->new_id && d->new_id[0] && (rc = taken(ud, id)) > 0)
            return LK_ESTATE;
        return rc;
    }
    snprintf(id, size, "%s", d->article_id);
    rc = taken(ud, id);
    return rc == 0 ? LK_ENOENT : rc > 0 ? 0 : rc;
}

int lk_kb_draft_check(const lk_article_t *a, bool complete, char *err, size_t errsize)
{
    lk_article_t c = *a; /* shallow: only id and answer are replaced */
    c.id = (char *)"draft";
    if (!complete && (!c.answer || !c.answer[0]))
        c.answer = (char *)"-"; /* written later */
    char msg[400];
    int rc = lk_article_validate(&c, msg, sizeof msg);
    if (rc) {
        /* "article "draft": field ..." reads oddly: name the field only */
        const char *field = strstr(msg, "field ");
        snprintf(err, errsize, "%s", field ? field : msg);
    }
    return rc;
}

const char *lk_kb_article_group(const lk_article_t *a)
{
    return a->translation_group && a->translation_group[0] ? a->translation_group : a->id;
}

bool lk_kb_article_matches(const lk_article_t *a, const char *folded_query)
{
    lk_buf_t b;
    lk_buf_init(&b, SIZE_MAX / 2);
    lk_buf_printf(&b, "%s\n%s\n%s\n", a->id, a->title, a->answer);
    for (size_t i = 0; i < a->n_questions; i++)
        lk_buf_printf(&b, "%s\n", a->questions[i]);
    for (size_t i = 0; i < a->n_tags; i++)
        lk_buf_printf(&b, "%s\n", a->tags[i]);
    char *hay = lk_text_search_fold(b.data ? b.data : "");
    lk_buf_free(&b);
    bool ok = lk_text_has_words(hay, folded_query);
    free(hay);
    return ok;
}

bool lk_kb_strv_parse(const char *text, char ***v, size_t *n)
{
    *v = NULL;
    *n = 0;
    json_t *arr = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_array(arr)) {
        json_decref(arr);
        return false;
    }
    size_t len = json_array_size(arr);
    *v = len ? lk_xcalloc(len, sizeof **v) : NULL;
    for (size_t i = 0; i < len; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        (*v)[(*n)++] = lk_xstrdup(s ? s : "");
    }
    json_decref(arr);
    return true;
}

char *lk_kb_strv_to_json(char *const *v, size_t n)
{
    json_t *arr = json_array();
    if (!arr)
        abort(); /* jansson fails only on allocation */
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_string(v[i]); /* NULL for invalid UTF-8: left out */
        if (s && json_array_append_new(arr, s) != 0)
            abort();
    }
    char *s = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (!s)
        abort();
    return s;
}
