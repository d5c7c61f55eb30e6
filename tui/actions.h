/*
 * actions.h: everything that changes the client's state. Keys arrive here
 * (typed into the open form, or looked up in the key map), as do the
 * answers of requests, WebSocket messages and the clock tick. Each returns
 * 1 when the screen must be redrawn, 0 otherwise. Requests leave through
 * the app's outbox. No curses and no I/O: unit-tested without a terminal.
 * UI thread only.
 */
#ifndef BOXOFFICE_TUI_ACTIONS_H
#define BOXOFFICE_TUI_ACTIONS_H

#include <stdint.h>

#include "app.h"

/* A key press (a KEY_* code or a Unicode code point). */
int actions_key(struct app *a, int key);
/* One action, as the key map names it. */
int actions_do(struct app *a, enum action act);
/* Go to a screen, loading what it shows. */
int actions_go(struct app *a, enum screen_id s);
/*
 * The answer of a request: HTTP status (0 when the transport failed, then
 * neterr says why) and body (may be NULL).
 */
int actions_response(struct app *a, enum req_tag tag, int64_t ctx, long status, const char *body,
                     const char *neterr);
/* A text message from the WebSocket. */
int actions_ws_message(struct app *a, const char *text);
/* The WebSocket went up (1, authenticated) or down (0). */
int actions_ws_state(struct app *a, int up);
/* Once in a while (main calls it at least every second): refreshes and expiries. */
int actions_tick(struct app *a);

/* Open a form (fields added with form_add). */
void form_open(struct app *a, enum form_purpose p, enum str_id title, int64_t ctx);
void form_add(struct app *a, enum str_id label, const char *key, enum field_type t,
              const char *value);
/* The field named key, or NULL. */
struct form_field *form_field(struct app *a, const char *key);

#endif
