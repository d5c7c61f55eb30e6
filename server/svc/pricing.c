/*
 * pricing.c: see pricing.h.
 */
#include "svc/pricing.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_layout.h"

_Static_assert(sizeof(PROTO_SEAT_PRICED) - 1 == PRICING_NCAT, "one price slot per category");

static int category_index(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(PROTO_SEAT_PRICED, c);
	return p ? (int)(p - PROTO_SEAT_PRICED) : -1;
}

/* An integer JSON number within [min, max]. */
static int int_value(const cJSON *v, int64_t min, int64_t max, int64_t *out)
{
	double d;
	int64_t i;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	if (!(d >= (double)min && d <= (double)max))
		return -1;
	i = (int64_t)d;
	if ((double)i != d)
		return -1;
	*out = i;
	return 0;
}

static int type_name_ok(const char *s)
{
	size_t n = 0;

	if (!s)
		return 0;
	for (; s[n]; n++)
		if (s[n] < 'a' || s[n] > 'z')
			return 0;
	return n >= 1 && n <= PRICING_TYPE_MAX;
}

static int parse_prices(struct pricing *p, const cJSON *prices)
{
	const cJSON *it;

	if (!prices || cJSON_IsNull(prices))
		return 0;
	if (!cJSON_IsObject(prices))
		return -1;
	cJSON_ArrayForEach(it, prices)
	{
		int64_t v;
		int k;

		if (!it->string || strlen(it->string) != 1)
			return -1;
		k = category_index(it->string[0]);
		if (k < 0 || p->has[k])
			return -1;
		if (int_value(it, 0, PRICING_MAX_PRICE, &v) < 0)
			return -1;
		p->price[k] = v;
		p->has[k] = 1;
	}
	return 0;
}

static int parse_discounts(struct pricing *p, const cJSON *discounts)
{
	const cJSON *it;
	int adult_seen = 0;

	if (!discounts || cJSON_IsNull(discounts))
		return 0;
	if (!cJSON_IsObject(discounts))
		return -1;
	cJSON_ArrayForEach(it, discounts)
	{
		int64_t v;
		int i;

		if (!type_name_ok(it->string))
			return -1;
		if (int_value(it, 0, 100, &v) < 0)
			return -1;
		if (strcmp(it->string, PRICING_ADULT) == 0) {
			if (v != 0 || adult_seen)
				return -1;
			adult_seen = 1;
			continue;
		}
		for (i = 0; i < p->ntypes; i++)
			if (strcmp(p->types[i].name, it->string) == 0)
				return -1;
		if (p->ntypes == PRICING_MAX_TYPES)
			return -1;
		snprintf(p->types[p->ntypes].name, sizeof(p->types[0].name), "%s", it->string);
		p->types[p->ntypes].pct = (int)v;
		p->ntypes++;
	}
	return 0;
}

int pricing_init(struct pricing *p, const cJSON *prices, const cJSON *discounts,
                 int64_t film_amount)
{
	memset(p, 0, sizeof(*p));
	p->film_amount = film_amount;
	if (parse_prices(p, prices) < 0 || parse_discounts(p, discounts) < 0)
		return -1;
	return 0;
}

int pricing_check_prices(const cJSON *prices)
{
	struct pricing p;

	return pricing_init(&p, prices, NULL, 0);
}

int pricing_check_discounts(const cJSON *discounts)
{
	struct pricing p;

	return pricing_init(&p, NULL, discounts, 0);
}

int pricing_init_text(struct pricing *p, const char *prices, const char *discounts,
                      int64_t film_amount)
{
	cJSON *pj = NULL, *dj = NULL;
	int rc = -1;

	if (prices && prices[0] && !(pj = cJSON_Parse(prices)))
		goto out;
	if (discounts && discounts[0] && !(dj = cJSON_Parse(discounts)))
		goto out;
	rc = pricing_init(p, pj, dj, film_amount);
out:
	cJSON_Delete(pj);
	cJSON_Delete(dj);
	return rc;
}

/*
 * Append to buf (cap bytes, *n used) what fmt prints. Returns 0, or -1 when
 * it does not fit (or snprintf fails): the caller then gives up, rather than
 * storing a cut object.
 */
static int append(char *buf, size_t cap, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int append(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n >= cap)
		return -1;
	va_start(ap, fmt);
	k = vsnprintf(buf + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= cap - *n)
		return -1;
	*n += (size_t)k;
	return 0;
}

char *pricing_prices_text(const struct pricing *p)
{
	char buf[PRICING_PRICES_TEXT_MAX];
	size_t n = 0;
	int k;

	if (append(buf, sizeof(buf), &n, "{") < 0)
		return NULL;
	for (k = 0; k < PRICING_NCAT; k++) {
		if (!p->has[k])
			continue;
		if (append(buf, sizeof(buf), &n, "%s\"%c\":%lld", n > 1 ? "," : "",
		           PROTO_SEAT_PRICED[k], (long long)p->price[k]) < 0)
			return NULL;
	}
	if (append(buf, sizeof(buf), &n, "}") < 0)
		return NULL;
	return strdup(buf);
}

char *pricing_discounts_text(const struct pricing *p)
{
	char buf[PRICING_DISCOUNTS_TEXT_MAX];
	size_t n = 0;
	int i;

	if (append(buf, sizeof(buf), &n, "{") < 0)
		return NULL;
	for (i = 0; i < p->ntypes; i++)
		if (append(buf, sizeof(buf), &n, "%s\"%s\":%d", i ? "," : "", p->types[i].name,
		           p->types[i].pct) < 0)
			return NULL;
	if (append(buf, sizeof(buf), &n, "}") < 0)
		return NULL;
	return strdup(buf);
}

int pricing_seat(const struct pricing *p, char category, int64_t *price)
{
	int k;

	if (category == PROTO_SEAT_HOUSE)
		category = PROTO_SEAT_STANDARD;
	k = category_index(category);
	if (k < 0)
		return -1;
	*price = p->has[k] ? p->price[k] : p->film_amount;
	return 0;
}

int pricing_discount(const struct pricing *p, const char *ticket_type, int *pct)
{
	int i;

	if (!ticket_type)
		return -1;
	if (strcmp(ticket_type, PRICING_ADULT) == 0) {
		*pct = 0;
		return 0;
	}
	for (i = 0; i < p->ntypes; i++)
		if (strcmp(p->types[i].name, ticket_type) == 0) {
			*pct = p->types[i].pct;
			return 0;
		}
	return -1;
}

int64_t pricing_apply(int64_t price, int pct)
{
	if (pct < 0)
		pct = 0;
	if (pct > 100)
		pct = 100;
	/* Exact in int64 for any price up to 9e16; prices are at most 1e9. */
	return (price * (100 - pct) + 50) / 100;
}

int pricing_ticket(const struct pricing *p, char category, const char *ticket_type, int64_t *price)
{
	int64_t base;
	int pct;

	if (pricing_seat(p, category, &base) < 0 || pricing_discount(p, ticket_type, &pct) < 0)
		return -1;
	*price = pricing_apply(base, pct);
	return 0;
}
