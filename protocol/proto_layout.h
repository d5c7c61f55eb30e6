/*
 * proto_layout.h: hall layouts, seat ids and seat-map states (spec 4.3, 4.4).
 *
 * A layout is a list of row strings, row A first (nearest the screen), one
 * character per position:
 *   S standard, V VIP, W wheelchair, C companion, H house seat (sold only by
 *   staff), X blocked (never sold), '.' no seat (aisle, gap).
 * Rules (the server and the terminal client accept exactly the same):
 *   - 1 to PROTO_LAYOUT_MAX_ROWS rows of 0 to PROTO_LAYOUT_MAX_COLS positions;
 *   - only the characters above (upper case);
 *   - a row without a seat (all '.' or the empty string) is allowed: it is a
 *     cross aisle. It keeps its letter: row letters follow array positions,
 *     so row i is always letter 'A' + i and clients draw rows by index;
 *   - at least one sellable seat (a letter other than X) in the layout.
 * Seats are numbered per row from 1, left to right, counting every letter
 * (X too) and skipping '.'. A seat id is the row letter and the seat number
 * in canonical form: "C7". Lower case ("c7"), a leading zero ("C07"), seat 0,
 * two letters ("AA1") and numbers above PROTO_LAYOUT_MAX_COLS are refused.
 *
 * Pure functions, no I/O, no globals; any thread. Server, client and tests
 * link this one implementation.
 */
#ifndef BOXOFFICE_PROTO_LAYOUT_H
#define BOXOFFICE_PROTO_LAYOUT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define PROTO_LAYOUT_MAX_ROWS 26
#define PROTO_LAYOUT_MAX_COLS 60
/* Longest seat id plus NUL: "Z60". */
#define PROTO_SEAT_ID_SIZE 4
/* Longest layout as compact JSON text: 26 rows of 60 plus quotes, commas, brackets. */
#define PROTO_LAYOUT_JSON_MAX (PROTO_LAYOUT_MAX_ROWS * (PROTO_LAYOUT_MAX_COLS + 3) + 2)

/* Seat categories: the layout characters. */
#define PROTO_SEAT_STANDARD 'S'
#define PROTO_SEAT_VIP 'V'
#define PROTO_SEAT_WHEELCHAIR 'W'
#define PROTO_SEAT_COMPANION 'C'
#define PROTO_SEAT_HOUSE 'H'
#define PROTO_SEAT_BLOCKED 'X'
#define PROTO_SEAT_NONE '.'
/*
 * Every category a price may be given for (spec 4.4 "prices"). A house seat
 * H has none of its own: it costs the S price (spec 4.3).
 */
#define PROTO_SEAT_PRICED "SVWC"

/* Seat-map states of /screening/seats and seats.delta (spec 4.4, 6). */
#define PROTO_STATE_NONE '.'
#define PROTO_STATE_FREE 'f'
#define PROTO_STATE_HELD 'h'
#define PROTO_STATE_SOLD 's'
#define PROTO_STATE_BLOCKED 'x'
#define PROTO_STATE_HOUSE 'b'

/*
 * Screening status names (spec 4.4). They live here, next to the seat map,
 * until proto_wire.h carries them.
 */
#define PROTO_SCREENING_SCHEDULED "scheduled"
#define PROTO_SCREENING_CANCELLED "cancelled"

/* A parsed layout. Plain data (about 4 KiB): copy it, keep it on the stack. */
struct proto_layout {
	int nrows;
	int width[PROTO_LAYOUT_MAX_ROWS];  /* positions in the row */
	int nseats[PROTO_LAYOUT_MAX_ROWS]; /* letters in the row (highest seat number) */
	char rows[PROTO_LAYOUT_MAX_ROWS][PROTO_LAYOUT_MAX_COLS + 1]; /* NUL-terminated */
	/* col[r][n]: column (0-based) of seat number n (1..nseats[r]); [0] unused. */
	unsigned char col[PROTO_LAYOUT_MAX_ROWS][PROTO_LAYOUT_MAX_COLS + 1];
	int seats;    /* every letter */
	int sellable; /* every letter but X */
};

/*
 * Parse rows[0..nrows) into *l. Returns 0, or -1 with a short reason
 * ("row C: invalid character 'Q' at 4") in why (may be NULL) and *l
 * unspecified.
 */
int proto_layout_parse(struct proto_layout *l, const char *const *rows, int nrows, char *why,
                       size_t whylen);
/* The same from a JSON array of strings (anything else is refused). */
int proto_layout_from_json(struct proto_layout *l, const cJSON *arr, char *why, size_t whylen);
/* The same from JSON text (as stored in halls.layout). */
int proto_layout_from_text(struct proto_layout *l, const char *text, char *why, size_t whylen);
/* The layout as a new JSON array of strings (caller frees with cJSON_Delete); NULL on ENOMEM. */
cJSON *proto_layout_to_json(const struct proto_layout *l);
/*
 * The layout as compact JSON text into buf (at least PROTO_LAYOUT_JSON_MAX + 1
 * bytes). Returns the length, or -1 when buf is too small.
 */
int proto_layout_to_text(const struct proto_layout *l, char *buf, size_t buflen);
/* 1 when a and b have the same rows. */
int proto_layout_equal(const struct proto_layout *a, const struct proto_layout *b);

/*
 * Syntax of a seat id, independent of any layout: *row 0..25, *number
 * 1..PROTO_LAYOUT_MAX_COLS. Returns 0, or -1 for anything not canonical.
 */
int proto_seat_parse(const char *id, int *row, int *number);
/* Write "C7" for (2, 7) into out (PROTO_SEAT_ID_SIZE bytes). Returns 0, or -1 out of range. */
int proto_seat_format(int row, int number, char out[PROTO_SEAT_ID_SIZE]);

/*
 * Find a seat of the layout. Returns 0 with *row, *col (0-based position in
 * the row string) and *category (the layout letter) set (each may be NULL),
 * or -1 when the id is malformed or names no seat of this layout.
 */
int proto_layout_lookup(const struct proto_layout *l, const char *id, int *row, int *col,
                        char *category);
/* Seat number at (row, col), or 0 when that position is '.' or out of range. */
int proto_layout_number_at(const struct proto_layout *l, int row, int col);
/* 1 when category c can be sold at all (a letter other than X). */
int proto_seat_sellable(char c);

#endif
