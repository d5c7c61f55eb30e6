/* qr.c: libqrencode symbol to half-block text. */
#include "qr.h"

#include <string.h>

#include <qrencode.h>

#define QUIET 2

int qr_halfblock(const char *text, int light_filled, char *out, size_t outlen, int *width)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	size_t n = 0;
	int size, lines = 0, rc = -1;

	if (!q)
		return -1;
	size = q->width + 2 * QUIET;
	for (int y = 0; y < size; y += 2) {
		for (int x = 0; x < size; x++) {
			int top = 0, bot = 0;
			int qx = x - QUIET, qy = y - QUIET;
			const char *g;
			if (qx >= 0 && qx < q->width && qy >= 0 && qy < q->width)
				top = q->data[qy * q->width + qx] & 1;
			if (qx >= 0 && qx < q->width && qy + 1 >= 0 && qy + 1 < q->width)
				bot = q->data[(qy + 1) * q->width + qx] & 1;
			if (light_filled) {
				top = !top;
				bot = !bot;
				if (y + 1 >= size)
					bot = 0;
			}
			g = top && bot ? "█" : top ? "▀" : bot ? "▄" : " ";
			if (n + strlen(g) + 2 > outlen)
				goto out;
			memcpy(out + n, g, strlen(g));
			n += strlen(g);
		}
		out[n++] = '\n';
		lines++;
	}
	out[n] = '\0';
	if (width)
		*width = size;
	rc = lines;
out:
	QRcode_free(q);
	return rc;
}
