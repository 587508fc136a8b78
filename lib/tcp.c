/* TCP stream reassembly (RFC 9293): connections by 4-tuple, sequence
 * numbers unwrapped to 64-bit stream offsets (RFC 9293 3.4), out-of-order
 * segments held in a sorted list of non-overlapping chunks, gaps, and the
 * memory limits of tcp.h. */
#include <stdlib.h>
#include <string.h>

#include "rtclab/tcp.h"

struct chunk {
	struct chunk *next;
	uint64_t start;
	size_t len;
	uint8_t data[];
};

/* One direction of a connection. */
struct half {
	bool started;          /* base is known */
	uint32_t base;         /* the sequence number of stream offset 0 */
	uint64_t next;         /* the next offset to deliver */
	uint64_t high;         /* one past the highest offset seen */
	bool fin_seen, done;   /* done: every byte up to the FIN was delivered */
	uint64_t fin_off;
	struct chunk *chunks;  /* out of order, sorted, not overlapping, all past next */
	size_t buffered;
	uint8_t *hist;         /* ring of the last delivered bytes, lim.history long */
};

struct conn {
	uint32_t interface;          /* the capture interface it is on */
	struct conn *hnext;
	struct conn *older, *newer; /* the LRU list */
	size_t bucket;
	struct rtclab_addr client, server;
	uint64_t id;
	bool closed;
	struct half h[2];
	void *user;
};

struct rtclab_tcp {
	struct rtclab_tcp_limits lim;
	rtclab_tcp_callback cb;
	void *arg;
	struct conn **buckets;
	size_t n_buckets;          /* a power of two */
	struct conn *oldest, *newest;
	size_t n_conns;
	uint64_t n_opened;
	size_t memory;
	uint64_t frame;            /* of the segment being fed */
};

/* --- endpoints and the table ------------------------------------------------------- */

static size_t ip_len(const struct rtclab_addr *a)
{
	return a->family == RTCLAB_FAMILY_IPV4 ? 4 : a->family == RTCLAB_FAMILY_IPV6 ? 16 : 0;
}

static bool same_endpoint(const struct rtclab_addr *a, const struct rtclab_addr *b)
{
	return a->family == b->family && a->port == b->port && memcmp(a->ip, b->ip, ip_len(a)) == 0;
}

static uint32_t endpoint_hash(const struct rtclab_addr *a)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	h = (h ^ (uint32_t)a->family) * 16777619u;
	h = (h ^ (a->port & 0xff)) * 16777619u;
	h = (h ^ (uint32_t)(a->port >> 8)) * 16777619u;
	for (size_t i = 0; i < ip_len(a); i++)
		h = (h ^ a->ip[i]) * 16777619u;
	return h;
}

/* The same for both directions. */
static size_t pair_bucket(const struct rtclab_tcp *t, const struct rtclab_addr *a, const struct rtclab_addr *b)
{
	uint32_t h = endpoint_hash(a) + endpoint_hash(b);
	h ^= h >> 15;
	return (size_t)(h * 2654435761u) & (t->n_buckets - 1);
}

static struct conn *find(const struct rtclab_tcp *t, uint32_t interface, const struct rtclab_addr *src,
			 const struct rtclab_addr *dst)
{
	for (struct conn *c = t->buckets[pair_bucket(t, src, dst)]; c; c = c->hnext)
		if (c->interface == interface &&
		    ((same_endpoint(&c->client, src) && same_endpoint(&c->server, dst)) ||
		     (same_endpoint(&c->client, dst) && same_endpoint(&c->server, src))))
			return c;
	return NULL;
}

static void lru_unlink(struct rtclab_tcp *t, struct conn *c)
{
	if (c->older)
		c->older->newer = c->newer;
	else
		t->oldest = c->newer;
	if (c->newer)
		c->newer->older = c->older;
	else
		t->newest = c->older;
	c->older = c->newer = NULL;
}

static void lru_touch(struct rtclab_tcp *t, struct conn *c)
{
	if (t->newest == c)
		return;
	if (c->older || c->newer || t->oldest == c)
		lru_unlink(t, c);
	c->older = t->newest;
	if (t->newest)
		t->newest->newer = c;
	else
		t->oldest = c;
	t->newest = c;
}

/* --- events ------------------------------------------------------------------------ */

static void emit(struct rtclab_tcp *t, struct conn *c, enum rtclab_tcp_event_kind kind, int dir,
		 struct rtclab_tcp_event *ev)
{
	ev->kind = kind;
	ev->frame = t->frame;
	ev->conn = c->id;
	ev->dir = dir;
	ev->client = &c->client;
	ev->server = &c->server;
	ev->user = &c->user;
	if (t->cb)
		t->cb(t->arg, ev);
}

static void emit_range(struct rtclab_tcp *t, struct conn *c, enum rtclab_tcp_event_kind kind, int dir,
		       uint64_t offset, uint64_t length)
{
	struct rtclab_tcp_event ev = {0};
	ev.offset = offset;
	ev.length = length;
	emit(t, c, kind, dir, &ev);
}

/* --- history: the last delivered bytes, to check retransmissions against ------------ */

static void history_add(struct rtclab_tcp *t, struct half *h, const uint8_t *p, size_t n)
{
	size_t cap = t->lim.history;
	if (!h->hist) {
		h->hist = malloc(cap);
		if (!h->hist)
			return;
		t->memory += cap;
	}
	uint64_t off = h->next;
	if (n > cap) {
		p += n - cap;
		off += n - cap;
		n = cap;
	}
	size_t at = (size_t)(off % cap);
	size_t first = n < cap - at ? n : cap - at;
	memcpy(h->hist + at, p, first);
	memcpy(h->hist, p + first, n - first);
}

/* Compare bytes at [off, off+n), all before h->next, with what was delivered. */
static void history_check(struct rtclab_tcp *t, struct conn *c, int dir, uint64_t off, const uint8_t *p, size_t n)
{
	struct half *h = &c->h[dir];
	size_t cap = t->lim.history;
	if (!h->hist || n == 0)
		return;
	uint64_t kept_from = h->next > cap ? h->next - cap : 0;
	if (off < kept_from) {
		uint64_t skip = kept_from - off;
		if (skip >= n)
			return;
		p += skip;
		off += skip;
		n -= (size_t)skip;
	}
	for (size_t i = 0; i < n; i++)
		if (h->hist[(off + i) % cap] != p[i]) {
			emit_range(t, c, RTCLAB_TCP_EV_MISMATCH, dir, off, n);
			return;
		}
}

/* --- delivery ---------------------------------------------------------------------- */

static void deliver(struct rtclab_tcp *t, struct conn *c, int dir, const uint8_t *p, size_t n)
{
	struct half *h = &c->h[dir];
	if (n == 0)
		return;
	struct rtclab_tcp_event ev = {0};
	ev.offset = h->next;
	ev.data.ptr = p;
	ev.data.len = n;
	emit(t, c, RTCLAB_TCP_EV_DATA, dir, &ev);
	history_add(t, h, p, n);
	h->next += n;
}

static void chunk_free(struct rtclab_tcp *t, struct half *h, struct chunk *k)
{
	h->buffered -= k->len;
	t->memory -= sizeof *k + k->len;
	free(k);
}

/* Deliver the buffered chunks that now start at or before next. */
static void drain(struct rtclab_tcp *t, struct conn *c, int dir)
{
	struct half *h = &c->h[dir];
	while (h->chunks && h->chunks->start <= h->next) {
		struct chunk *k = h->chunks;
		h->chunks = k->next;
		uint64_t end = k->start + k->len;
		if (end > h->next) {
			size_t old = (size_t)(h->next - k->start);
			history_check(t, c, dir, k->start, k->data, old);
			deliver(t, c, dir, k->data + old, k->len - old);
		} else {
			history_check(t, c, dir, k->start, k->data, k->len);
		}
		chunk_free(t, h, k);
	}
}

/* Give up on the hole in front of the first buffered chunk. */
static void skip_hole(struct rtclab_tcp *t, struct conn *c, int dir)
{
	struct half *h = &c->h[dir];
	if (!h->chunks)
		return;
	emit_range(t, c, RTCLAB_TCP_EV_GAP, dir, h->next, h->chunks->start - h->next);
	h->next = h->chunks->start;
	drain(t, c, dir);
}

static struct chunk *chunk_new(struct rtclab_tcp *t, struct half *h, uint64_t start, const uint8_t *p, size_t n)
{
	struct chunk *k = malloc(sizeof *k + n);
	if (!k)
		return NULL;
	k->next = NULL;
	k->start = start;
	k->len = n;
	memcpy(k->data, p, n);
	h->buffered += n;
	t->memory += sizeof *k + n;
	return k;
}

static void compare_overlap(struct rtclab_tcp *t, struct conn *c, int dir, const struct chunk *k, uint64_t from,
			    uint64_t to, const uint8_t *seg, uint64_t seg_start)
{
	if (memcmp(k->data + (from - k->start), seg + (from - seg_start), (size_t)(to - from)) != 0)
		emit_range(t, c, RTCLAB_TCP_EV_MISMATCH, dir, from, to - from);
}

/* Buffer [off, off+n), past next, keeping only the bytes no chunk holds yet. */
static void buffer_segment(struct rtclab_tcp *t, struct conn *c, int dir, uint64_t off, const uint8_t *p, size_t n)
{
	struct half *h = &c->h[dir];
	uint64_t cur = off, end = off + n;
	struct chunk **link = &h->chunks;
	while (cur < end) {
		struct chunk *k = *link;
		if (k && k->start + k->len <= cur) {
			link = &k->next;
			continue;
		}
		uint64_t piece_end = !k ? end : k->start < end ? k->start : end;
		if (piece_end > cur) {
			struct chunk *nk = chunk_new(t, h, cur, p + (cur - off), (size_t)(piece_end - cur));
			if (!nk)
				return;
			nk->next = k;
			*link = nk;
			link = &nk->next;
			cur = piece_end;
			continue;
		}
		/* k starts at or before cur and overlaps the segment. */
		uint64_t k_end = k->start + k->len;
		uint64_t to = k_end < end ? k_end : end;
		compare_overlap(t, c, dir, k, cur, to, p, off);
		cur = to;
		link = &k->next;
	}
}

static void data(struct rtclab_tcp *t, struct conn *c, int dir, int64_t off, const uint8_t *p, size_t n)
{
	struct half *h = &c->h[dir];
	if (off < 0) { /* starts before the first byte seen */
		if ((uint64_t)-off >= n)
			return;
		p += (size_t)-off;
		n -= (size_t)-off;
		off = 0;
	}
	uint64_t start = (uint64_t)off, end = start + n;
	if (h->fin_seen && end > h->fin_off) { /* nothing counts after the FIN */
		if (start >= h->fin_off)
			return;
		end = h->fin_off;
		n = (size_t)(end - start);
	}
	if (end > h->high)
		h->high = end;
	if (start < h->next) { /* a retransmission of delivered bytes, at least in part */
		uint64_t old_end = end < h->next ? end : h->next;
		history_check(t, c, dir, start, p, (size_t)(old_end - start));
		if (end <= h->next)
			return;
		p += h->next - start;
		n = (size_t)(end - h->next);
		start = h->next;
	}
	if (start == h->next) {
		/* Chunks this segment overlaps are compared with it as drain() delivers them. */
		deliver(t, c, dir, p, n);
		drain(t, c, dir);
	} else {
		buffer_segment(t, c, dir, start, p, n);
	}
	while (h->buffered > t->lim.stream_buffer)
		skip_hole(t, c, dir);
}

/* --- connections ------------------------------------------------------------------- */

static void flush_half(struct rtclab_tcp *t, struct conn *c, int dir)
{
	struct half *h = &c->h[dir];
	while (h->chunks)
		skip_hole(t, c, dir);
	uint64_t last = h->fin_seen ? h->fin_off : h->high;
	if (h->next < last) {
		emit_range(t, c, RTCLAB_TCP_EV_GAP, dir, h->next, last - h->next);
		h->next = last;
	}
	if (h->hist) {
		free(h->hist);
		h->hist = NULL;
		t->memory -= t->lim.history;
	}
}

static void close_conn(struct rtclab_tcp *t, struct conn *c, enum rtclab_tcp_close_reason reason)
{
	if (c->closed)
		return;
	flush_half(t, c, RTCLAB_TCP_FROM_CLIENT);
	flush_half(t, c, RTCLAB_TCP_FROM_SERVER);
	struct rtclab_tcp_event ev = {0};
	ev.reason = reason;
	c->closed = true;
	emit(t, c, RTCLAB_TCP_EV_CLOSE, 0, &ev);
	c->user = NULL;
}

static void remove_conn(struct rtclab_tcp *t, struct conn *c)
{
	struct conn **link = &t->buckets[c->bucket];
	while (*link != c)
		link = &(*link)->hnext;
	*link = c->hnext;
	lru_unlink(t, c);
	t->n_conns--;
	free(c);
}

static struct conn *open_conn(struct rtclab_tcp *t, const struct rtclab_tcp_segment *seg)
{
	while (t->n_conns >= t->lim.max_connections && t->oldest) {
		struct conn *victim = t->oldest;
		close_conn(t, victim, RTCLAB_TCP_CLOSE_EVICTED);
		remove_conn(t, victim);
	}
	struct conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	/* The SYN-ACK comes from the server. */
	bool from_server = (seg->flags & (RTCLAB_TCP_SYN | RTCLAB_TCP_ACK)) == (RTCLAB_TCP_SYN | RTCLAB_TCP_ACK);
	c->client = from_server ? seg->dst : seg->src;
	c->interface = seg->interface;
	c->server = from_server ? seg->src : seg->dst;
	c->id = ++t->n_opened;
	c->bucket = pair_bucket(t, &seg->src, &seg->dst);
	c->hnext = t->buckets[c->bucket];
	t->buckets[c->bucket] = c;
	t->n_conns++;
	lru_touch(t, c);
	struct rtclab_tcp_event ev = {0};
	ev.handshake = (seg->flags & RTCLAB_TCP_SYN) != 0;
	emit(t, c, RTCLAB_TCP_EV_OPEN, 0, &ev);
	return c;
}

/* Stay within total_bytes: flush the fullest buffer, else evict the least recently used connection. */
static void enforce_total(struct rtclab_tcp *t)
{
	while (t->memory > t->lim.total_bytes) {
		struct conn *best = NULL;
		int best_dir = 0;
		size_t most = 0;
		for (struct conn *c = t->oldest; c; c = c->newer)
			for (int d = 0; d < 2; d++)
				if (c->h[d].buffered > most) {
					most = c->h[d].buffered;
					best = c;
					best_dir = d;
				}
		if (best) {
			skip_hole(t, best, best_dir);
			continue;
		}
		struct conn *victim = t->oldest;
		while (victim && (victim->closed || (!victim->h[0].hist && !victim->h[1].hist)))
			victim = victim->newer;
		if (!victim)
			return;
		close_conn(t, victim, RTCLAB_TCP_CLOSE_EVICTED);
	}
}

/* RFC 9293 3.4: the offset of seq, taken as the one nearest to next. */
static int64_t unwrap(const struct half *h, uint32_t seq)
{
	uint32_t rel = seq - h->base;
	int32_t d = (int32_t)(rel - (uint32_t)h->next);
	return (int64_t)h->next + d;
}

void rtclab_tcp_feed_segment(struct rtclab_tcp *t, const struct rtclab_tcp_segment *seg)
{
	uint8_t f = seg->flags;
	bool syn = (f & RTCLAB_TCP_SYN) != 0, plain_syn = syn && !(f & RTCLAB_TCP_ACK);
	t->frame = seg->frame;
	struct conn *c = find(t, seg->interface, &seg->src, &seg->dst);
	if (c && !c->closed && plain_syn && c->h[0].started && seg->seq + 1 != c->h[0].base)
		close_conn(t, c, RTCLAB_TCP_CLOSE_END); /* the 4-tuple is used again */
	if (c && c->closed) {
		if (!plain_syn)
			return; /* a late segment of a closed connection */
		remove_conn(t, c);
		c = NULL;
	}
	if (!c) {
		if (f & RTCLAB_TCP_RST)
			return;
		c = open_conn(t, seg);
		if (!c)
			return;
	}
	lru_touch(t, c);
	int dir = same_endpoint(&seg->src, &c->client) ? RTCLAB_TCP_FROM_CLIENT : RTCLAB_TCP_FROM_SERVER;
	struct half *h = &c->h[dir];
	uint32_t first = syn ? seg->seq + 1 : seg->seq; /* the SYN takes one sequence number */
	if (!h->started) {
		h->started = true;
		h->base = first;
	}
	int64_t off = unwrap(h, first);
	if (seg->payload.len)
		data(t, c, dir, off, seg->payload.ptr, seg->payload.len);
	if ((f & RTCLAB_TCP_FIN) && !h->fin_seen && off + (int64_t)seg->payload.len >= (int64_t)h->next) {
		h->fin_seen = true;
		h->fin_off = (uint64_t)(off + (int64_t)seg->payload.len);
		if (h->fin_off > h->high)
			h->high = h->fin_off;
	}
	if (h->fin_seen && h->next >= h->fin_off)
		h->done = true;
	if (f & RTCLAB_TCP_RST)
		close_conn(t, c, RTCLAB_TCP_CLOSE_RST);
	else if (c->h[0].done && c->h[1].done)
		close_conn(t, c, RTCLAB_TCP_CLOSE_FIN);
	enforce_total(t);
}

void rtclab_tcp_feed(struct rtclab_tcp *t, const struct rtclab_packet *pkt)
{
	if (pkt->l4 != RTCLAB_L4_TCP)
		return;
	struct rtclab_tcp_segment seg;
	seg.frame = pkt->frame;
	seg.interface = pkt->interface;
	seg.src = pkt->src;
	seg.dst = pkt->dst;
	seg.seq = pkt->seq;
	seg.flags = pkt->tcp_flags;
	seg.payload = pkt->payload;
	rtclab_tcp_feed_segment(t, &seg);
}

void rtclab_tcp_finish(struct rtclab_tcp *t, uint64_t frame)
{
	t->frame = frame;
	for (struct conn *c = t->oldest; c; c = c->newer)
		close_conn(t, c, RTCLAB_TCP_CLOSE_END);
}

struct rtclab_tcp *rtclab_tcp_new(const struct rtclab_tcp_limits *limits, rtclab_tcp_callback cb, void *arg)
{
	struct rtclab_tcp *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	if (limits)
		t->lim = *limits;
	if (!t->lim.stream_buffer)
		t->lim.stream_buffer = RTCLAB_TCP_STREAM_BUFFER;
	if (!t->lim.history)
		t->lim.history = RTCLAB_TCP_HISTORY;
	if (!t->lim.total_bytes)
		t->lim.total_bytes = RTCLAB_TCP_TOTAL_BYTES;
	if (!t->lim.max_connections)
		t->lim.max_connections = RTCLAB_TCP_MAX_CONNECTIONS;
	t->n_buckets = 16;
	while (t->n_buckets < t->lim.max_connections && t->n_buckets < (1u << 16))
		t->n_buckets <<= 1;
	t->buckets = calloc(t->n_buckets, sizeof *t->buckets);
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	t->cb = cb;
	t->arg = arg;
	return t;
}

void rtclab_tcp_free(struct rtclab_tcp *t)
{
	if (!t)
		return;
	struct conn *c = t->oldest;
	while (c) {
		struct conn *next = c->newer;
		for (int d = 0; d < 2; d++) {
			struct chunk *k = c->h[d].chunks;
			while (k) {
				struct chunk *kn = k->next;
				free(k);
				k = kn;
			}
			free(c->h[d].hist);
		}
		free(c);
		c = next;
	}
	free(t->buckets);
	free(t);
}

size_t rtclab_tcp_memory(const struct rtclab_tcp *t)
{
	return t->memory;
}

const char *rtclab_tcp_event_name(enum rtclab_tcp_event_kind k)
{
	switch (k) {
	case RTCLAB_TCP_EV_OPEN:
		return "open";
	case RTCLAB_TCP_EV_DATA:
		return "data";
	case RTCLAB_TCP_EV_GAP:
		return "gap";
	case RTCLAB_TCP_EV_MISMATCH:
		return "mismatch";
	case RTCLAB_TCP_EV_CLOSE:
		return "close";
	}
	return "unknown";
}

const char *rtclab_tcp_close_reason_name(enum rtclab_tcp_close_reason r)
{
	switch (r) {
	case RTCLAB_TCP_CLOSE_FIN:
		return "fin";
	case RTCLAB_TCP_CLOSE_RST:
		return "rst";
	case RTCLAB_TCP_CLOSE_EVICTED:
		return "evicted";
	case RTCLAB_TCP_CLOSE_END:
		return "end";
	}
	return "unknown";
}
