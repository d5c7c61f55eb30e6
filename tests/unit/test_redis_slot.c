/*
 * test_redis_slot.c: the Redis Cluster key slot (CRC16 of the key or of its
 * hash tag, as the cluster specification defines it) and the hash tags of
 * the keys that one script touches together.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cache/holds.h"
#include "cache/redis.h"
#include "cache/seatstate.h"
#include "core/ids.h"

static unsigned slot(const char *k)
{
	return redis_key_slot(k, strlen(k));
}

/* Values from the cluster specification and from CLUSTER KEYSLOT of redis-server 7.0. */
static void test_slot_of_known_keys(void **state)
{
	(void)state;
	assert_int_equal(slot("123456789"), 0x31C3); /* the spec's CRC16 check value */
	assert_int_equal(slot("foo"), 12182);
	assert_int_equal(slot("hello"), 866);
	assert_int_equal(slot(""), 0);
}

static void test_slot_of_hash_tags(void **state)
{
	(void)state;
	assert_int_equal(slot("{user1000}.following"), slot("{user1000}.followers"));
	assert_int_equal(slot("{user1000}.following"), slot("user1000"));
	/* only the first {...}; an empty one means the whole key */
	assert_int_equal(slot("foo{bar}{zap}"), slot("bar"));
	assert_int_equal(slot("foo{{bar}}zap"), slot("{bar"));
	assert_int_equal(slot("foo{}{bar}"), 8363); /* CLUSTER KEYSLOT foo{}{bar} */
	assert_int_equal(redis_key_slot("x{y}", 2), slot("x{"));
}

/* Every key a hold script gets (a screening's, its hold's, its shard's) shares one slot. */
static void test_hold_keys_share_their_screening_slot(void **state)
{
	char k[96];
	int64_t sid;

	(void)state;
	assert_int_equal(ids_init(3), 0);
	for (sid = 1; sid < 200; sid += 7) {
		int64_t hid = holds_new_id(sid);
		unsigned s;

		assert_true(hid > 0);
		SEATMAP_KEY(k, sizeof(k), SEATMAP_HOLDS_KEY, sid);
		s = slot(k);
		SEATMAP_KEY(k, sizeof(k), SEATMAP_VERSION_KEY, sid);
		assert_int_equal(slot(k), s);
		SEATMAP_KEY(k, sizeof(k), SEATMAP_FENCE_KEY, sid);
		assert_int_equal(slot(k), s);
		SEATMAP_KEY(k, sizeof(k), REDIS_SHARD_PREFIX "hold:%" PRId64, hid);
		assert_int_equal(slot(k), s);
		snprintf(k, sizeof(k), HOLDS_EXP_KEY, REDIS_SHARD(hid));
		assert_int_equal(slot(k), s);
		snprintf(k, sizeof(k), HOLDS_READY_KEY, REDIS_SHARD(sid));
		assert_int_equal(slot(k), s);
	}
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_slot_of_known_keys), cmocka_unit_test(test_slot_of_hash_tags),
	    cmocka_unit_test(test_hold_keys_share_their_screening_slot)};

	return cmocka_run_group_tests_name("redis key slots", tests, NULL, NULL);
}
