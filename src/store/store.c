/*
 * store: the public functions of store.h. lk_store_open chooses the backend
 * from the location it is given; every other function checks the handle and
 * calls its backend's operation (backend.h). Nothing here touches a database.
 */
#include "store/store.h"

#include "store/backend.h"
#include "store/store_int.h"
#include "util/util.h"

#include <string.h>

/* URL schemes of a PostgreSQL server; the PostgreSQL backend is not built
 * in yet (the next issue adds it). */
static bool is_postgres_url(const char *location)
{
    return strncmp(location, "postgres://", 11) == 0 || strncmp(location, "postgresql://", 13) == 0;
}

int lk_store_open(const char *location, lk_store_t **out, bool *created)
{
    if (!location || !location[0] || !out)
        return LK_EINVAL;
    if (is_postgres_url(location)) {
        *out = NULL;
        if (created)
            *created = false;
        LK_ERROR("store", "database: PostgreSQL is not built in yet; use a path to the SQLite data directory");
        return LK_ECONFIG;
    }
    return lk_sq_open(location, out, created);
}

void lk_store_close(lk_store_t *st)
{
    if (st)
        st->ops->close(st);
}

const char *lk_store_backend(const lk_store_t *st)
{
    return st ? st->ops->name : NULL;
}

int lk_store_schema_version(void)
{
    return (int)lk_store__n_migrations;
}

/* Every public operation: lk_store_<name>(params) checks the handle and
 * calls its backend's <name> in the group (backend.h's lists). */
#define LK_STORE_OP_CALL(group, name, params, args)                                                                    \
    int lk_store_##name params                                                                                         \
    {                                                                                                                  \
        return st ? st->ops->group->name args : LK_EINVAL;                                                             \
    }

LK_STORE_BASE_OPS(LK_STORE_OP_CALL)
LK_STORE_CONV_OPS(LK_STORE_OP_CALL)
LK_STORE_USERS_OPS(LK_STORE_OP_CALL)
LK_STORE_KB_OPS(LK_STORE_OP_CALL)
LK_STORE_ASSIST_OPS(LK_STORE_OP_CALL)
LK_STORE_CONSOLE_OPS(LK_STORE_OP_CALL)
LK_STORE_INSIGHTS_OPS(LK_STORE_OP_CALL)
LK_STORE_PRIVACY_OPS(LK_STORE_OP_CALL)
LK_STORE_SECURITY_OPS(LK_STORE_OP_CALL)
LK_STORE_ANALYTICS_OPS(LK_STORE_OP_CALL)
LK_STORE_LABELLED_OPS(LK_STORE_OP_CALL)
