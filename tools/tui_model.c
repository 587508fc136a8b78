/* The model of the terminal UI: a timeline (rtclab/timeline.h) fed from a
 * capture file a slice at a time (so a large file shows its first screen at
 * once), from a live capture as packets arrive, or from a simulation run at
 * once; plus the bytes of the messages that made steps and the NAT
 * decisions of a simulation, which the timeline does not keep.
 *
 * Memory: the timeline is bounded by sessions, candidates, pairs and steps;
 * the payloads kept are those of STUN and signaling events that made a
 * step (at most TUI_MAX_PAYLOADS), so neither grows with media. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "rtclab/sim.h"
#include "tool.h"
#include "tui.h"

struct tui_loader {
	struct rtclab_capture *cap;        /* FILE, LIVE */
	struct rtclab_events *events;
	struct rtclab_packet pkt;
	bool done;
};

static void compact_payloads(struct tui_model *m);

/* How many times each key was seen: an open-addressing table. */
struct tui_count {
	uint64_t key; /* 0: empty */
	uint32_t n;
};

struct tui_counts {
	size_t cap, used;
	struct tui_count *v;
};

static bool counts_grow(struct tui_counts *c)
{
	size_t cap = c->cap ? 2 * c->cap : 1024;
	struct tui_count *v = calloc(cap, sizeof *v);
	if (!v)
		return false;
	for (size_t i = 0; i < c->cap; i++)
		if (c->v[i].key)
			for (size_t j = c->v[i].key & (cap - 1);; j = (j + 1) & (cap - 1))
				if (!v[j].key) {
					v[j] = c->v[i];
					break;
				}
	free(c->v);
	c->v = v;
	c->cap = cap;
	return true;
}

/* The count of key after this sighting (1 the first time); 0 when out of memory. */
static uint32_t count_key(struct tui_counts **cp, uint64_t key)
{
	if (!*cp && !(*cp = calloc(1, sizeof **cp)))
		return 0;
	struct tui_counts *c = *cp;
	if (2 * (c->used + 1) > c->cap && !counts_grow(c))
		return 0;
	for (size_t j = key & (c->cap - 1);; j = (j + 1) & (c->cap - 1)) {
		if (c->v[j].key == key)
			return c->v[j].n < UINT32_MAX ? ++c->v[j].n : UINT32_MAX;
		if (!c->v[j].key) {
			c->v[j].key = key;
			c->v[j].n = 1;
			c->used++;
			return 1;
		}
	}
}

static void counts_free(struct tui_counts *c)
{
	if (c)
		free(c->v);
	free(c);
}


/* --- what the timeline does not keep -------------------------------------------------- */

/* STUN, DTLS (outer or tunnelled) and signaling are kept whether or not they
 * made a step yet: the steps of STUN and TURN exchanges with servers are made
 * at the end of the input.  The subject of a Send or Data indication or of
 * ChannelData is what it carries; media is not kept. */
static const struct rtclab_demux_result *kept_subject(const struct rtclab_demux *d)
{
	const struct rtclab_demux_result *r = d->via == RTCLAB_TUNNEL_NONE ? &d->outer : &d->inner;
	return r->proto == RTCLAB_DEMUX_STUN || r->proto == RTCLAB_DEMUX_DTLS ? r : NULL;
}

/* FNV-1a, to key flows and decisions in a struct tui_counts */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ ((const uint8_t *)p)[i]) * 1099511628211ULL;
	return h;
}

static uint64_t fnv_addr(uint64_t h, const struct rtclab_addr *a)
{
	char text[RTCLAB_ADDR_STRLEN];
	rtclab_addr_format(a, text, sizeof text);
	return fnv(h, text, strlen(text) + 1); /* with its NUL: "a" then "bc" is not "ab" then "c" */
}

#define FNV_BASIS 14695981039346656037ULL

/* An array of n elements made room for one more (doubling); false when out of memory. */
static bool room_for_one(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t c = *cap ? 2 * *cap : 256;
	void *grown = realloc(*v, c * size);
	if (!grown)
		return false;
	*v = grown;
	*cap = c;
	return true;
}

static char *signal_text(const struct rtclab_event *ev, size_t *len)
{
	const struct rtclab_signal *sg = ev->signal;
	char *text = NULL;
	if (sg->is_json && sg->json)
		text = json_dumps(sg->json, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	else if (sg->n_items && sg->items[0].sdp_text)
		text = strndup(sg->items[0].sdp_text, sg->items[0].sdp_len);
	else if (sg->n_items && sg->items[0].candidate_text)
		text = strndup(sg->items[0].candidate_text, sg->items[0].candidate_len);
	if (text)
		*len = strlen(text);
	return text;
}

static void keep_payload(struct tui_model *m, const struct rtclab_event *ev)
{
	if (m->n_payloads >= TUI_MAX_PAYLOADS) {
		m->payloads_dropped++;
		return;
	}
	if (!room_for_one((void **)&m->payloads, &m->cap_payloads, m->n_payloads, sizeof *m->payloads)) {
		m->payloads_dropped++;
		return;
	}
	struct tui_payload p = {.frame = ev->frame, .l4 = ev->l4, .src = ev->src, .dst = ev->dst, .ts_ns = ev->ts_ns};
	if (ev->kind == RTCLAB_EVENT_SIGNAL) {
		p.kind = TUI_PL_SIGNAL;
		p.via = ev->via;
		p.bytes = (uint8_t *)signal_text(ev, &p.len);
	} else {
		p.kind = TUI_PL_DATAGRAM;
		const struct rtclab_bytes *b = &ev->demux->outer.bytes;
		p.len = b->len;
		p.bytes = malloc(b->len + 1);
		if (p.bytes) {
			memcpy(p.bytes, b->ptr, b->len);
			p.bytes[b->len] = 0;
		}
	}
	if (!p.bytes) {
		m->payloads_dropped++;
		return;
	}
	m->payloads[m->n_payloads++] = p;
}

/* The first TUI_PAYLOADS_PER_FLOW messages of a flow and type are kept
 * (STUN by method and class, DTLS by its first record's content type):
 * the ones steps show, not the keepalives, consent checks and data after. */
static bool flow_fresh(struct tui_model *m, const struct rtclab_event *ev, const struct rtclab_demux_result *r)
{
	const struct rtclab_demux *d = ev->demux;
	uint64_t h = fnv_addr(fnv_addr(FNV_BASIS, &ev->src), &ev->dst);
	if (d->via != RTCLAB_TUNNEL_NONE && d->has_peer) /* each peer through a relay is a flow of its own */
		h = fnv_addr(h, &d->peer);
	uint32_t type = r->proto == RTCLAB_DEMUX_STUN ? (uint32_t)r->u.stun.method << 2 | (uint32_t)r->u.stun.cls
		      : 0x10000u | (r->u.dtls.n_records ? r->u.dtls.records[0].content_type : 0u);
	uint32_t n = count_key(&m->flows_seen, fnv(h, &type, sizeof type) | 1);
	return n >= 1 && n <= TUI_PAYLOADS_PER_FLOW;
}

static void on_event(void *arg, const struct rtclab_event *ev)
{
	struct tui_model *m = arg;
	rtclab_timeline_event(m->tl, ev);
	const struct rtclab_demux_result *r =
		ev->kind == RTCLAB_EVENT_DATAGRAM && ev->demux ? kept_subject(ev->demux) : NULL;
	if (ev->kind == RTCLAB_EVENT_SIGNAL || (r && flow_fresh(m, ev, r)))
		keep_payload(m, ev);
}

/* The fields that make a packet decision "the same again". */
static uint64_t decision_key(const char *nat, const struct rtclab_nat_decision *d)
{
	uint32_t kind = d->kind, reason = d->reason;
	uint64_t id = d->has_mapping ? d->mapping.id : 0;
	uint64_t h = fnv(FNV_BASIS, nat, strlen(nat) + 1);
	h = fnv(fnv(fnv(h, &kind, sizeof kind), &reason, sizeof reason), &id, sizeof id);
	return fnv_addr(fnv_addr(h, &d->outside), &d->inside) | 1; /* 0 is an empty slot */
}

static void on_nat(void *arg, int64_t ts_ns, const char *nat_name, const struct rtclab_nat_decision *d)
{
	struct tui_model *m = arg;
	rtclab_timeline_nat(m->tl, ts_ns, nat_name, d);
	/* a refresh changes no table; a packet like one already kept adds nothing */
	if (d->kind == RTCLAB_NAT_MAPPING_REFRESHED)
		return;
	if (d->kind != RTCLAB_NAT_MAPPING_CREATED && d->kind != RTCLAB_NAT_MAPPING_EXPIRED &&
	    count_key(&m->nat_seen, decision_key(nat_name, d)) != 1)
		return;
	if (m->n_nat >= TUI_MAX_NAT_EVENTS) {
		m->nat_dropped++;
		return;
	}
	if (!room_for_one((void **)&m->nat, &m->cap_nat, m->n_nat, sizeof *m->nat)) {
		m->nat_dropped++;
		return;
	}
	struct tui_nat_event *e = &m->nat[m->n_nat++];
	e->ts_ns = ts_ns;
	snprintf(e->nat, sizeof e->nat, "%s", nat_name);
	e->d = *d;
}

/* --- opening ------------------------------------------------------------------------- */

static struct tui_model *model_new(enum tui_source source, const char *input, char *err, size_t errlen)
{
	struct tui_model *m = calloc(1, sizeof *m);
	if (m) {
		m->source = source;
		m->input = input;
		m->tl = rtclab_timeline_new(NULL);
		m->loader = calloc(1, sizeof *m->loader);
	}
	if (m && m->tl && m->loader)
		m->loader->events = rtclab_events_new(on_event, m, NULL);
	if (!m || !m->tl || !m->loader || !m->loader->events) {
		snprintf(err, errlen, "out of memory");
		tui_model_free(m);
		return NULL;
	}
	return m;
}

static bool set_filter(struct tui_model *m, const char *filter, char *err, size_t errlen)
{
	char why[RTCLAB_CAPTURE_ERRLEN];
	if (!filter || rtclab_capture_set_filter(m->loader->cap, filter, why, sizeof why))
		return true;
	snprintf(err, errlen, "--filter '%s': %s", filter, why);
	return false;
}

struct tui_model *tui_model_open_file(const char *path, const char *filter, char *err, size_t errlen)
{
	struct tui_model *m = model_new(TUI_SRC_FILE, path, err, errlen);
	if (!m)
		return NULL;
	m->loader->cap = rtclab_capture_open_file(path, err, errlen);
	if (!m->loader->cap || !set_filter(m, filter, err, errlen)) {
		tui_model_free(m);
		return NULL;
	}
	struct stat st;
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode))
		m->bytes_total = (uint64_t)st.st_size;
	return m;
}

struct tui_model *tui_model_open_live(const char *iface, const char *filter, char *err, size_t errlen)
{
	struct tui_model *m = model_new(TUI_SRC_LIVE, iface, err, errlen);
	if (!m)
		return NULL;
	m->loader->cap = rtclab_capture_open_live(iface, 0, false, err, errlen);
	if (!m->loader->cap || !set_filter(m, filter, err, errlen) ||
	    !rtclab_capture_set_nonblocking(m->loader->cap, err, errlen)) {
		tui_model_free(m);
		return NULL;
	}
	return m;
}

/* A simulation: every frame of every wire through the event stream. */
static void on_sim_frame(void *arg, unsigned wire, int64_t time_ns, const uint8_t *frame, size_t len)
{
	struct tui_model *m = arg;
	struct rtclab_packet *pkt = &m->loader->pkt;
	memset(pkt, 0, sizeof *pkt);
	pkt->frame = ++m->frames;
	pkt->ts_ns = time_ns;
	rtclab_packet_decode(pkt, RTCLAB_LINK_ETHERNET, frame, len, (uint32_t)len, NULL);
	pkt->interface = wire; /* the same 4-tuple may be on two LANs */
	rtclab_events_feed(m->loader->events, pkt);
	rtclab_timeline_advance(m->tl, time_ns);
}

struct tui_model *tui_model_open_scenario(const struct rtclab_scenario *sc, const char *name, bool has_seed,
					  uint64_t seed, char *err, size_t errlen)
{
	struct tui_model *m = model_new(TUI_SRC_SIM, name, err, errlen);
	if (!m)
		return NULL;
	m->scenario = sc;
	struct rtclab_sim_hooks hooks = {on_sim_frame, on_nat, m};
	struct rtclab_sim_options so = {has_seed, seed, 0, false};
	enum rtclab_sim_error e;
	struct rtclab_sim *sim = rtclab_sim_new(sc, &so, &hooks, &e, err, errlen);
	if (!sim) {
		tui_model_free(m);
		return NULL;
	}
	rtclab_sim_run(sim);
	rtclab_sim_free(sim);
	rtclab_events_finish(m->loader->events);
	rtclab_timeline_finish(m->tl);
	compact_payloads(m);
	m->finished = m->loader->done = true;
	return m;
}

bool tui_model_add_sdp(struct tui_model *m, const char *path, char *err, size_t errlen)
{
	size_t len;
	uint8_t *text = read_input(path, &len, err, errlen);
	if (!text)
		return false;
	char why[512];
	bool ok = rtclab_timeline_add_sdp(m->tl, (const char *)text, len, RTCLAB_SIGNAL_OTHER, RTCLAB_TL_DESC_FILE,
					  path, why, sizeof why);
	if (!ok)
		snprintf(err, errlen, "%s: %s", path, why);
	free(text);
	return ok;
}

bool tui_model_add_webrtc_internals(struct tui_model *m, const char *path, char *err, size_t errlen)
{
	json_error_t jerr;
	bool gz;
	json_t *dump = load_json_file(path, &jerr, &gz);
	if (!dump) {
		if (jerr.line > 0)
			snprintf(err, errlen, "%s%s:%d:%d: %s", path, gz ? " (once decompressed)" : "", jerr.line,
				 jerr.column, jerr.text);
		else
			snprintf(err, errlen, "%s: %s", path, jerr.text);
		return false;
	}
	char why[512];
	int n = rtclab_timeline_add_webrtc_internals(m->tl, dump, path, why, sizeof why);
	json_decref(dump);
	if (n < 0)
		snprintf(err, errlen, "%s: %s", path, why);
	else if (n == 0)
		snprintf(err, errlen, "%s: no offer or answer in it", path);
	return n > 0;
}

/* --- reading ------------------------------------------------------------------------- */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Keep only the payloads some step shows. */
static void compact_payloads(struct tui_model *m)
{
	size_t total = 0;
	for (size_t i = 0; i < m->tl->n_sessions; i++)
		total += m->tl->sessions[i]->n_steps;
	uint64_t *frames = malloc((total + 1) * sizeof *frames);
	if (!frames)
		return;
	size_t n = 0;
	for (size_t i = 0; i < m->tl->n_sessions; i++)
		for (size_t k = 0; k < m->tl->sessions[i]->n_steps; k++)
			frames[n++] = m->tl->sessions[i]->steps[k].frame;
	qsort(frames, n, sizeof *frames, cmp_u64);
	size_t out = 0;
	for (size_t i = 0; i < m->n_payloads; i++) {
		if (bsearch(&m->payloads[i].frame, frames, n, sizeof *frames, cmp_u64))
			m->payloads[out++] = m->payloads[i];
		else
			free(m->payloads[i].bytes);
	}
	m->n_payloads = out;
	free(frames);
}

static void finish(struct tui_model *m)
{
	struct tui_loader *l = m->loader;
	if (l->done)
		return;
	rtclab_events_finish(l->events);
	rtclab_timeline_finish(m->tl);
	compact_payloads(m);
	if (l->cap) {
		rtclab_capture_close(l->cap);
		l->cap = NULL;
	}
	l->done = m->finished = true;
}

bool tui_model_step(struct tui_model *m, int budget_ms)
{
	struct tui_loader *l = m->loader;
	if (l->done)
		return false;
	int64_t until = now_ms() + budget_ms;
	char err[RTCLAB_CAPTURE_ERRLEN];
	for (unsigned n = 0;; n++) {
		if ((n & 1023) == 1023 && now_ms() >= until)
			break;
		enum rtclab_capture_status s = rtclab_capture_next(l->cap, &l->pkt, err, sizeof err);
		if (s == RTCLAB_CAPTURE_NONE)
			return true; /* live: nothing waiting */
		if (s == RTCLAB_CAPTURE_ERROR)
			snprintf(m->error, sizeof m->error, "%s", err);
		if (s != RTCLAB_CAPTURE_PACKET) {
			finish(m);
			return false;
		}
		m->frames++;
		if (!l->pkt.fragment) { /* held back until its datagram is whole */
			rtclab_events_feed(l->events, &l->pkt);
			rtclab_timeline_advance(m->tl, l->pkt.ts_ns);
		}
	}
	int64_t pos = rtclab_capture_position(l->cap);
	if (pos >= 0)
		m->bytes_done = (uint64_t)pos;
	return true;
}

void tui_model_stop(struct tui_model *m)
{
	finish(m);
}

void tui_model_free(struct tui_model *m)
{
	if (!m)
		return;
	if (m->loader) {
		rtclab_events_free(m->loader->events);
		if (m->loader->cap)
			rtclab_capture_close(m->loader->cap);
		free(m->loader);
	}
	rtclab_timeline_free(m->tl);
	for (size_t i = 0; i < m->n_payloads; i++)
		free(m->payloads[i].bytes);
	free(m->payloads);
	free(m->nat);
	counts_free(m->nat_seen);
	counts_free(m->flows_seen);
	free(m);
}

/* --- lookups ------------------------------------------------------------------------- */

const struct tui_payload *tui_model_payloads(const struct tui_model *m, const struct rtclab_tl_step *st, size_t *n)
{
	*n = 0;
	if (!st->frame || m->n_payloads == 0)
		return NULL;
	/* payloads are in frame order: the first with this frame */
	size_t lo = 0, hi = m->n_payloads;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->payloads[mid].frame < st->frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < m->n_payloads && m->payloads[end].frame == st->frame)
		end++;
	*n = end - lo;
	return *n ? &m->payloads[lo] : NULL;
}

/* Whose endpoint is addr: 0 (A), 1 (B) or -1. */
static int peer_of(const struct rtclab_tl_session *s, const struct rtclab_addr *addr)
{
	for (int p = 0; p < (int)s->n_peers && p < 2; p++)
		for (size_t i = 0; i < s->peers[p].n_endpoints; i++)
			if (rtclab_addr_equal(&s->peers[p].endpoints[i], addr))
				return p;
	for (size_t i = 0; i < s->n_candidates; i++)
		if (s->candidates[i].peer >= 0 && s->candidates[i].peer < 2 &&
		    rtclab_addr_equal(&s->candidates[i].addr, addr))
			return s->candidates[i].peer;
	return -1;
}

const char *tui_model_pwd_for(const struct rtclab_tl_session *s, const struct tui_payload *p)
{
	if (p->kind != TUI_PL_DATAGRAM || p->len < 20)
		return NULL;
	/* RFC 8445 7.2.2: a request is signed with the receiver's ice-pwd, and
	 * its response with the same key, so with the request receiver's:
	 * for a response that is the sender's. */
	bool request = (p->bytes[0] & 0x01) == 0 && (p->bytes[1] & 0x10) == 0;
	int who = request ? peer_of(s, &p->dst) : peer_of(s, &p->src);
	if (who < 0) { /* through TURN: the other end is the known one */
		int other = request ? peer_of(s, &p->src) : peer_of(s, &p->dst);
		if (other >= 0)
			who = 1 - other;
	}
	if (who < 0 || !s->peers[who].has_pwd)
		return NULL;
	return s->peers[who].pwd;
}
