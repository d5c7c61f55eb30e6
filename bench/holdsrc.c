/*
 * holdsrc.c: prints the Lua text of the seat-hold script (cache/holds.c),
 * so that bench/holds.sh can load the very script the daemon runs and
 * drive it with redis-benchmark EVALSHA.
 */
#include <stdio.h>

#include "cache/holds.h"

int main(void)
{
	fputs(holds_take_source(), stdout);
	return 0;
}
