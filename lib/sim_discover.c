/* NAT behaviour discovery (RFC 5780) by a simulated peer, against a STUN
 * server with two IP addresses and two ports.
 *
 * Mapping (4.3), from one local port: test I to the primary address gives
 * the mapped address M1 (equal to the local address: no NAT); test II to
 * the alternate IP and the primary port gives M2 (= M1: endpoint-
 * independent); test III to the alternate IP and port gives M3 (= M2:
 * address-dependent, else address-and-port-dependent).
 *
 * Filtering (4.4), from a fresh local port so that the mapping tests have
 * opened nothing: test I to the primary address; test II asks the server
 * (CHANGE-REQUEST) to answer from its other IP and port: an answer means
 * endpoint-independent filtering; else test III asks for the other port
 * only: an answer means address-dependent, none address-and-port-
 * dependent.  A test without an answer within a second has none. */
#include <string.h>

#include "rtclab/stun.h"
#include "sim_internal.h"

#define DISC_MAP_PORT 61000
#define DISC_FILTER_PORT 62000
#define DISC_WAIT RTCLAB_SEC(1)

enum {
	ST_MAP1 = 1, ST_MAP2, ST_MAP3, ST_FILTER1, ST_FILTER2, ST_FILTER3, ST_DONE,
};

static void next_test(struct sim_peer *p, rtclab_time_ns now);

static void send_test(struct sim_peer *p, rtclab_time_ns now, const struct rtclab_addr *from,
		      const struct rtclab_addr *to, uint8_t change)
{
	struct sim_discovery *d = &p->disc;
	for (int i = 0; i < 12; i++)
		d->tid[i] = (uint8_t)rtclab_rng_next(&p->rng);
	uint8_t buf[64];
	struct rtclab_stun_encoder e;
	rtclab_stun_enc_begin(&e, buf, sizeof buf, RTCLAB_STUN_BINDING, RTCLAB_STUN_REQUEST, d->tid);
	if (change) {
		uint8_t v[4] = {0, 0, 0, change}; /* 0x04 change IP, 0x02 change port (RFC 5780 7.2) */
		rtclab_stun_enc_raw(&e, RTCLAB_STUN_ATTR_CHANGE_REQUEST, v, sizeof v);
	}
	rtclab_stun_enc_fingerprint(&e);
	size_t n = rtclab_stun_enc_end(&e);
	if (n)
		rtclab_simnet_send_fn(&p->ep, now, RTCLAB_L4_UDP, from, to, buf, n);
	d->deadline = now + DISC_WAIT;
}

static void disc_timer(void *arg, rtclab_time_ns now)
{
	struct sim_peer *p = arg;
	struct sim_discovery *d = &p->disc;
	d->timer = 0;
	if (d->stage == ST_DONE || now < d->deadline)
		return;
	/* no answer to this test */
	if (d->stage == ST_FILTER2) {
		d->stage = ST_FILTER3;
		next_test(p, now);
	} else if (d->stage == ST_FILTER3) {
		d->filtering = RTCLAB_SCN_APDF;
		d->stage = ST_DONE;
	} else {
		d->stage = ST_DONE; /* the mapping tests need their answers: no verdict */
	}
}

static void next_test(struct sim_peer *p, rtclab_time_ns now)
{
	struct sim_discovery *d = &p->disc;
	struct rtclab_addr to = d->primary;
	switch (d->stage) {
	case ST_MAP1:
	case ST_FILTER1:
		break;
	case ST_MAP2:
		to = d->other;
		to.port = d->primary.port;
		break;
	case ST_MAP3:
		to = d->other;
		break;
	default:
		break;
	}
	bool mapping = d->stage <= ST_MAP3;
	uint8_t change = d->stage == ST_FILTER2 ? 0x06 : d->stage == ST_FILTER3 ? 0x02 : 0;
	send_test(p, now, mapping ? &d->map_local : &d->filter_local, &to, change);
	d->timer = rtclab_simnet_timer(p->ep.net, d->deadline, disc_timer, p);
}

void sim_discover_start(struct sim_peer *p, rtclab_time_ns now)
{
	struct sim_discovery *d = &p->disc;
	const struct rtclab_scn_server *s = &p->sim->sc->servers[p->sp->discover];
	d->active = true;
	d->mapping = d->filtering = -1;
	d->primary = s->addr;
	d->other = s->has_other ? s->other : s->addr;
	d->map_local = d->filter_local = p->sockets[0];
	d->map_local.port = DISC_MAP_PORT;
	d->filter_local.port = DISC_FILTER_PORT;
	d->stage = ST_MAP1;
	next_test(p, now);
}

static bool same_transport(const struct rtclab_addr *a, const struct rtclab_addr *b)
{
	return rtclab_addr_equal(a, b) && a->port == b->port;
}

bool sim_discover_receive(struct sim_peer *p, rtclab_time_ns now, const struct rtclab_addr *local, const uint8_t *data,
			  size_t len)
{
	struct sim_discovery *d = &p->disc;
	if (!d->active || d->stage == ST_DONE ||
	    !(local->port == DISC_MAP_PORT || local->port == DISC_FILTER_PORT))
		return false;
	struct rtclab_stun_msg m;
	rtclab_stun_decode(&m, data, len);
	if (m.cls != RTCLAB_STUN_SUCCESS || memcmp(m.transaction_id, d->tid, 12) != 0)
		return true; /* a discovery port: nothing else listens there */
	const struct rtclab_stun_attr *x = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_XOR_MAPPED_ADDRESS);
	struct rtclab_addr mapped = x && x->ok ? x->v.addr : (struct rtclab_addr){0};
	const struct rtclab_stun_attr *o = rtclab_stun_find(&m, RTCLAB_STUN_ATTR_OTHER_ADDRESS);
	if (o && o->ok && d->stage == ST_MAP1)
		d->other = o->v.addr; /* RFC 5780 7.4: where tests II and III go */
	if (d->timer)
		rtclab_simnet_timer_cancel(p->ep.net, d->timer);
	d->timer = 0;
	switch (d->stage) {
	case ST_MAP1:
		d->m1 = mapped;
		if (same_transport(&mapped, &d->map_local)) {
			d->mapping = RTCLAB_SCN_NO_NAT;
			d->stage = ST_FILTER1;
		} else {
			d->stage = ST_MAP2;
		}
		break;
	case ST_MAP2:
		d->m2 = mapped;
		if (same_transport(&mapped, &d->m1)) {
			d->mapping = RTCLAB_SCN_EIM;
			d->stage = ST_FILTER1;
		} else {
			d->stage = ST_MAP3;
		}
		break;
	case ST_MAP3:
		d->mapping = same_transport(&mapped, &d->m2) ? RTCLAB_SCN_ADM : RTCLAB_SCN_APDM;
		d->stage = ST_FILTER1;
		break;
	case ST_FILTER1:
		d->stage = ST_FILTER2;
		break;
	case ST_FILTER2:
		d->filtering = RTCLAB_SCN_EIF;
		d->stage = ST_DONE;
		return true;
	case ST_FILTER3:
		d->filtering = RTCLAB_SCN_ADF;
		d->stage = ST_DONE;
		return true;
	default:
		return true;
	}
	next_test(p, now);
	return true;
}
