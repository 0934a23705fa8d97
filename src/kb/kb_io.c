/*
 * Knowledge bases in files and folders, in the three formats: KB JSON, CSV
 * (a file each) and Markdown with front matter (a folder of <id>.md files).
 * This is what `loket kb import` and `loket kb export` use, so that the
 * command line stays a thin shell and every format is read all or nothing,
 * with a message that names the file, the article and the field.
 */
#include "kb/kb.h"

#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FILE_MAX (256u << 20)  /* a JSON or CSV file */
#define MD_FILE_MAX (4u << 20) /* one article's Markdown file */

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t errsize, int code, const char *fmt, ...)
{
    if (err && errsize) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsize, fmt, ap);
        va_end(ap);
    }
    return code;
}

int lk_kb_format_parse(const char *name, lk_kb_format_t *out)
{
    if (!name || !out)
        return LK_EINVAL;
    if (strcmp(name, "json") == 0)
        *out = LK_KB_FORMAT_JSON;
    else if (strcmp(name, "csv") == 0)
        *out = LK_KB_FORMAT_CSV;
    else if (strcmp(name, "markdown") == 0 || strcmp(name, "md") == 0)
        *out = LK_KB_FORMAT_MARKDOWN;
    else
        return LK_EINVAL;
    return 0;
}

char *lk_kb_read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    lk_buf_t b;
    lk_buf_init(&b, max);
    char chunk[65536];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = lk_buf_append(&b, chunk, n);
    bool bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (rc || bad) {
        lk_buf_free(&b);
        errno = rc ? EFBIG : EIO;
        return NULL;
    }
    char *out;
    if (b.data) {
        out = lk_buf_steal(&b, len);
    } else {
        out = lk_xstrdup("");
        *len = 0;
    }
    lk_buf_free(&b);
    return out;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_folder(const char *path, lk_kb_t *out, char *err, size_t errsize)
{
    DIR *d = opendir(path);
    if (!d)
        return fail(err, errsize, LK_EIO, "cannot open the folder %s: %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 3 || strcmp(e->d_name + len - 3, ".md") != 0 || e->d_name[0] == '.')
            continue;
        names = lk_xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = lk_xstrdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    int rc = 0;
    if (n > LK_KB_ARTICLES_MAX)
        rc = fail(err, errsize, LK_EINVAL, "too many articles (%zu files, at most %d)", n, LK_KB_ARTICLES_MAX);
    if (rc == 0 && n)
        out->articles = lk_xcalloc(n, sizeof *out->articles);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t plen = strlen(path) + strlen(names[i]) + 2;
        char *file = lk_xmalloc(plen);
        snprintf(file, plen, "%s/%s", path, names[i]);
        size_t len = 0;
        char *text = lk_kb_read_file(file, MD_FILE_MAX, &len);
        free(file);
        if (!text) {
            rc = fail(err, errsize, errno == EFBIG ? LK_EINVAL : LK_EIO, "cannot read %s: %s", names[i],
                      errno == EFBIG ? "larger than 4 MiB" : strerror(errno));
            break;
        }
        lk_article_t a;
        rc = lk_kb_parse_md(text, len, names[i], &a, err, errsize);
        free(text);
        if (rc)
            break;
        size_t idlen = strlen(names[i]) - 3;
        if (strlen(a.id) != idlen || memcmp(a.id, names[i], idlen) != 0) {
            rc = fail(err, errsize, LK_EINVAL, "%s: the file name must be the article's id followed by .md (%s.md)",
                      names[i], a.id);
            lk_article_free(&a);
            break;
        }
        out->articles[out->n_articles++] = a;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (rc)
        lk_kb_free(out);
    return rc;
}

int lk_kb_read_path(const char *path, lk_kb_format_t format, lk_kb_t *out, char *err, size_t errsize)
{
    if (err && errsize)
        err[0] = '\0';
    if (!path || !out)
        return LK_EINVAL;
    lk_kb_init(out);
    if (format == LK_KB_FORMAT_MARKDOWN) {
        struct stat sb;
        if (stat(path, &sb) != 0)
            return fail(err, errsize, LK_EIO, "cannot read %s: %s", path, strerror(errno));
        if (!S_ISDIR(sb.st_mode))
            return fail(err, errsize, LK_EINVAL, "%s is not a folder (the Markdown format is a folder of .md files)",
                        path);
        return read_folder(path, out, err, errsize);
    }
    size_t len = 0;
    char *text = lk_kb_read_file(path, FILE_MAX, &len);
    if (!text)
        return fail(err, errsize, errno == EFBIG ? LK_EINVAL : LK_EIO, "cannot read %s: %s", path,
                    errno == EFBIG ? "larger than 256 MiB" : strerror(errno));
    int rc = format == LK_KB_FORMAT_CSV ? lk_kb_parse_csv(text, len, out, err, errsize)
                                        : lk_kb_parse(text, len, out, err, errsize);
    free(text);
    return rc;
}

/* Writes text to path (NULL: standard output). */
static int write_text(const char *path, const char *text, char *err, size_t errsize)
{
    FILE *f = path ? fopen(path, "wb") : stdout;
    if (!f)
        return fail(err, errsize, LK_EIO, "cannot write %s: %s", path, strerror(errno));
    size_t len = strlen(text);
    bool ok = fwrite(text, 1, len, f) == len;
    ok = (path ? fclose(f) == 0 : fflush(f) == 0) && ok;
    if (!ok)
        return fail(err, errsize, LK_EIO, "cannot write %s: %s", path ? path : "the output", strerror(errno));
    return 0;
}

int lk_kb_write_path(const lk_kb_t *kb, lk_kb_format_t format, const char *path, char *err, size_t errsize)
{
    if (err && errsize)
        err[0] = '\0';
    if (!kb)
        return LK_EINVAL;
    if (format != LK_KB_FORMAT_MARKDOWN) {
        char *text = format == LK_KB_FORMAT_CSV ? lk_kb_to_csv(kb) : lk_kb_to_json(kb);
        if (!text)
            return fail(err, errsize, LK_EINVAL, "the knowledge base holds an article that cannot be exported");
        int rc = write_text(path, text, err, errsize);
        free(text);
        return rc;
    }
    if (!path)
        return fail(err, errsize, LK_EINVAL, "the Markdown format needs a folder to write to");
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return fail(err, errsize, LK_EIO, "cannot create the folder %s: %s", path, strerror(errno));
    for (size_t i = 0; i < kb->n_articles; i++) {
        const lk_article_t *a = &kb->articles[i];
        char *text = lk_kb_article_to_md(a);
        if (!text)
            return fail(err, errsize, LK_EINVAL, "article #%zu cannot be exported", i + 1);
        size_t plen = strlen(path) + strlen(a->id) + 5;
        char *file = lk_xmalloc(plen);
        snprintf(file, plen, "%s/%s.md", path, a->id);
        int rc = write_text(file, text, err, errsize);
        free(file);
        free(text);
        if (rc)
            return rc;
    }
    return 0;
}
