/*
 * jsonguard.c: see jsonguard.h.
 */
#include "core/jsonguard.h"

#include <stdlib.h>

#include <cjson/cJSON.h>

static _Thread_local int failed;
static _Thread_local int fail_next;

static void *guarded_malloc(size_t n)
{
	void *p;

	if (fail_next > 0) {
		fail_next--;
		failed = 1;
		return NULL;
	}
	p = malloc(n);
	if (!p)
		failed = 1;
	return p;
}

void jsonguard_install(void)
{
	cJSON_Hooks h = {guarded_malloc, free};

	cJSON_InitHooks(&h);
}

void jsonguard_reset(void)
{
	failed = 0;
}

int jsonguard_failed(void)
{
	return failed;
}

void jsonguard_fail_next(int n)
{
	fail_next = n;
}
