/*
 * proto_error.c: the error table of proto_error.h expanded into lookup arrays.
 */
#include "proto_error.h"

#include <string.h>

static const int err_status[] = {
#define PROTO_ERR_STATUS(name, status, slug, msg) status,
    PROTO_ERRORS(PROTO_ERR_STATUS)
#undef PROTO_ERR_STATUS
};

static const char *const err_slug[] = {
#define PROTO_ERR_SLUG(name, status, slug, msg) slug,
    PROTO_ERRORS(PROTO_ERR_SLUG)
#undef PROTO_ERR_SLUG
};

static const char *const err_message[] = {
#define PROTO_ERR_MESSAGE(name, status, slug, msg) msg,
    PROTO_ERRORS(PROTO_ERR_MESSAGE)
#undef PROTO_ERR_MESSAGE
};

_Static_assert(sizeof(err_status) / sizeof(err_status[0]) == PROTO_ERR__COUNT,
               "status table matches the enum");

/* An out-of-range value is a bug in the caller: answer it as "internal". */
static unsigned row(enum proto_err e)
{
	unsigned i = (unsigned)e;

	return i < PROTO_ERR__COUNT ? i : (unsigned)PROTO_ERR_INTERNAL;
}

int proto_err_status(enum proto_err e)
{
	return err_status[row(e)];
}

const char *proto_err_slug(enum proto_err e)
{
	return err_slug[row(e)];
}

const char *proto_err_message(enum proto_err e)
{
	return err_message[row(e)];
}

enum proto_err proto_err_from_slug(const char *slug)
{
	unsigned i;

	if (!slug)
		return PROTO_ERR__COUNT;
	for (i = 0; i < PROTO_ERR__COUNT; i++)
		if (strcmp(err_slug[i], slug) == 0)
			return (enum proto_err)i;
	return PROTO_ERR__COUNT;
}
