/*
 * kbroker: the embedded Kafka broker (librdkafka's mock cluster) as its own
 * small process, so that what boxofficed acknowledged (an order answered
 * pending, a callback answered 200) survives a crash of the daemon: the
 * messages live here, not in the daemon. It keeps them in memory, so they
 * do not survive a crash of kbroker itself; production points kafka_brokers
 * at a real cluster (acks=all) instead.
 *
 *   kbroker --bootstrap-file PATH [--topic-prefix boxoffice.] [--pid-file PATH]
 *
 * It creates the topics of spec 5 under the prefix, writes its address
 * ("127.0.0.1:PORT") to PATH (atomically) and runs until SIGTERM or SIGINT.
 * boxofficed started with kafka_broker_file=PATH (and kafka_brokers empty)
 * connects to it, also after a restart. Consumer group offsets live here
 * too, so a restarted daemon resumes after the last committed message.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "queue/kq.h"

static void usage(void)
{
	fprintf(stderr, "usage: kbroker --bootstrap-file PATH [--topic-prefix PREFIX] "
	                "[--pid-file PATH]\n");
}

int main(int argc, char **argv)
{
	const char *file = NULL, *prefix = "boxoffice.", *pid_file = NULL;
	char msg[512];
	sigset_t set;
	int i, sig = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--bootstrap-file") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strcmp(argv[i], "--topic-prefix") == 0 && i + 1 < argc)
			prefix = argv[++i];
		else if (strcmp(argv[i], "--pid-file") == 0 && i + 1 < argc)
			pid_file = argv[++i];
		else {
			usage();
			return 2;
		}
	}
	if (!file) {
		usage();
		return 2;
	}
	/* Block the stop signals before librdkafka starts its threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (kq_broker_start(prefix, file, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "kbroker: %s\n", msg);
		return 1;
	}
	if (pid_file) {
		FILE *f = fopen(pid_file, "w");

		if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
			fprintf(stderr, "kbroker: cannot write '%s'\n", pid_file);
			kq_stop();
			return 1;
		}
	}
	log_info("kbroker: embedded kafka at %s (topics '%s*'), address in %s", kq_broker_address(),
	         prefix, file);
	sigwait(&set, &sig);
	log_info("kbroker: signal %d, stopping", sig);
	kq_stop();
	return 0;
}
