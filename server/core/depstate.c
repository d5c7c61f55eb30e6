/*
 * depstate.c: see depstate.h.
 */
#include "core/depstate.h"

#include "core/log.h"

void depstate_fail(struct depstate *d, const char *addr, const char *why)
{
	int was = 0;

	atomic_fetch_add(&d->failed, 1);
	if (atomic_compare_exchange_strong(&d->down, &was, 1))
		log_warn("%s '%s' is down: %s", d->name, addr, why);
}

void depstate_ok(struct depstate *d, const char *addr)
{
	int was = 1;

	if (atomic_load_explicit(&d->down, memory_order_relaxed) == 0)
		return;
	if (atomic_compare_exchange_strong(&d->down, &was, 0))
		log_info("%s '%s' is back; %ld calls failed while it was down", d->name, addr,
		         atomic_exchange(&d->failed, 0));
}

int depstate_is_down(const struct depstate *d)
{
	return atomic_load(&d->down);
}
