/* Private parts of the simulator core: the event queue (lib/simnet_queue.c)
 * that lib/simnet.c runs. */
#ifndef RTCLAB_SIMNET_INTERNAL_H
#define RTCLAB_SIMNET_INTERNAL_H

#include "rtclab/simnet.h"

#ifndef RTCLAB_INTERNAL
#define RTCLAB_INTERNAL __attribute__((visibility("hidden")))
#endif

enum rtclab_simq_kind {
	RTCLAB_SIMQ_FREE = 0,   /* an unused slot */
	RTCLAB_SIMQ_TIMER,      /* a caller's timer: fn(arg, now) */
	RTCLAB_SIMQ_REALM,      /* a packet arrives on realm target's wire */
	RTCLAB_SIMQ_NAT_IN,     /* a packet reaches NAT target from its outer realm */
	RTCLAB_SIMQ_DELIVER,    /* a packet reaches host target */
	RTCLAB_SIMQ_NAT_EXPIRY, /* NAT target's next mapping may have expired */
};

/* A packet in flight; data is owned by the event that carries it. */
struct rtclab_simq_packet {
	uint64_t id;
	enum rtclab_l4 l4;
	bool syn;
	unsigned hops;
	struct rtclab_addr src, dst;
	uint8_t *data;
	size_t len;
};

struct rtclab_simq_event {
	rtclab_time_ns time;
	uint64_t seq;      /* ties at one time go to the lower sequence: the event scheduled first */
	uint32_t heap_pos; /* where it is in the heap */
	uint32_t gen;      /* bumped when the slot is freed, so a stale id does not match */
	enum rtclab_simq_kind kind;
	unsigned target;
	rtclab_simnet_timer_fn fn;
	void *arg;
	struct rtclab_simq_packet pkt;
};

/* A binary min-heap of slot indices ordered by (time, seq) over a pool of
 * slots that never move in the heap's sift, so ids stay valid. */
struct rtclab_simq {
	struct rtclab_simq_event *pool;
	uint32_t n_pool, cap_pool;
	uint32_t *free_slots;
	uint32_t n_free;
	uint32_t *heap;
	uint32_t n_heap, cap_heap;
	uint64_t next_seq;
	size_t peak;
};

/* Schedule an event of kind at time; returns its id (never 0) and the slot
 * to fill in *ev (valid until the next push), or 0 when out of memory. */
RTCLAB_INTERNAL uint64_t rtclab_simq_push_(struct rtclab_simq *q, rtclab_time_ns time, enum rtclab_simq_kind kind,
					   struct rtclab_simq_event **ev);
/* Take the earliest event out (copied to *out; the packet's data now
 * belongs to the caller); false when empty. */
RTCLAB_INTERNAL bool rtclab_simq_pop_(struct rtclab_simq *q, struct rtclab_simq_event *out);
/* Remove the pending event id of kind; false if there is none.  Frees its
 * packet data. */
RTCLAB_INTERNAL bool rtclab_simq_cancel_(struct rtclab_simq *q, uint64_t id, enum rtclab_simq_kind kind);
RTCLAB_INTERNAL rtclab_time_ns rtclab_simq_next_time_(const struct rtclab_simq *q);
/* Free every pending event's data and the queue's memory. */
RTCLAB_INTERNAL void rtclab_simq_free_(struct rtclab_simq *q);

#endif
