/* A scenario run (lib/sim.c) end to end: the frames of every wire decode
 * into the timeline that tells the same story as the simulator's own
 * agents; the same seed gives the same bytes; the capture written from the
 * run replays to the same selected pair and outcome. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtclab/capture.h"
#include "rtclab/events.h"
#include "rtclab/pcapng_writer.h"
#include "rtclab/scenario.h"
#include "rtclab/sim.h"
#include "rtclab/stun.h"
#include "rtclab/timeline.h"
#include "unit.h"

static struct rtclab_scenario *load(const char *path)
{
	FILE *f = fopen(path, "rb");
	CHECKF(f != NULL, "%s: cannot open (tests run from the source tree)", path);
	if (!f)
		return NULL;
	static char text[1 << 16];
	size_t n = fread(text, 1, sizeof text, f);
	fclose(f);
	struct rtclab_scenario *sc = rtclab_scenario_parse(text, n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	CHECKF(sc->n_problems == 0, "%s has %zu problems", path, sc->n_problems);
	return sc;
}

struct capture {
	EVP_MD_CTX *md;                /* SHA-256 of every frame, with its wire and time */
	uint64_t frames;
	struct rtclab_events *events;  /* into a timeline, when set */
	struct rtclab_timeline *tl;
	struct rtclab_pcapng_writer *w;
	struct rtclab_addr watch;      /* STUN requests sent from this address (any port) are counted */
	unsigned watch_requests;
};

static void on_frame(void *arg, unsigned wire, int64_t t, const uint8_t *frame, size_t len)
{
	struct capture *c = arg;
	EVP_DigestUpdate(c->md, &wire, sizeof wire);
	EVP_DigestUpdate(c->md, &t, sizeof t);
	EVP_DigestUpdate(c->md, frame, len);
	c->frames++;
	if (c->w)
		CU_ASSERT_EQUAL(rtclab_pcapng_writer_write(c->w, wire, t, frame, len), RTCLAB_PCAPNG_W_OK);
	if (c->events) {
		struct rtclab_packet p;
		memset(&p, 0, sizeof p);
		p.frame = c->frames;
		p.ts_ns = t;
		CU_ASSERT(rtclab_packet_decode(&p, RTCLAB_LINK_ETHERNET, frame, len, (uint32_t)len, NULL));
		p.interface = wire;
		struct rtclab_addr ip = p.src;
		ip.port = 0;
		struct rtclab_stun_msg m;
		if (c->watch.family != RTCLAB_FAMILY_NONE && rtclab_addr_equal(&ip, &c->watch) && p.l4 == RTCLAB_L4_UDP &&
		    rtclab_stun_decode(&m, p.payload.ptr, p.payload.len) == RTCLAB_STUN_OK && m.cls == RTCLAB_STUN_REQUEST)
			c->watch_requests++;
		rtclab_events_feed(c->events, &p);
		rtclab_timeline_advance(c->tl, t);
	}
}

/* Run sc with seed; the frames' digest in out (32 bytes); the timeline and
 * the capture file when asked. */
static unsigned watched_requests; /* of the last run: see struct capture's watch */
static struct rtclab_addr watched;

static struct rtclab_sim *run(const struct rtclab_scenario *sc, uint64_t seed, uint8_t out[32],
			      struct rtclab_timeline *tl, const char *pcapng)
{
	struct capture c = {0};
	c.watch = watched;
	c.md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(c.md, EVP_sha256(), NULL);
	if (tl) {
		c.tl = tl;
		c.events = rtclab_events_new(rtclab_timeline_event, tl, NULL);
	}
	struct rtclab_sim_hooks hooks = {on_frame, NULL, &c};
	struct rtclab_sim_options opts = {true, seed, 0, false};
	enum rtclab_sim_error e;
	char err[256];
	struct rtclab_sim *sim = rtclab_sim_new(sc, &opts, &hooks, &e, err, sizeof err);
	CHECKF(sim != NULL, "rtclab_sim_new: %s", err);
	if (sim && pcapng) {
		enum rtclab_pcapng_werr we;
		c.w = rtclab_pcapng_writer_open(pcapng, &we, err, sizeof err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c.w);
		for (unsigned i = 0; i < rtclab_sim_wire_count(sim); i++) {
			uint32_t id;
			CU_ASSERT_EQUAL(rtclab_pcapng_writer_add_interface(c.w, rtclab_sim_wire_name(sim, i),
									   rtclab_sim_wire_description(sim, i),
									   RTCLAB_LINK_ETHERNET, &id),
					RTCLAB_PCAPNG_W_OK);
			CU_ASSERT_EQUAL(id, i);
		}
	}
	if (sim)
		rtclab_sim_run(sim);
	unsigned dl = 0;
	EVP_DigestFinal_ex(c.md, out, &dl);
	EVP_MD_CTX_free(c.md);
	if (c.events) {
		rtclab_events_finish(c.events);
		rtclab_events_free(c.events);
		rtclab_timeline_finish(tl);
	}
	if (c.w)
		CU_ASSERT_EQUAL(rtclab_pcapng_writer_close(c.w, err, sizeof err), RTCLAB_PCAPNG_W_OK);
	CU_ASSERT(c.frames > 50);
	watched_requests = c.watch_requests;
	return sim;
}

static void test_story_matches_agents(void)
{
	struct rtclab_scenario *sc = load("scenarios/06-cone-to-cone.yaml");
	if (!sc)
		return;
	struct rtclab_timeline *tl = rtclab_timeline_new(NULL);
	uint8_t d[32];
	struct rtclab_sim *sim = run(sc, 1, d, tl, NULL);
	CU_ASSERT_FATAL(sim != NULL && rtclab_sim_result_count(sim) == 1);
	const struct rtclab_sim_result *r = rtclab_sim_result(sim, 0);
	CU_ASSERT(r->connected && r->has_pair && r->dtls_done);
	CU_ASSERT_EQUAL_FATAL(tl->n_sessions, 1);
	const struct rtclab_tl_session *s = tl->sessions[0];
	/* the timeline read from the wires names the pair the offerer's agent selected */
	CU_ASSERT(s->connected && s->selected.has);
	CU_ASSERT(rtclab_addr_equal(&s->selected.remote, &r->remote));
	CU_ASSERT_EQUAL(s->peers[0].role, RTCLAB_TL_OFFERER);
	CU_ASSERT(s->dtls.completed && s->dtls.setup_ok);
	CU_ASSERT_EQUAL(s->n_missing, 0);
	/* each signaling message once, though it crossed two wires */
	size_t offers = 0;
	for (size_t i = 0; i < s->n_steps; i++)
		offers += s->steps[i].kind == RTCLAB_TL_EV_OFFER;
	CU_ASSERT_EQUAL(offers, 2); /* A to the server, the server to B */
	for (size_t i = 0; i < s->n_pairs; i++)
		CU_ASSERT(s->pairs[i].n_auth_bad == 0 && s->pairs[i].n_auth_ok > 0);
	rtclab_sim_free(sim);
	rtclab_timeline_free(tl);
	rtclab_scenario_free(sc);
}

/* An ice-lite media server (RFC 8445 2.5): the browser controls and sends
 * every check, the server none, and both sides read the same pair. */
static void test_ice_lite_server(void)
{
	struct rtclab_scenario *sc = load("scenarios/22-ice-lite-server.yaml");
	if (!sc)
		return;
	CU_ASSERT_FATAL(sc->n_peers == 2 && sc->peers[1].ice.lite);
	watched = sc->peers[1].addrs[0];
	watched.port = 0;
	struct rtclab_timeline *tl = rtclab_timeline_new(NULL);
	uint8_t d[32];
	struct rtclab_sim *sim = run(sc, 1, d, tl, NULL);
	memset(&watched, 0, sizeof watched);
	CU_ASSERT_FATAL(sim != NULL && rtclab_sim_result_count(sim) == 1);
	CU_ASSERT_EQUAL(rtclab_sim_limit_count(sim), 0);
	const struct rtclab_sim_result *r = rtclab_sim_result(sim, 0);
	CU_ASSERT(r->connected && r->has_pair && r->dtls_done && !r->consent_lost);
	CU_ASSERT(r->local_type == RTCLAB_CAND_SRFLX && r->remote_type == RTCLAB_CAND_HOST);
	CU_ASSERT_EQUAL(r->controlling, r->offerer);
	CHECKF(watched_requests == 0, "the lite server sent %u STUN requests", watched_requests);
	CU_ASSERT_EQUAL_FATAL(tl->n_sessions, 1);
	const struct rtclab_tl_session *s = tl->sessions[0];
	CU_ASSERT(s->connected && s->selected.has && s->dtls.completed);
	CU_ASSERT(rtclab_addr_equal(&s->selected.remote, &r->remote));
	CU_ASSERT(s->peers[1].ice_lite && s->peers[1].checks_sent == 0 && s->peers[0].checks_sent > 0);
	CU_ASSERT_EQUAL(s->peers[0].ice_role, RTCLAB_TL_CONTROLLING);
	CU_ASSERT_EQUAL(s->peers[1].ice_role, RTCLAB_TL_CONTROLLED);
	CHECKF(s->n_missing == 0, "missing: %s", s->n_missing ? s->missing[0] : "");
	rtclab_sim_free(sim);
	rtclab_timeline_free(tl);
	rtclab_scenario_free(sc);
}

static void test_same_seed_same_bytes(void)
{
	struct rtclab_scenario *sc = load("scenarios/17-lossy-link.yaml");
	if (!sc)
		return;
	uint8_t a[32], b[32], c[32];
	rtclab_sim_free(run(sc, 7, a, NULL, NULL));
	rtclab_sim_free(run(sc, 7, b, NULL, NULL));
	rtclab_sim_free(run(sc, 8, c, NULL, NULL));
	CU_ASSERT(memcmp(a, b, 32) == 0);
	CU_ASSERT(memcmp(a, c, 32) != 0); /* the losses (and so the retransmissions) move */
	rtclab_scenario_free(sc);
}

/* The capture written from a run replays to the same pair and outcome. */
static void test_capture_replays_the_same(void)
{
	struct rtclab_scenario *sc = load("scenarios/08-symmetric-vs-symmetric-turn.yaml");
	if (!sc)
		return;
	char path[] = "/tmp/rtclab-sim-test-XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	struct rtclab_timeline *tl = rtclab_timeline_new(NULL);
	uint8_t d[32];
	struct rtclab_sim *sim = run(sc, 1, d, tl, path);
	CU_ASSERT_FATAL(sim != NULL);
	CU_ASSERT(rtclab_sim_result(sim, 0)->relayed);
	struct rtclab_timeline *rt = rtclab_timeline_new(NULL);
	struct rtclab_events *ev = rtclab_events_new(rtclab_timeline_event, rt, NULL);
	char err[RTCLAB_CAPTURE_ERRLEN];
	struct rtclab_capture *cap = rtclab_capture_open_file(path, err, sizeof err);
	CHECKF(cap != NULL, "%s", err);
	struct rtclab_packet p;
	while (cap && rtclab_capture_next(cap, &p, err, sizeof err) == RTCLAB_CAPTURE_PACKET)
		if (!p.fragment) {
			rtclab_events_feed(ev, &p);
			rtclab_timeline_advance(rt, p.ts_ns);
		}
	if (cap)
		rtclab_capture_close(cap);
	rtclab_events_finish(ev);
	rtclab_events_free(ev);
	rtclab_timeline_finish(rt);
	unlink(path);
	CU_ASSERT_EQUAL_FATAL(rt->n_sessions, tl->n_sessions);
	for (size_t i = 0; i < rt->n_sessions; i++) {
		const struct rtclab_tl_session *x = tl->sessions[i], *y = rt->sessions[i];
		CU_ASSERT(x->selected.has && y->selected.has);
		CU_ASSERT(rtclab_addr_equal(&x->selected.local, &y->selected.local));
		CU_ASSERT(rtclab_addr_equal(&x->selected.remote, &y->selected.remote));
		CU_ASSERT_EQUAL(x->selected.local_type, y->selected.local_type);
		CU_ASSERT_STRING_EQUAL(x->outcome, y->outcome);
		CU_ASSERT_EQUAL(x->n_steps, y->n_steps);
	}
	rtclab_timeline_free(rt);
	rtclab_timeline_free(tl);
	rtclab_sim_free(sim);
	rtclab_scenario_free(sc);
}

RTCLAB_SUITE(sim)
{
	static const struct unit_test tests[] = {
		{"a run's frames tell the story its agents lived", test_story_matches_agents},
		{"an ice-lite server: the browser sends every check, the server none", test_ice_lite_server},
		{"one seed, one run, byte for byte; another seed moves the losses", test_same_seed_same_bytes},
		{"the capture of a run replays to the same pair, outcome and steps", test_capture_replays_the_same},
		{NULL, NULL},
	};
	unit_add_suite("sim", tests);
}
