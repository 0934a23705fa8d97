/*
 * fuzz_markdown: the rendering of answers (src/kb/markdown.c): CommonMark
 * through cmark to HTML for the console, and to plain text for the chat.
 * The HTML goes into an agent's page, so it must carry no markup beyond what
 * Markdown makes, and no link or image to a dangerous scheme, whatever the
 * answer's author wrote.
 *
 * Invariants: the HTML holds only the tags cmark writes for Markdown (no
 * raw HTML: script, iframe, event attributes), every href and src is empty,
 * relative, or http(s), mailto or tel, in any spelling; the plain text is
 * valid UTF-8 without NUL, within its documented length limit (and the
 * conversion does not give up), without a "<" that was not in the answer.
 */
#include "fuzz.h"

#include "kb/kb.h"
#include "util/util.h"

#include <ctype.h>
#include <strings.h>

FUZZ_INIT_QUIET

/* The elements cmark's HTML renderer writes (and the comment it puts where
 * raw HTML was). */
static const char *const tags[] = {"p", "em", "strong", "code", "pre", "a", "img", "ul", "ol", "li",
                                   "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br"};

static bool known_tag(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (strlen(tags[i]) == n && !strncmp(tags[i], s, n))
            return true;
    return false;
}

/* The value of an href or src attribute as the browser reads it: cmark
 * escapes & as &amp; and ' as &#x27;, percent-encodes the rest. */
static bool safe_url(const char *v, size_t n)
{
    char url[64];
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < sizeof url; i++) {
        if (v[i] == '&') { /* an entity: only a letter scheme matters */
            break;
        }
        url[o++] = (char)tolower((unsigned char)v[i]);
    }
    url[o] = '\0';
    size_t scheme = strcspn(url, ":/?#");
    if (url[scheme] != ':' || o == 0)
        return true; /* relative or empty */
    return (scheme == 4 && !strncmp(url, "http", 4)) || (scheme == 5 && !strncmp(url, "https", 5)) ||
           (scheme == 6 && !strncmp(url, "mailto", 6)) || (scheme == 3 && !strncmp(url, "tel", 3));
}

static void check_html(const char *h)
{
    static const char omitted[] = "<!-- raw HTML omitted -->";
    for (const char *p = strchr(h, '<'); p; p = strchr(p + 1, '<')) {
        if (!strncmp(p, omitted, sizeof omitted - 1))
            continue;
        const char *q = p + 1 + (p[1] == '/');
        size_t n = strspn(q, "abcdefghijklmnopqrstuvwxyz0123456789");
        if (!known_tag(q, n))
            fprintf(stderr, "fuzz: unknown markup in the HTML: %.40s\n", p);
        FUZZ_CHECK(known_tag(q, n));
        const char *end = strchr(q, '>');
        FUZZ_CHECK(end != NULL);
        /* attributes: only href, src, alt, title, start (lists) and class
         * (code blocks' language), each quoted */
        for (const char *a = q + n; a < end;) {
            while (a < end && *a == ' ')
                a++;
            if (a >= end || *a == '/')
                break;
            size_t an = strspn(a, "abcdefghijklmnopqrstuvwxyz-");
            bool ok = (an == 4 && !strncmp(a, "href", 4)) || (an == 3 && !strncmp(a, "src", 3)) ||
                      (an == 3 && !strncmp(a, "alt", 3)) || (an == 5 && !strncmp(a, "title", 5)) ||
                      (an == 5 && !strncmp(a, "start", 5)) || (an == 5 && !strncmp(a, "class", 5));
            if (!ok)
                fprintf(stderr, "fuzz: unexpected attribute: %.40s\n", a);
            FUZZ_CHECK(ok && a[an] == '=' && a[an + 1] == '"');
            const char *v = a + an + 2, *ve = strchr(v, '"');
            FUZZ_CHECK(ve != NULL && ve < end + strlen(end));
            if ((an == 4 && !strncmp(a, "href", 4)) || (an == 3 && !strncmp(a, "src", 3))) {
                if (!safe_url(v, (size_t)(ve - v)))
                    fprintf(stderr, "fuzz: unsafe URL: %.*s\n", (int)(ve - v), v);
                FUZZ_CHECK(safe_url(v, (size_t)(ve - v)));
            }
            a = ve + 1;
            if (a > end) /* the '>' was inside the quoted value */
                end = strchr(a, '>');
            FUZZ_CHECK(end != NULL);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *md = (const char *)data;
    char *html = lk_md_to_html(md, size);
    FUZZ_CHECK(html != NULL);
    FUZZ_CHECK(fuzz_utf8_ok(html, strlen(html)));
    check_html(html);

    char *text = lk_md_to_text(md, size);
    FUZZ_CHECK(text != NULL);
    size_t tl = strlen(text);
    FUZZ_CHECK(fuzz_utf8_ok(text, tl));
    FUZZ_CHECK(tl <= 4 * size + 4096); /* the documented limit */
    /* plain text: no "<" appears that the author did not write (typed, or
     * as an entity such as &lt;) */
    if (!memchr(md, '<', size) && !memchr(md, '&', size))
        FUZZ_CHECK(strchr(text, '<') == NULL);
    free(html);
    free(text);
    return 0;
}
