/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test driver for lib/load: start a background load between two namespaces,
 * let it run (or stop it early), print each stream's result and the JSON.
 *   load_ctl [--stop-after MS] SERVER_NS SERVER_ADDR CLIENT_NS udp|tcp STREAMS RATE_BPS SECONDS
 * A namespace given as agent:SOCKET is a guest, reached through its agent's socket.
 * Exit 0: every stream reported; 1: some did not; 2: the load was refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "log.h"

int main(int argc, char **argv)
{
	long stop_after_ms = -1;

	vnl_log_set_verb("load_ctl");
	if (argc > 2 && !strcmp(argv[1], "--stop-after")) {
		stop_after_ms = atol(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc != 8) {
		fprintf(stderr, "usage: load_ctl [--stop-after MS] SERVER_NS SERVER_ADDR CLIENT_NS "
				"udp|tcp STREAMS RATE_BPS SECONDS\n");
		return 2;
	}
	struct vnl_load_spec spec = {
		.server_netns = argv[1], .server_addr = argv[2], .client_netns = argv[3],
		.proto = !strcmp(argv[4], "tcp") ? VNL_LOAD_TCP : VNL_LOAD_UDP,
		.streams = (unsigned)atoi(argv[5]), .rate_bps = strtoull(argv[6], NULL, 10),
		.duration_ns = atoll(argv[7]) * 1000000000LL,
	};
	if (!strncmp(argv[1], "agent:", 6)) {
		spec.server_agent = argv[1] + 6;
		spec.server_netns = NULL;
	}
	if (!strncmp(argv[3], "agent:", 6)) {
		spec.client_agent = argv[3] + 6;
		spec.client_netns = NULL;
	}
	struct vnl_load *load = vnl_load_start(&spec);
	if (!load)
		return 2;
	printf("started\n");
	fflush(stdout);
	if (stop_after_ms >= 0)
		vnl_load_wait(load, stop_after_ms * 1000000LL);
	else if (vnl_load_wait(load, spec.duration_ns + 10 * 1000000000LL) != 0)
		fprintf(stderr, "load_ctl: clients still running 10 s after their time\n");

	struct vnl_load_result r;
	int rc = vnl_load_stop(load, &r);
	for (unsigned i = 0; i < r.streams; i++) {
		const struct vnl_load_stream *s = &r.stream[i];
		printf("stream %u ok=%d complete=%d sent_bps=%.0f received_bps=%.0f lost=%.2f%% %s\n",
		       s->port, s->ok, s->complete, s->sent_bps, s->received_bps, s->lost_percent,
		       s->error);
	}
	json_t *j = vnl_load_result_json(&r);
	char *text = json_dumps(j, JSON_COMPACT);
	printf("json %s\n", text ? text : "null");
	free(text);
	json_decref(j);
	return rc == 0 ? 0 : 1;
}
