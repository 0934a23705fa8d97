/*
 * test_tmp.h: temporary folders for unit tests that write files (a data
 * directory with a database, exported knowledge bases): made fresh under
 * /tmp, removed with everything in them at the end.
 */
#ifndef LK_TEST_TMP_H
#define LK_TEST_TMP_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Removes dir and everything below it (links are removed, not followed). */
static inline void test_rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            int n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            cr_assert(n > 0 && (size_t)n < sizeof path, "%s/%s: too long", dir, e->d_name);
            struct stat sb;
            if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
                test_rm_tree(path);
            else
                unlink(path);
        }
    closedir(d);
    rmdir(dir);
}

/* A fresh folder /tmp/loket-<name>-XXXXXX in tmp and the path of a data
 * directory inside it (not made: loket makes it) in data; test_rm_tree(tmp)
 * removes both. */
static inline void test_data_dir(const char *name, char tmp[64], char data[128])
{
    snprintf(tmp, 64, "/tmp/loket-%s-XXXXXX", name);
    cr_assert_not_null(mkdtemp(tmp));
    snprintf(data, 128, "%s/data", tmp);
}

#endif
