/* The simulator's event queue: a binary heap ordered by (time, sequence), so
 * that events at one time run in the order they were scheduled and every
 * run is the same. */
#include "simnet_internal.h"

#include <stdlib.h>
#include <string.h>

static bool before(const struct rtclab_simq *q, uint32_t a, uint32_t b)
{
	const struct rtclab_simq_event *x = &q->pool[a], *y = &q->pool[b];
	return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

static void place(struct rtclab_simq *q, uint32_t pos, uint32_t slot)
{
	q->heap[pos] = slot;
	q->pool[slot].heap_pos = pos;
}

static void sift_up(struct rtclab_simq *q, uint32_t pos)
{
	uint32_t slot = q->heap[pos];
	while (pos > 0) {
		uint32_t parent = (pos - 1) / 2;
		if (!before(q, slot, q->heap[parent]))
			break;
		place(q, pos, q->heap[parent]);
		pos = parent;
	}
	place(q, pos, slot);
}

static void sift_down(struct rtclab_simq *q, uint32_t pos)
{
	uint32_t slot = q->heap[pos];
	for (;;) {
		uint32_t child = 2 * pos + 1;
		if (child >= q->n_heap)
			break;
		if (child + 1 < q->n_heap && before(q, q->heap[child + 1], q->heap[child]))
			child++;
		if (!before(q, q->heap[child], slot))
			break;
		place(q, pos, q->heap[child]);
		pos = child;
	}
	place(q, pos, slot);
}

static bool grow_heap(struct rtclab_simq *q)
{
	uint32_t cap = q->cap_heap ? q->cap_heap * 2 : 64;
	uint32_t *nh = realloc(q->heap, (size_t)cap * sizeof *nh);
	if (!nh)
		return false;
	q->heap = nh;
	q->cap_heap = cap;
	return true;
}

/* A free slot index, or UINT32_MAX when out of memory.  The free list has
 * room for every slot of the pool. */
static uint32_t take_slot(struct rtclab_simq *q)
{
	if (q->n_free > 0)
		return q->free_slots[--q->n_free];
	if (q->n_pool == q->cap_pool) {
		uint32_t cap = q->cap_pool ? q->cap_pool * 2 : 64;
		struct rtclab_simq_event *np = realloc(q->pool, (size_t)cap * sizeof *np);
		if (!np)
			return UINT32_MAX;
		q->pool = np; /* cap_pool grows only once the free list has grown too */
		uint32_t *nf = realloc(q->free_slots, (size_t)cap * sizeof *nf);
		if (!nf)
			return UINT32_MAX;
		q->free_slots = nf;
		q->cap_pool = cap;
	}
	memset(&q->pool[q->n_pool], 0, sizeof q->pool[0]);
	return q->n_pool++;
}

static void release_slot(struct rtclab_simq *q, uint32_t slot)
{
	q->pool[slot].kind = RTCLAB_SIMQ_FREE;
	q->pool[slot].gen++;
	q->free_slots[q->n_free++] = slot;
}

uint64_t rtclab_simq_push_(struct rtclab_simq *q, rtclab_time_ns time, enum rtclab_simq_kind kind,
			   struct rtclab_simq_event **ev)
{
	if (q->n_heap == q->cap_heap && !grow_heap(q))
		return 0;
	uint32_t slot = take_slot(q);
	if (slot == UINT32_MAX)
		return 0;
	struct rtclab_simq_event *e = &q->pool[slot];
	uint32_t gen = e->gen;
	memset(e, 0, sizeof *e);
	e->gen = gen;
	e->time = time;
	e->seq = q->next_seq++;
	e->kind = kind;
	q->heap[q->n_heap] = slot;
	e->heap_pos = q->n_heap++;
	sift_up(q, e->heap_pos);
	if (q->n_heap > q->peak)
		q->peak = q->n_heap;
	*ev = &q->pool[slot];
	return ((uint64_t)gen << 32) | ((uint64_t)slot + 1);
}

static void remove_at(struct rtclab_simq *q, uint32_t pos)
{
	uint32_t last = q->heap[--q->n_heap];
	if (pos == q->n_heap)
		return;
	place(q, pos, last);
	sift_down(q, pos);
	sift_up(q, q->pool[last].heap_pos);
}

bool rtclab_simq_pop_(struct rtclab_simq *q, struct rtclab_simq_event *out)
{
	if (q->n_heap == 0)
		return false;
	uint32_t slot = q->heap[0];
	*out = q->pool[slot];
	remove_at(q, 0);
	release_slot(q, slot);
	return true;
}

bool rtclab_simq_cancel_(struct rtclab_simq *q, uint64_t id, enum rtclab_simq_kind kind)
{
	uint64_t low = id & 0xffffffffu;
	if (low == 0 || low > q->n_pool)
		return false;
	uint32_t slot = (uint32_t)(low - 1);
	struct rtclab_simq_event *e = &q->pool[slot];
	if (e->kind != kind || e->gen != (uint32_t)(id >> 32))
		return false;
	free(e->pkt.data);
	e->pkt.data = NULL;
	remove_at(q, e->heap_pos);
	release_slot(q, slot);
	return true;
}

rtclab_time_ns rtclab_simq_next_time_(const struct rtclab_simq *q)
{
	return q->n_heap ? q->pool[q->heap[0]].time : RTCLAB_NEVER;
}

void rtclab_simq_free_(struct rtclab_simq *q)
{
	for (uint32_t i = 0; i < q->n_heap; i++)
		free(q->pool[q->heap[i]].pkt.data);
	free(q->pool);
	free(q->free_slots);
	free(q->heap);
	memset(q, 0, sizeof *q);
}
