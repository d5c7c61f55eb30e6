#include "core/ids.h"

#include <pthread.h>
#include <time.h>

#include "core/log.h"

#define TIME_BITS (53 - IDS_NODE_BITS - IDS_SEQ_BITS)
#define MAX_TIME ((INT64_C(1) << TIME_BITS) - 1)
#define MAX_NODE ((1 << IDS_NODE_BITS) - 1)
#define MAX_SEQ ((1 << IDS_SEQ_BITS) - 1)

/* Held for a few instructions, or for under a millisecond when a
 * millisecond's sequence is used up. */
static pthread_mutex_t ids_lock = PTHREAD_MUTEX_INITIALIZER;
static int node;
static int64_t last_ms; /* since IDS_EPOCH_MS, of the last id given */
static int seq;

int ids_init(int node_id)
{
	if (node_id < 0 || node_id > MAX_NODE)
		return -1;
	pthread_mutex_lock(&ids_lock);
	node = node_id;
	pthread_mutex_unlock(&ids_lock);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	int64_t ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - IDS_EPOCH_MS;
	/* A clock before 2025 is wrong; 1 keeps ids positive and never 0. */
	return ms < 1 ? 1 : ms;
}

int64_t ids_next(void)
{
	struct timespec pause = {0, 50 * 1000};
	int64_t ms, id;

	pthread_mutex_lock(&ids_lock);
	ms = now_ms();
	if (ms < last_ms)
		ms = last_ms; /* the clock stepped back: stay on the last millisecond */
	if (ms == last_ms) {
		if (seq < MAX_SEQ) {
			seq++;
		} else if (now_ms() < last_ms) {
			/* Used up while the clock is behind: waiting could take as
			 * long as the step back, so borrow the next millisecond. */
			ms = ++last_ms;
			seq = 0;
		} else {
			while ((ms = now_ms()) <= last_ms)
				nanosleep(&pause, NULL);
			seq = 0;
		}
	} else {
		seq = 0;
	}
	last_ms = ms;
	if (ms > MAX_TIME) {
		/* 2^39 ms after 2025-01-01 is in 2042: the id layout must change
		 * before then. An id of -1 fails loudly rather than colliding. */
		pthread_mutex_unlock(&ids_lock);
		log_error("cannot make an id: the clock is past the 39-bit id epoch");
		return -1;
	}
	id = (ms << (IDS_NODE_BITS + IDS_SEQ_BITS)) | ((int64_t)node << IDS_SEQ_BITS) | seq;
	pthread_mutex_unlock(&ids_lock);
	return id;
}

int64_t ids_time_ms(int64_t id)
{
	return (id >> (IDS_NODE_BITS + IDS_SEQ_BITS)) + IDS_EPOCH_MS;
}

int ids_node(int64_t id)
{
	return (int)((id >> IDS_SEQ_BITS) & MAX_NODE);
}
