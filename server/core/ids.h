/*
 * ids.h: distributed 53-bit ids: milliseconds since 2025-01-01 UTC (39 bits),
 * node id (6 bits), sequence within the millisecond (8 bits). Unique across
 * instances with distinct node ids, never 0, always below 2^53. Any thread.
 */
#ifndef BOXOFFICE_CORE_IDS_H
#define BOXOFFICE_CORE_IDS_H

#include <stdint.h>

#define IDS_EPOCH_MS INT64_C(1735689600000)
#define IDS_NODE_BITS 6
#define IDS_SEQ_BITS 8

/* Set the node id (0..63). Returns 0 or -1 out of range. */
int ids_init(int node_id);
/* A new id. Waits for the next millisecond when a millisecond's 256 are used;
 * a clock that steps back keeps using the last millisecond seen. */
int64_t ids_next(void);
/* The parts of an id (tests, debugging). */
int64_t ids_time_ms(int64_t id);
int ids_node(int64_t id);

#endif
