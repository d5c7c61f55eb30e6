/*
 * printout.h: a ticket as printable text (film, time, hall, seat, price,
 * code and the code's QR) and its delivery: `lp -d PRINTER` when a printer
 * is set, else a text file in the ticket folder. No curses. UI thread.
 */
#ifndef BOXOFFICE_TUI_PRINTOUT_H
#define BOXOFFICE_TUI_PRINTOUT_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct app;

/* Where printout sends tickets; set once by main. */
void printout_config(const char *printer, const char *dir);
/*
 * The ticket text of order item it (of a->order / a->map) into out.
 * Returns its length, or -1 when out is too small.
 */
int printout_text(const struct app *a, const cJSON *it, char *out, size_t outlen);
/*
 * Print or save the ticket. Returns 0 with where = "@printer" or the file
 * path, or -1 with a reason in err.
 */
int printout_ticket(const struct app *a, const cJSON *it, char *where, size_t wlen, char *err,
                    size_t errlen);

#endif
