/*
 * test_pricing.c: seat prices, discounts, rounding and the validation of
 * the prices/discounts objects of /screening/create (server/svc/pricing.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svc/pricing.h"

static int check_prices(const char *text)
{
	cJSON *v = cJSON_Parse(text);
	int rc;

	if (!v)
		fail_msg("test json '%s' does not parse", text);
	rc = pricing_check_prices(v);
	cJSON_Delete(v);
	return rc;
}

static int check_discounts(const char *text)
{
	cJSON *v = cJSON_Parse(text);
	int rc;

	if (!v)
		fail_msg("test json '%s' does not parse", text);
	rc = pricing_check_discounts(v);
	cJSON_Delete(v);
	return rc;
}

/* The price of a seat of category (pricing_seat must succeed). */
static int64_t seat_price(const struct pricing *p, char category)
{
	int64_t v = -1;

	assert_int_equal(pricing_seat(p, category, &v), 0);
	return v;
}

/* The price of a ticket of type on a seat of category (pricing_ticket must succeed). */
static int64_t ticket_price(const struct pricing *p, char category, const char *type)
{
	int64_t v = -1;

	assert_int_equal(pricing_ticket(p, category, type, &v), 0);
	return v;
}

static void test_pricing_seat_uses_category_price(void **state)
{
	struct pricing p;

	(void)state;
	assert_int_equal(pricing_init_text(&p, "{\"S\":4500,\"V\":6500,\"W\":4000}", "{}", 5000),
	                 0);
	assert_int_equal(seat_price(&p, 'S'), 4500);
	assert_int_equal(seat_price(&p, 'V'), 6500);
	assert_int_equal(seat_price(&p, 'W'), 4000);
}

static void test_pricing_missing_category_costs_film_amount(void **state)
{
	struct pricing p;

	(void)state;
	assert_int_equal(pricing_init_text(&p, "{\"V\":6500}", NULL, 5000), 0);
	assert_int_equal(seat_price(&p, 'S'), 5000);
	assert_int_equal(seat_price(&p, 'C'), 5000);
	assert_int_equal(pricing_init_text(&p, NULL, NULL, 3000), 0);
	assert_int_equal(seat_price(&p, 'V'), 3000);
}

static void test_pricing_house_seat_costs_standard_price(void **state)
{
	struct pricing p;

	(void)state;
	assert_int_equal(pricing_init_text(&p, "{\"S\":4500,\"V\":6500}", NULL, 5000), 0);
	assert_int_equal(seat_price(&p, 'H'), 4500);
	/* No S price: the film's amount. */
	assert_int_equal(pricing_init_text(&p, "{\"V\":6500}", NULL, 5000), 0);
	assert_int_equal(seat_price(&p, 'H'), 5000);
	/* With a discount, like any S seat. */
	assert_int_equal(pricing_init_text(&p, "{\"S\":4500}", "{\"child\":30}", 5000), 0);
	assert_int_equal(ticket_price(&p, 'H', "child"), 3150);
	/* H has no price of its own (spec 4.3): such a key is refused, not ignored. */
	assert_int_equal(pricing_init_text(&p, "{\"S\":4500,\"H\":0}", NULL, 5000), -1);
}

static void test_pricing_blocked_and_aisle_have_no_price(void **state)
{
	struct pricing p;
	int64_t v = 7;

	(void)state;
	assert_int_equal(pricing_init(&p, NULL, NULL, 5000), 0);
	assert_int_equal(pricing_seat(&p, 'X', &v), -1);
	assert_int_equal(pricing_seat(&p, '.', &v), -1);
	assert_int_equal(pricing_seat(&p, 's', &v), -1);
	assert_int_equal(pricing_seat(&p, '\0', &v), -1);
	assert_int_equal(v, 7);
}

static void test_pricing_discount_by_ticket_type(void **state)
{
	struct pricing p;
	int pct = -1;

	(void)state;
	assert_int_equal(
	    pricing_init_text(&p, "{\"S\":4500}", "{\"child\":30,\"senior\":20}", 5000), 0);
	assert_int_equal(pricing_discount(&p, "adult", &pct), 0);
	assert_int_equal(pct, 0);
	assert_int_equal(pricing_discount(&p, "child", &pct), 0);
	assert_int_equal(pct, 30);
	assert_int_equal(ticket_price(&p, 'S', "child"), 3150);
	assert_int_equal(ticket_price(&p, 'S', "senior"), 3600);
	assert_int_equal(ticket_price(&p, 'V', "adult"), 5000);
}

static void test_pricing_unknown_ticket_type_is_an_error(void **state)
{
	struct pricing p;
	int64_t v;
	int pct;

	(void)state;
	assert_int_equal(pricing_init_text(&p, NULL, "{\"child\":30}", 5000), 0);
	assert_int_equal(pricing_discount(&p, "student", &pct), -1);
	assert_int_equal(pricing_discount(&p, "Adult", &pct), -1);
	assert_int_equal(pricing_discount(&p, "", &pct), -1);
	assert_int_equal(pricing_discount(&p, NULL, &pct), -1);
	assert_int_equal(pricing_ticket(&p, 'S', "student", &v), -1);
	assert_int_equal(pricing_ticket(&p, 'X', "adult", &v), -1);
}

static void test_pricing_rounds_half_up(void **state)
{
	(void)state;
	assert_int_equal(pricing_apply(999, 50), 500);   /* 499.5 */
	assert_int_equal(pricing_apply(1001, 50), 501);  /* 500.5 */
	assert_int_equal(pricing_apply(1, 50), 1);       /* 0.5 */
	assert_int_equal(pricing_apply(1, 51), 0);       /* 0.49 */
	assert_int_equal(pricing_apply(3333, 33), 2233); /* 2233.11 */
	assert_int_equal(pricing_apply(4999, 15), 4249); /* 4249.15 */
	assert_int_equal(pricing_apply(4990, 15), 4242); /* 4241.5 */
	assert_int_equal(pricing_apply(4500, 0), 4500);
	assert_int_equal(pricing_apply(4500, 100), 0);
	assert_int_equal(pricing_apply(PRICING_MAX_PRICE, 1), 990000000);
	assert_int_equal(pricing_apply(4500, 150), 0);
	assert_int_equal(pricing_apply(4500, -5), 4500);
}

static void test_pricing_accepts_valid_prices(void **state)
{
	(void)state;
	assert_int_equal(check_prices("{}"), 0);
	assert_int_equal(check_prices("{\"S\":0,\"V\":1000000000,\"W\":1,\"C\":2}"), 0);
	assert_int_equal(check_prices("null"), 0);
	assert_int_equal(pricing_check_prices(NULL), 0);
}

static void test_pricing_refuses_invalid_prices(void **state)
{
	const char *bad[] = {
	    "[]",
	    "5",
	    "\"S\"",
	    "{\"X\":100}",
	    "{\"H\":100}",
	    "{\".\":100}",
	    "{\"s\":100}",
	    "{\"SV\":100}",
	    "{\"\":100}",
	    "{\"S\":-1}",
	    "{\"S\":1000000001}",
	    "{\"S\":1.5}",
	    "{\"S\":\"100\"}",
	    "{\"S\":null}",
	    "{\"S\":true}",
	    "{\"S\":1,\"S\":2}",
	    "{\"S\":1e300}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (check_prices(bad[i]) != -1)
			fail_msg("prices %s were accepted", bad[i]);
}

static void test_pricing_accepts_valid_discounts(void **state)
{
	(void)state;
	assert_int_equal(check_discounts("{}"), 0);
	assert_int_equal(check_discounts("{\"child\":30,\"senior\":20,\"staff\":100,\"x\":0}"), 0);
	assert_int_equal(check_discounts("{\"abcdefghijklmnopqrst\":5}"), 0);
	assert_int_equal(check_discounts("{\"adult\":0,\"child\":10}"), 0);
}

static void test_pricing_refuses_invalid_discounts(void **state)
{
	const char *bad[] = {
	    "[]",
	    "7",
	    "{\"adult\":10}",
	    "{\"Child\":10}",
	    "{\"child1\":10}",
	    "{\"abcdefghijklmnopqrstu\":5}",
	    "{\"\":5}",
	    "{\"child\":101}",
	    "{\"child\":-1}",
	    "{\"child\":2.5}",
	    "{\"child\":\"10\"}",
	    "{\"child\":1,\"child\":2}",
	    "{\"chi ld\":1}",
	    "{\"kid\\u00e9\":1}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (check_discounts(bad[i]) != -1)
			fail_msg("discounts %s were accepted", bad[i]);
}

static void test_pricing_refuses_too_many_ticket_types(void **state)
{
	char buf[1024];
	size_t n = 0;
	int i;

	(void)state;
	buf[n++] = '{';
	for (i = 0; i < PRICING_MAX_TYPES; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\"t%c\":1", i ? "," : "",
		                      'a' + i);
	snprintf(buf + n, sizeof(buf) - n, "}");
	assert_int_equal(check_discounts(buf), 0);
	buf[n] = '\0';
	snprintf(buf + n, sizeof(buf) - n, ",\"tz\":1}");
	assert_int_equal(check_discounts(buf), -1);
}

static void test_pricing_canonical_text(void **state)
{
	struct pricing p;
	char *t;

	(void)state;
	assert_int_equal(pricing_init_text(&p, "{\"C\":1,\"V\":6500,\"S\":4500}",
	                                   "{\"adult\":0,\"child\":30,\"senior\":20}", 0),
	                 0);
	t = pricing_prices_text(&p);
	assert_string_equal(t, "{\"S\":4500,\"V\":6500,\"C\":1}");
	free(t);
	t = pricing_discounts_text(&p);
	assert_string_equal(t, "{\"child\":30,\"senior\":20}");
	free(t);
	assert_int_equal(pricing_init(&p, NULL, NULL, 0), 0);
	t = pricing_prices_text(&p);
	assert_string_equal(t, "{}");
	free(t);
	t = pricing_discounts_text(&p);
	assert_string_equal(t, "{}");
	free(t);
	assert_int_equal(pricing_init_text(&p, "{\"S\":", NULL, 0), -1);
	assert_int_equal(pricing_init_text(&p, NULL, "{\"a\":200}", 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pricing_seat_uses_category_price),
	    cmocka_unit_test(test_pricing_missing_category_costs_film_amount),
	    cmocka_unit_test(test_pricing_house_seat_costs_standard_price),
	    cmocka_unit_test(test_pricing_blocked_and_aisle_have_no_price),
	    cmocka_unit_test(test_pricing_discount_by_ticket_type),
	    cmocka_unit_test(test_pricing_unknown_ticket_type_is_an_error),
	    cmocka_unit_test(test_pricing_rounds_half_up),
	    cmocka_unit_test(test_pricing_accepts_valid_prices),
	    cmocka_unit_test(test_pricing_refuses_invalid_prices),
	    cmocka_unit_test(test_pricing_accepts_valid_discounts),
	    cmocka_unit_test(test_pricing_refuses_invalid_discounts),
	    cmocka_unit_test(test_pricing_refuses_too_many_ticket_types),
	    cmocka_unit_test(test_pricing_canonical_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
