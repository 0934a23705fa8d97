/*
 * Events: what a committed job publishes (a message, a change of a
 * conversation, a control event for the agents' streams), shared by
 * reference between the writer, which publishes it, and every event loop's
 * hub, which delivers it. The last reference frees it, on whichever thread
 * that is.
 */
#include "runtime/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

lk_event_t *lk_event_new(const char *topic, int64_t seq, char *json)
{
    lk_event_t *ev = lk_xcalloc(1, sizeof *ev);
    atomic_init(&ev->refs, 1);
    snprintf(ev->topic, sizeof ev->topic, "%s", topic);
    ev->seq = seq;
    ev->json = json;
    ev->len = strlen(json);
    return ev;
}

void lk_event_release(lk_event_t *ev)
{
    if (ev && atomic_fetch_sub(&ev->refs, 1) == 1) {
        free(ev->json);
        free(ev->brief);
        free(ev);
    }
}
