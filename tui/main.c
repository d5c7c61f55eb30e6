/*
 * main.c: boxoffice, the cashier and admin terminal client. Reads the
 * settings, starts the network thread and the terminal, then runs the UI
 * loop: keys and network events go to the actions, the outbox goes to the
 * network, and the current screen is redrawn when something changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "actions.h"
#include "app.h"
#include "i18n.h"
#include "net.h"
#include "printout.h"
#include "screens.h"
#include "settings.h"
#include "term.h"

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void flush_outbox(struct app *a, struct net *n)
{
	struct app_req r;

	while (app_take_request(a, &r) == 0) {
		if (a->inflight == 0)
			a->busy_since_ms = a->now_ms;
		a->inflight++;
		net_submit(n, r.tag, r.ctx, r.path, a->token, r.body);
	}
}

static int drain_events(struct app *a, struct net *n)
{
	struct net_event ev;
	int dirty = 0;

	while (net_poll(n, &ev) == 0) {
		switch (ev.kind) {
		case NET_EV_HTTP:
			dirty |= actions_response(a, (enum req_tag)ev.tag, ev.ctx, ev.status,
			                          ev.body, ev.err);
			break;
		case NET_EV_WS_MSG:
			dirty |= actions_ws_message(a, ev.body ? ev.body : "");
			break;
		case NET_EV_WS_UP:
			dirty |= actions_ws_state(a, 1);
			break;
		case NET_EV_WS_DOWN:
			dirty |= actions_ws_state(a, 0);
			break;
		}
		net_event_release(&ev);
	}
	return dirty;
}

int main(int argc, char **argv)
{
	struct settings s;
	struct app *a = NULL;
	struct net *n = NULL;
	char err[512];
	int rc = 1, dirty = 1;
	int64_t last_tick = 0, ws_screening = -1;
	char ws_token[1024] = "";

	switch (settings_load(&s, argc, argv, err, sizeof(err))) {
	case 1:
		fputs(err, stdout);
		return 0;
	case -1:
		fprintf(stderr, "boxoffice: %s\n", err);
		return 2;
	default:
		break;
	}
	if (s.log[0] && !freopen(s.log, "a", stderr)) {
		fprintf(stdout, "boxoffice: cannot open log '%s'\n", s.log);
		return 2;
	}
	i18n_choose(s.lang);
	printout_config(s.printer, s.ticket_dir);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "boxoffice: cannot initialise libcurl\n");
		return 1;
	}
	if (!(a = malloc(sizeof(*a)))) {
		fprintf(stderr, "boxoffice: out of memory\n");
		goto out;
	}
	app_init(a);
	if (!(n = net_new(s.url, err, sizeof(err)))) {
		fprintf(stderr, "boxoffice: %s\n", err);
		goto out;
	}
	if (term_init() < 0) {
		fprintf(stderr, "boxoffice: cannot start the terminal\n");
		goto out;
	}
	a->now = (int64_t)time(NULL);
	a->now_ms = mono_ms();
	actions_go(a, SCR_LOGIN);
	if (s.mobile[0]) {
		snprintf(a->form.f[0].value, sizeof(a->form.f[0].value), "%s", s.mobile);
		a->form.cur = 1;
	}

	while (a->running) {
		int key;
		int64_t want;

		a->now = (int64_t)time(NULL);
		a->now_ms = mono_ms();
		flush_outbox(a, n);
		want = (a->screen == SCR_SEATS || a->screen == SCR_PAY) ? a->ws_want : 0;
		if (want != ws_screening || strcmp(ws_token, a->token)) {
			ws_screening = want;
			snprintf(ws_token, sizeof(ws_token), "%s", a->token);
			net_ws_want(n, a->token, want);
		}
		if (a->ws_resub) {
			a->ws_resub = 0;
			net_ws_resubscribe(n);
		}
		if (a->inflight > 0 && a->now_ms - a->busy_since_ms >= 150)
			dirty = 1; /* the spinner turns */
		if (dirty) {
			screens_draw(a);
			dirty = 0;
		}
		key = term_key(50);
		a->now_ms = mono_ms();
		if (key >= 0)
			dirty |= actions_key(a, key);
		dirty |= drain_events(a, n);
		if (a->now_ms - last_tick >= 500) {
			last_tick = a->now_ms;
			dirty |= actions_tick(a);
		}
	}
	/* a hold left behind is released before leaving; wait a moment for it */
	flush_outbox(a, n);
	for (int64_t end = mono_ms() + 1000; a->inflight > 0 && mono_ms() < end;) {
		drain_events(a, n);
		flush_outbox(a, n);
		usleep(20000);
	}
	rc = 0;
out:
	term_end();
	net_free(n);
	if (a) {
		memset(a->token, 0, sizeof(a->token));
		app_release(a);
		free(a);
	}
	curl_global_cleanup();
	return rc;
}
