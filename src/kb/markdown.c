/*
 * Answers are written in Markdown (CommonMark, parsed by cmark). The console
 * shows them rendered as HTML; the customer's chat gets plain text, because
 * the widget puts every message into the page as text (and makes http(s)
 * addresses clickable itself).
 *
 * The HTML is made safe in two layers: cmark's safe mode leaves raw HTML out
 * (it writes a comment in its place), and before rendering every link and
 * image whose URL is not on a short allow-list (http, https, mailto, tel, or
 * a relative URL) gets an empty URL, so no javascript:, data: or vbscript:
 * link survives in any spelling cmark's own check might miss. The plain
 * text applies the same list: a link shows as "text (url)" only when its
 * URL is allowed.
 */
#include "kb/kb.h"
#include "kb/kb_int.h"

#include "util/util.h"

#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- URLs ------------------------------------------------------------------ */

/* True for an http(s), mailto or tel URL, or a relative one (no scheme
 * before the first '/', '?' or '#'). Control characters and spaces are
 * never allowed (browsers strip some of them inside "java\tscript:"). */
static bool url_allowed(const char *url)
{
    if (!url)
        return false;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7F)
            return false;
    size_t scheme = strcspn(url, ":/?#");
    if (url[scheme] != ':')
        return true; /* relative */
    static const char *const ok[] = {"http", "https", "mailto", "tel"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (scheme == strlen(ok[i]) && strncasecmp(url, ok[i], scheme) == 0)
            return true;
    return false;
}

/* True for a URL worth writing out in plain text (absolute and allowed). */
static bool url_for_text(const char *url)
{
    return url && url[0] && url_allowed(url) && url[strcspn(url, ":/?#")] == ':';
}

static cmark_node *parse(const char *md, size_t len)
{
    cmark_node *doc = cmark_parse_document(md ? md : "", md ? len : 0, CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8);
    if (!doc)
        lk_kb__oom();
    return doc;
}

/* ---- HTML ------------------------------------------------------------------ */

char *lk_md_to_html(const char *md, size_t len)
{
    cmark_node *doc = parse(md, len);
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(n);
        if (ev == CMARK_EVENT_ENTER && (t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE) &&
            !url_allowed(cmark_node_get_url(n)))
            cmark_node_set_url(n, "");
    }
    cmark_iter_free(it);
    char *html = cmark_render_html(doc, CMARK_OPT_SAFE);
    cmark_node_free(doc);
    if (!html)
        lk_kb__oom();
    /* cmark allocates with the system allocator: free() releases it */
    return html;
}

/* ---- plain text ------------------------------------------------------------ */

/* Appends to b; past its limit the text is cut off there: b takes nothing
 * more (its limit drops to 0). Reference links can repeat a long URL many
 * times, so no limit proportional to the input holds for every answer
 * (found by fuzz/fuzz_markdown.c: this used to abort the server). */
static void put(lk_buf_t *b, const char *s, size_t n)
{
    if (n && lk_buf_append(b, s, n) != 0)
        b->max = 0;
}

static void puts_(lk_buf_t *b, const char *s)
{
    put(b, s, strlen(s));
}

/* The text of the inline children of n into b. */
static void inlines(cmark_node *n, lk_buf_t *b)
{
    for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c)) {
        switch (cmark_node_get_type(c)) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
            puts_(b, cmark_node_get_literal(c) ? cmark_node_get_literal(c) : "");
            break;
        case CMARK_NODE_SOFTBREAK:
            puts_(b, " ");
            break;
        case CMARK_NODE_LINEBREAK:
            puts_(b, "\n");
            break;
        case CMARK_NODE_LINK:
        case CMARK_NODE_IMAGE: {
            const char *url = cmark_node_get_url(c);
            size_t start = b->len;
            inlines(c, b);
            bool has_text = b->len > start;
            bool same =
                has_text && url && b->len - start == strlen(url) && memcmp(b->data + start, url, b->len - start) == 0;
            if (url_for_text(url) && !same) {
                if (has_text)
                    puts_(b, " (");
                puts_(b, url);
                if (has_text)
                    puts_(b, ")");
            }
            break;
        }
        case CMARK_NODE_HTML_INLINE:
            break; /* tags left out; the text between them stays */
        default:   /* emphasis, strong, custom inlines: their text */
            inlines(c, b);
            break;
        }
    }
}

static void block(cmark_node *n, lk_buf_t *b, const char *indent);
static void blocks(cmark_node *parent, lk_buf_t *b, const char *indent);

/* Ends the text so far with one blank line before the next block. */
static void separate(lk_buf_t *b)
{
    if (b->len == 0)
        return;
    while (b->len > 0 && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == ' '))
        b->len--;
    b->data[b->len] = '\0';
    puts_(b, "\n\n");
}

/* Appends s with indent after every newline inside it. */
static void put_indented(lk_buf_t *b, const char *s, size_t n, const char *indent)
{
    for (size_t i = 0; i < n; i++) {
        put(b, s + i, 1);
        if (s[i] == '\n' && i + 1 < n)
            puts_(b, indent);
    }
}

static void list(cmark_node *l, lk_buf_t *b, const char *indent)
{
    bool ordered = cmark_node_get_list_type(l) == CMARK_ORDERED_LIST;
    int num = ordered ? cmark_node_get_list_start(l) : 0;
    char inner[64];
    snprintf(inner, sizeof inner, "%s  ", strlen(indent) < 40 ? indent : "");
    bool first = true;
    for (cmark_node *item = cmark_node_first_child(l); item; item = cmark_node_next(item), num++) {
        if (!first)
            puts_(b, "\n");
        first = false;
        puts_(b, indent);
        if (ordered) {
            char mark[24];
            snprintf(mark, sizeof mark, "%d. ", num);
            puts_(b, mark);
        } else {
            puts_(b, "- ");
        }
        /* the item's blocks, each on its own line, continued at the inner
         * indent */
        lk_buf_t sub;
        lk_buf_init(&sub, b->max);
        bool first_block = true;
        for (cmark_node *c = cmark_node_first_child(item); c; c = cmark_node_next(c)) {
            if (cmark_node_get_type(c) == CMARK_NODE_LIST) {
                puts_(&sub, "\n");
                list(c, &sub, inner);
                continue;
            }
            if (!first_block)
                puts_(&sub, "\n");
            first_block = false;
            lk_buf_t one;
            lk_buf_init(&one, b->max);
            block(c, &one, "");
            while (one.len > 0 && one.data[one.len - 1] == '\n')
                one.len--;
            put_indented(&sub, one.data ? one.data : "", one.len, inner);
            lk_buf_free(&one);
        }
        put(b, sub.data ? sub.data : "", sub.len);
        lk_buf_free(&sub);
    }
}

/* One block (and, for containers, its children) into b. */
static void block(cmark_node *n, lk_buf_t *b, const char *indent)
{
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_PARAGRAPH:
    case CMARK_NODE_HEADING:
        separate(b);
        inlines(n, b);
        break;
    case CMARK_NODE_CODE_BLOCK: {
        separate(b);
        const char *lit = cmark_node_get_literal(n) ? cmark_node_get_literal(n) : "";
        size_t len = strlen(lit);
        while (len > 0 && lit[len - 1] == '\n')
            len--;
        put(b, lit, len);
        break;
    }
    case CMARK_NODE_LIST:
        separate(b);
        list(n, b, indent);
        break;
    case CMARK_NODE_BLOCK_QUOTE:
    case CMARK_NODE_ITEM:
    case CMARK_NODE_DOCUMENT:
        blocks(n, b, indent);
        break;
    default: /* raw HTML blocks, thematic breaks: nothing */
        break;
    }
}

/* The child blocks of a container (document, block quote, list item). */
static void blocks(cmark_node *parent, lk_buf_t *b, const char *indent)
{
    for (cmark_node *c = cmark_node_first_child(parent); c; c = cmark_node_next(c))
        block(c, b, indent);
}

char *lk_md_to_text(const char *md, size_t len)
{
    cmark_node *doc = parse(md, len);
    lk_buf_t b;
    /* room for links that repeat their URL and for list marks; a text that
     * needs more is cut off (put) */
    lk_buf_init(&b, 4 * len + 4096);
    blocks(doc, &b, "");
    cmark_node_free(doc);
    /* a text cut off at the limit may end inside a character */
    size_t k = b.len;
    while (k > 0 && ((unsigned char)b.data[k - 1] & 0xC0) == 0x80)
        k--;
    if (k > 0 && (unsigned char)b.data[k - 1] >= 0xC0 && !lk_utf8_valid(b.data + k - 1, b.len - k + 1))
        b.len = k - 1;
    while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == ' '))
        b.len--;
    if (b.data)
        b.data[b.len] = '\0';
    char *out = b.data ? lk_buf_steal(&b, NULL) : lk_xstrdup("");
    lk_buf_free(&b);
    return out;
}

void lk_kb_answers_to_text(lk_kb_t *kb)
{
    for (size_t i = 0; kb && i < kb->n_articles; i++) {
        lk_article_t *a = &kb->articles[i];
        if (!a->answer)
            continue;
        char *text = lk_md_to_text(a->answer, strlen(a->answer));
        free(a->answer);
        a->answer = text;
    }
}
