/*
 * qr.h: a ticket code as a QR symbol drawn with half blocks (two modules
 * per character cell: ▀ ▄ █ and space), made locally with libqrencode.
 * Pure (no curses, no I/O); any thread.
 */
#ifndef BOXOFFICE_TUI_QR_H
#define BOXOFFICE_TUI_QR_H

#include <stddef.h>

/*
 * Write the symbol of text (with a 2-module quiet zone) into out as UTF-8
 * lines ending in '\n'. light_filled = 1 draws the light modules as blocks
 * (right for light-on-dark terminals), 0 the dark ones (ink on paper).
 * Returns the number of lines (the width in cells in *width), or -1 when
 * the text cannot be encoded or out is too small.
 */
int qr_halfblock(const char *text, int light_filled, char *out, size_t outlen, int *width);

#endif
