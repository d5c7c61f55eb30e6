/* test_ids.c: 53-bit distributed ids: uniqueness across threads, bounds, layout. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/ids.h"

#define NTHREADS 4
#define PER_THREAD 25000
#define MAX_ID ((INT64_C(1) << 53) - 1)

struct batch {
	int64_t *ids;
	int n;
};

static void *take_ids(void *arg)
{
	struct batch *b = arg;
	int i;

	for (i = 0; i < b->n; i++)
		b->ids[i] = ids_next();
	return NULL;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_ids_unique_across_threads(void **state)
{
	pthread_t th[NTHREADS];
	struct batch b[NTHREADS];
	int64_t *all;
	int i, j;

	(void)state;
	assert_int_equal(ids_init(5), 0);
	all = calloc(NTHREADS * PER_THREAD, sizeof(*all));
	assert_non_null(all);
	for (i = 0; i < NTHREADS; i++) {
		b[i].ids = all + i * PER_THREAD;
		b[i].n = PER_THREAD;
		assert_int_equal(pthread_create(&th[i], NULL, take_ids, &b[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	/* Each thread sees its own ids strictly increasing. */
	for (i = 0; i < NTHREADS; i++) {
		for (j = 1; j < PER_THREAD; j++)
			assert_true(b[i].ids[j] > b[i].ids[j - 1]);
	}
	qsort(all, NTHREADS * PER_THREAD, sizeof(*all), cmp_id);
	for (i = 0; i < NTHREADS * PER_THREAD; i++) {
		assert_true(all[i] > 0);
		assert_true(all[i] <= MAX_ID);
		assert_int_equal(ids_node(all[i]), 5);
		if (i > 0 && all[i] == all[i - 1])
			fail_msg("id %lld given twice", (long long)all[i]);
	}
	free(all);
}

static void test_ids_bounds_and_time(void **state)
{
	int64_t before, after, id;

	(void)state;
	assert_int_equal(ids_init(0), 0);
	before = wall_ms();
	id = ids_next();
	after = wall_ms();
	assert_true(id > 0);
	assert_true(id <= MAX_ID);
	/* An id may sit on a millisecond already used (the sequence ran out, or
	 * the clock stepped back), never in the future. */
	assert_true(ids_time_ms(id) <= after + 1);
	assert_true(ids_time_ms(id) >= before - 1000);
	assert_true(ids_time_ms(id) > IDS_EPOCH_MS);
}

static void test_ids_node_bits(void **state)
{
	int node;
	int64_t id, prev = 0;

	(void)state;
	for (node = 0; node <= 63; node++) {
		assert_int_equal(ids_init(node), 0);
		id = ids_next();
		assert_int_equal(ids_node(id), node);
		assert_true(id > prev);
		prev = id;
	}
	assert_int_equal(ids_init(64), -1);
	assert_int_equal(ids_init(-1), -1);
	/* A refused node id leaves the last one in place. */
	assert_int_equal(ids_node(ids_next()), 63);
}

static void test_ids_layout(void **state)
{
	int64_t id =
	    ((INT64_C(1000) << (IDS_NODE_BITS + IDS_SEQ_BITS)) | (INT64_C(42) << IDS_SEQ_BITS) | 7);

	(void)state;
	assert_int_equal(ids_node(id), 42);
	assert_int_equal(ids_time_ms(id), IDS_EPOCH_MS + 1000);
	assert_int_equal(IDS_NODE_BITS + IDS_SEQ_BITS, 14);
}

static void test_ids_sequence_overflow_moves_to_next_ms(void **state)
{
	int64_t ids[1000];
	int i, same = 1, max_same = 1;

	(void)state;
	assert_int_equal(ids_init(1), 0);
	for (i = 0; i < 1000; i++)
		ids[i] = ids_next();
	for (i = 1; i < 1000; i++) {
		assert_true(ids[i] > ids[i - 1]);
		if (ids_time_ms(ids[i]) == ids_time_ms(ids[i - 1])) {
			same++;
			if (same > max_same)
				max_same = same;
		} else {
			same = 1;
		}
	}
	assert_true(max_same <= 1 << IDS_SEQ_BITS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ids_unique_across_threads),
	    cmocka_unit_test(test_ids_bounds_and_time),
	    cmocka_unit_test(test_ids_node_bits),
	    cmocka_unit_test(test_ids_layout),
	    cmocka_unit_test(test_ids_sequence_overflow_moves_to_next_ms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
