/*
 * http_int.h: the WebSocket settings of server.c, shared with the fuzz
 * driver fuzz/fuzz_ws_frames.c so that it parses frames with exactly the
 * wslay configuration loket uses. Not part of the interface (http.h is);
 * nothing outside src/http/ and fuzz/ includes it.
 */
#ifndef LK_HTTP_INT_H
#define LK_HTTP_INT_H

#include <stddef.h>
#include <wslay/wslay.h>

/* Applies loket's settings to a new server-side wslay context: messages
 * from the peer longer than max_msg bytes (all frames of a message together)
 * are refused with close code 1009 instead of being buffered; wslay's own
 * limit is 2 GiB, per connection. */
void lk_http__ws_setup(wslay_event_context_ptr ctx, size_t max_msg);

#endif
