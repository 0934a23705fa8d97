/*
 * kb_int.h: what the knowledge-base module's files share with each other.
 * Not part of the module's interface (that is kb.h).
 */
#ifndef LK_KB_INT_H
#define LK_KB_INT_H

/* Aborts after a failed allocation that a library reports as NULL or an
 * error code (jansson, cmark), as lk_xmalloc does for loket's own. */
_Noreturn void lk_kb__oom(void);

#endif
