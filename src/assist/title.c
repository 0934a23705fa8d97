/*
 * A conversation's title for the console (issue 14): who the customer is
 * when the host page said so (name, else e-mail address), otherwise what
 * they asked about first (the conversation's topic). The topic is the title
 * of the article the bot matched for the customer's first real question, or
 * else that question's first words with personal data masked, so that a
 * list of conversations reads as a list of customers and subjects instead
 * of ids. Pure: no I/O.
 */
#include "assist/assist.h"

#include "privacy/privacy.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

#define TOPIC_WORDS 8

/* Length of the UTF-8 sequence starting with byte c (1 for stray bytes). */
static size_t seq_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

char *lk_assist_topic(const char *text, size_t len, const char *article_title)
{
    if (article_title && article_title[0])
        return lk_assist_shorten(article_title, LK_ASSIST_TOPIC_MAX);
    if (!text || len == 0)
        return NULL;
    char *red = lk_pii_redact(text, len);
    size_t n = strlen(red);
    char *out = lk_xmalloc(LK_ASSIST_TOPIC_MAX + 4);
    size_t o = 0, words = 0, i = 0;
    bool cut = false;
    while (i < n) {
        while (i < n && (red[i] == ' ' || red[i] == '\t' || red[i] == '\n' || red[i] == '\r'))
            i++;
        if (i >= n)
            break;
        if (words == TOPIC_WORDS) {
            cut = true;
            break;
        }
        size_t w = i;
        while (w < n && red[w] != ' ' && red[w] != '\t' && red[w] != '\n' && red[w] != '\r')
            w += seq_len((unsigned char)red[w]);
        if (w > n)
            w = n;
        size_t need = (o ? 1 : 0) + (w - i);
        if (o + need > LK_ASSIST_TOPIC_MAX) {
            if (o == 0) { /* one long word: cut it on a character boundary */
                size_t k = i;
                while (k < w && k - i + seq_len((unsigned char)red[k]) <= LK_ASSIST_TOPIC_MAX)
                    k += seq_len((unsigned char)red[k]);
                memcpy(out, red + i, k - i);
                o = k - i;
            }
            cut = true;
            break;
        }
        if (o)
            out[o++] = ' ';
        memcpy(out + o, red + i, w - i);
        o += w - i;
        words++;
        i = w;
    }
    free(red);
    if (o == 0) {
        free(out);
        return NULL;
    }
    if (cut) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

const char *lk_assist_title(const lk_conv_t *c)
{
    if (!c)
        return NULL;
    if (c->customer_name && c->customer_name[0])
        return c->customer_name;
    if (c->customer_email && c->customer_email[0])
        return c->customer_email;
    if (c->topic && c->topic[0])
        return c->topic;
    return NULL;
}
