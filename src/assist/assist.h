/*
 * assist: help for the agents. For now the hand-off summary: a short,
 * deterministic, extractive text that tells the agent, before reading the
 * transcript, what the customer asked, what the bot answered and why the
 * conversation came to a person. Pure: no I/O.
 */
#ifndef LK_ASSIST_H
#define LK_ASSIST_H

#include "store/store.h"

#include <stddef.h>

/* The summary of a conversation and its messages (in seq order). The caller
 * frees the result with free(). */
char *lk_assist_summary(const lk_conv_t *conv, const lk_msg_t *msgs, size_t n_msgs);

#endif
