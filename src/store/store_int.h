/*
 * store internals shared by the store's own files (never included from
 * outside src/store/): the ordered list of schema migrations. Each backend
 * applies migration i (1-based) to bring a database from version i-1 to i, in
 * one transaction, and records the new version in schema_version.
 */
#ifndef LK_STORE_INT_H
#define LK_STORE_INT_H

#include <stddef.h>

/* SQL scripts, oldest first; lk_store__migrations[0] creates version 1. The
 * SQL sticks to what SQLite and PostgreSQL both understand. */
extern const char *const lk_store__migrations[];
/* How many there are: the schema version this program writes. */
extern const size_t lk_store__n_migrations;

#endif
