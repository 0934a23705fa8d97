/*
 * Unit tests for the Markdown answers (src/kb/markdown.c): safe HTML for
 * the console, including the usual cross-site scripting attempts, and the
 * plain text the customer's chat gets.
 */
#include "kb/kb.h"
#include "util/util.h"

#include "test_article.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static char *html(const char *md)
{
    return lk_md_to_html(md, strlen(md));
}

static char *text(const char *md)
{
    return lk_md_to_text(md, strlen(md));
}

#define HTML_HAS(md, want)                                                                                             \
    do {                                                                                                               \
        char *h_ = html(md);                                                                                           \
        cr_assert(strstr(h_, want), "HTML of %s should hold %s, is %s", md, want, h_);                                 \
        free(h_);                                                                                                      \
    } while (0)

#define HTML_LACKS(md, bad)                                                                                            \
    do {                                                                                                               \
        char *h_ = html(md);                                                                                           \
        char *low_ = lk_xstrdup(h_);                                                                                   \
        for (char *p_ = low_; *p_; p_++)                                                                               \
            if (*p_ >= 'A' && *p_ <= 'Z')                                                                              \
                *p_ = (char)(*p_ - 'A' + 'a');                                                                         \
        cr_assert_null(strstr(low_, bad), "HTML of %s must not hold %s, is %s", md, bad, h_);                          \
        free(low_);                                                                                                    \
        free(h_);                                                                                                      \
    } while (0)

#define TEXT_IS(md, want)                                                                                              \
    do {                                                                                                               \
        char *t_ = text(md);                                                                                           \
        cr_assert_str_eq(t_, want, "text of %s", md);                                                                  \
        free(t_);                                                                                                      \
    } while (0)

Test(kbm_markdown, renders_common_markdown)
{
    HTML_HAS("Lees **eerst** dit.", "<strong>eerst</strong>");
    HTML_HAS("*schuin*", "<em>schuin</em>");
    HTML_HAS("- een\n- twee\n", "<li>twee</li>");
    HTML_HAS("1. een\n2. twee\n", "<ol>");
    HTML_HAS("[retour](https://example.com/retour)", "<a href=\"https://example.com/retour\">retour</a>");
    HTML_HAS("mail [ons](mailto:hallo@example.com)", "href=\"mailto:hallo@example.com\"");
    HTML_HAS("[relatief](/klantenservice)", "href=\"/klantenservice\"");
    HTML_HAS("# Kop", "<h1>Kop</h1>");
    HTML_HAS("`code`", "<code>code</code>");
}

Test(kbm_markdown, html_escapes_text)
{
    HTML_HAS("1 < 2 & 3 > 2", "1 &lt; 2 &amp; 3 &gt; 2");
    HTML_HAS("\"quotes\"", "&quot;quotes&quot;");
}

Test(kbm_markdown, raw_html_and_script_are_left_out)
{
    HTML_LACKS("<script>alert(1)</script>", "<script");
    HTML_LACKS("hallo <img src=x onerror=alert(1)> daar", "<img");
    HTML_LACKS("hallo <img src=x onerror=alert(1)> daar", "onerror");
    HTML_LACKS("<div onclick=\"alert(1)\">klik</div>", "onclick");
    HTML_LACKS("<iframe src=\"https://evil.example\"></iframe>", "<iframe");
    HTML_LACKS("<svg/onload=alert(1)>", "<svg");
    HTML_LACKS("<a href=\"javascript:alert(1)\">x</a>", "javascript:");
    HTML_LACKS("<style>body{display:none}</style>", "<style");
    /* the text around it stays */
    HTML_HAS("hallo <b>vet</b> daar", "vet");
}

Test(kbm_markdown, dangerous_link_targets_are_emptied)
{
    static const char *const attacks[] = {
        "[klik](javascript:alert(1))",
        "[klik](JavaScript:alert(1))",
        "[klik](jav&#x09;ascript:alert(1))",
        "[klik](java%0ascript:alert(1))",
        "[klik](vbscript:msgbox(1))",
        "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![plaatje](javascript:alert(1))",
        "<javascript:alert(1)>",
        "[klik][ref]\n\n[ref]: javascript:alert(1)",
        "[klik](file:///etc/passwd)",
    };
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
        char *h = html(attacks[i]);
        /* every href and src is empty */
        size_t targets = 0;
        for (const char *p = h; (p = strstr(p, "=\"")) != NULL; p += 2) {
            bool attr = (p - h >= 4 && strncmp(p - 4, "href", 4) == 0) || (p - h >= 3 && strncmp(p - 3, "src", 3) == 0);
            if (attr) {
                targets++;
                cr_assert_eq(p[2], '"', "%s gave a link target: %s", attacks[i], h);
            }
        }
        cr_assert_eq(targets, 1, "%s: the link or image stays, without its target: %s", attacks[i], h);
        free(h);
    }
    /* the link text is kept, with an empty target */
    HTML_HAS("[klik](javascript:alert(1))", "<a href=\"\">klik</a>");
}

Test(kbm_markdown, attribute_breakout_is_escaped)
{
    HTML_LACKS("[x](https://example.com/\"onmouseover=\"alert(1))", "\"onmouseover");
    HTML_LACKS("![x\" onerror=\"alert(1)](https://example.com/a.png)", "\" onerror");
}

Test(kbm_markdown, plain_text_for_the_chat)
{
    TEXT_IS("Lees **eerst** dit en *dat*.", "Lees eerst dit en dat.");
    TEXT_IS("Zie [de retourpagina](https://example.com/retour).", "Zie de retourpagina (https://example.com/retour).");
    TEXT_IS("<https://example.com/retour>", "https://example.com/retour");
    TEXT_IS("Een.\n\nTwee.", "Een.\n\nTwee.");
    TEXT_IS("regel een\nregel twee", "regel een regel twee");
    TEXT_IS("Zo doe je het:\n\n- stap een\n- stap twee\n", "Zo doe je het:\n\n- stap een\n- stap twee");
    TEXT_IS("1. eerst\n2. dan\n", "1. eerst\n2. dan");
    TEXT_IS("- buiten\n  - binnen\n- weer buiten\n", "- buiten\n  - binnen\n- weer buiten");
    TEXT_IS("# Kop\n\nTekst", "Kop\n\nTekst");
    TEXT_IS("Typ `retour` in.", "Typ retour in.");
    TEXT_IS("a  \nb", "a\nb");
    TEXT_IS("Plain text stays plain.", "Plain text stays plain.");
    TEXT_IS("", "");
}

Test(kbm_markdown, plain_text_drops_html_and_unsafe_links)
{
    TEXT_IS("hallo <b>vet</b> daar", "hallo vet daar");
    TEXT_IS("<script>alert(1)</script>\n\nTekst", "Tekst");
    TEXT_IS("[klik](javascript:alert(1))", "klik");
    TEXT_IS("[relatief](/pad)", "relatief");
    TEXT_IS("[bel ons](tel:+31201234567)", "bel ons (tel:+31201234567)");
}

Test(kbm_markdown, answers_to_text_converts_every_article)
{
    lk_kb_t kb;
    lk_kb_init(&kb);
    char *q[] = {"vraag"};
    lk_article_t a = test_article("a", "nl", "A", q, 1, "**Vet** en [link](https://example.com)");
    lk_kb_add(&kb, &a);
    a.id = "b";
    a.answer = "- een\n- twee";
    lk_kb_add(&kb, &a);
    lk_kb_answers_to_text(&kb);
    cr_assert_str_eq(kb.articles[0].answer, "Vet en link (https://example.com)");
    cr_assert_str_eq(kb.articles[1].answer, "- een\n- twee");
    lk_kb_free(&kb);
}

Test(kbm_markdown, the_demo_answers_read_the_same_as_plain_text)
{
    /* The demo knowledge base is written as plain text: what the chat shows
     * after the Markdown conversion must be what was written. */
    lk_kb_t kb;
    cr_assert_eq(lk_kb_demo(&kb), 0);
    for (size_t i = 0; i < kb.n_articles; i++) {
        char *t = lk_md_to_text(kb.articles[i].answer, strlen(kb.articles[i].answer));
        cr_assert_str_eq(t, kb.articles[i].answer, "article %s", kb.articles[i].id);
        free(t);
    }
    lk_kb_free(&kb);
}

/* Appends s to b n times. */
static void append_times(lk_buf_t *b, const char *s, int n)
{
    for (int i = 0; i < n; i++)
        lk_buf_append_cstr(b, s);
}

/* Found by fuzz/fuzz_markdown.c: a reference link repeats its URL at every
 * use, so the plain text can outgrow any limit proportional to the answer;
 * it used to abort the server, now the text is cut off at the limit. */
Test(kbm_markdown, plain_text_of_a_freak_answer_is_cut_off)
{
    lk_buf_t md;
    lk_buf_init(&md, 1 << 20);
    lk_buf_append_cstr(&md, "[r]: https://example.com/");
    append_times(&md, "\xc3\xa9", 2000); /* a URL of 2000 two-byte characters */
    lk_buf_append_cstr(&md, "\n\n");
    append_times(&md, "[a][r] ", 400);
    char *t = lk_md_to_text(md.data, md.len);
    size_t n = strlen(t);
    cr_assert(n > 0 && n <= 4 * md.len + 4096, "%zu bytes from %zu", n, md.len);
    cr_assert(lk_utf8_valid(t, n), "the cut must fall between characters");
    cr_assert(strncmp(t, "a (https://example.com/", 23) == 0, "%.40s", t);
    free(t);
    lk_buf_free(&md);
}
