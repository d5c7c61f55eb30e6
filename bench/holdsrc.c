/*
 * holdsrc.c: prints the Lua text of the seat-hold script (cache/holds.c),
 * so that bench/holds.sh can load the very script the daemon runs and
 * drive it with redis-benchmark EVALSHA.
 *
 * holdsrc --keys SID prints, one a line, the eight KEYS the daemon passes
 * to that script for screening SID (cache/holds.c holds_take), built from
 * the daemon's own key formats, so the reference runs on the key shapes
 * the daemon uses (bo:{sN}:...). The hold record's id is redis-benchmark's
 * placeholder __rand_int__, a fresh hold per call.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/holds.h"
#include "cache/seatstate.h"
#include "svc/sale_facts.h"

#define KEY_MAX 128

static int print_keys(int64_t sid)
{
	char k[KEY_MAX];
	size_t n;

	SEATMAP_KEY(k, sizeof(k), SEATMAP_HOLDS_KEY, sid);
	puts(k);
	SEATMAP_KEY(k, sizeof(k), SEATMAP_VERSION_KEY, sid);
	puts(k);
	SEATMAP_KEY(k, sizeof(k), SEATMAP_FENCE_KEY, sid);
	puts(k);
	SEATMAP_KEY(k, sizeof(k), HOLDS_UHELD_KEY, sid);
	puts(k);
	/* The record's key with id 0, its "0" then replaced by the placeholder. */
	snprintf(k, sizeof(k), HOLDS_RECORD_KEY, REDIS_SHARD(sid), (int64_t)0);
	n = strlen(k);
	printf("%.*s__rand_int__\n", (int)(n - 1), k);
	snprintf(k, sizeof(k), HOLDS_EXP_KEY, REDIS_SHARD(sid));
	puts(k);
	snprintf(k, sizeof(k), HOLDS_READY_KEY, REDIS_SHARD(sid));
	puts(k);
	puts(SALE_FACTS_GEN_KEY);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--keys"))
		return print_keys(strtoll(argv[2], NULL, 10));
	if (argc != 1) {
		fprintf(stderr, "usage: holdsrc [--keys SCREENING_ID]\n");
		return 2;
	}
	fputs(holds_take_source(), stdout);
	return 0;
}
