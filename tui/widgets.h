/*
 * widgets.h: drawing pieces shared by the screens: text clipped and
 * aligned by display width (a Chinese character is two cells), the frame
 * of every screen (title bar, hint line, status line, key bar, all from
 * the state and the key map), forms, bars, big letters. UI thread only,
 * between term_init and term_end.
 */
#ifndef BOXOFFICE_TUI_WIDGETS_H
#define BOXOFFICE_TUI_WIDGETS_H

#include "app.h"

/* Display width of UTF-8 text in cells. */
int wd_width(const char *s);
/* Draw s at (y, x) clipped to w cells; returns cells drawn. */
int wd_text(int y, int x, int w, const char *s);
/* The same, padded with spaces to exactly w cells. */
void wd_pad(int y, int x, int w, const char *s);
/* Right-aligned in w cells. */
void wd_right(int y, int x, int w, const char *s);
/* A horizontal rule with an optional title: "─ Title ─────". */
void wd_rule(int y, const char *title);
/* Title bar, hint line, status line and key bar around the body. */
void wd_frame(const struct app *a, const char *section);
/* The open form as a box at row y (centred). */
void wd_form(const struct app *a, int y);
/* A bar of w cells filled frac (0..1). */
void wd_bar(int y, int x, int w, double frac);
/* Big block letters (the verdicts' letters, digits, ".", "-", space; 5 rows); returns the width
 * drawn. */
int wd_big(int y, int x, const char *upper_ascii);
/* Width that wd_big would draw. */
int wd_big_width(const char *upper_ascii);
/* First body row and the row after the last. */
int wd_body_top(void);
int wd_body_end(void);
/* A local time as "%H:%M" / "%Y-%m-%d %H:%M" into buf. */
const char *wd_time(int64_t t, const char *fmt, char *buf, unsigned len);

#endif
