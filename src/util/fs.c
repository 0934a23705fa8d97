/*
 * Files: the directories loket keeps its data in.
 */
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

int lk_make_dirs(const char *dir, const char *module)
{
    size_t len = strlen(dir);
    char *path = lk_xstrndup(dir, len);
    int err = 0;
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            LK_ERROR(module, "cannot create directory %s: %s", path, strerror(errno));
            err = LK_EIO;
            break;
        }
        path[i] = saved;
    }
    free(path);
    if (err)
        return err;
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        LK_ERROR(module, "%s is not a directory", dir);
        return LK_EIO;
    }
    return 0;
}
