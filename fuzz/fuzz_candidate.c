/* libFuzzer target: ICE candidate lines.  Properties checked beyond "no
 * crash": an error's column lies within the line (or one past its end); a
 * line that parses formats back to exactly itself (without "a=", with
 * "candidate:"; rtclab accepts only what it can reproduce), and the
 * formatted text parses again to the same fields.  The JSON view, the
 * priority explanation and a one-pair check list run on every candidate. */
#include <stdlib.h>
#include <string.h>

#include "rtclab/candidate.h"
#include "rtclab/candidate_json.h"
#include "rtclab/ice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_str(struct rtclab_str a, struct rtclab_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static bool same_addr(const struct rtclab_addr *a, const struct rtclab_addr *b)
{
	return a->family == b->family && (a->family == RTCLAB_FAMILY_NONE || rtclab_addr_equal(a, b));
}

static bool same_fields(const struct rtclab_candidate *a, const struct rtclab_candidate *b)
{
	if (!same_str(a->foundation, b->foundation) || a->component != b->component || a->transport != b->transport ||
	    !same_str(a->transport_text, b->transport_text) || a->priority != b->priority ||
	    !same_str(a->address, b->address) || a->address_kind != b->address_kind || !same_addr(&a->ip, &b->ip) ||
	    a->port != b->port || a->type != b->type || a->has_raddr != b->has_raddr || a->has_rport != b->has_rport ||
	    !same_str(a->raddr, b->raddr) || !same_addr(&a->raddr_ip, &b->raddr_ip) || a->rport != b->rport ||
	    a->tcptype != b->tcptype || a->generation != b->generation || !same_str(a->ufrag, b->ufrag) ||
	    a->network_id != b->network_id || a->network_cost != b->network_cost || a->n_ext != b->n_ext)
		return false;
	for (size_t i = 0; i < a->n_ext; i++)
		if (!same_str(a->ext[i].name, b->ext[i].name) || !same_str(a->ext[i].value, b->ext[i].value))
			return false;
	return true;
}

/* The input as format must write it: CR/LF dropped, "a=" dropped, "candidate:" added. */
static char *expected_text(const char *s, size_t n, size_t *len)
{
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n >= 2 && memcmp(s, "a=", 2) == 0) {
		s += 2;
		n -= 2;
	}
	bool prefixed = n >= 10 && memcmp(s, "candidate:", 10) == 0;
	char *t = malloc(n + 11);
	if (!t)
		abort();
	memcpy(t, "candidate:", prefixed ? 0 : 10);
	memcpy(t + (prefixed ? 0 : 10), s, n);
	*len = n + (prefixed ? 0 : 10);
	return t;
}

static void side_views(const struct rtclab_candidate *c)
{
	char text[1024];
	json_t *j = rtclab_candidate_json(c);
	char *dump = json_dumps(j, 0);
	free(dump);
	json_decref(j);
	rtclab_ice_priority_explain(c->priority, text, sizeof text);
	struct rtclab_ice_pair pairs[1];
	size_t kept;
	struct rtclab_ice_checklist_opts o = {false, 1};
	rtclab_ice_checklist(c, 1, c, 1, &o, pairs, 1, &kept);
	if (kept > 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rtclab_candidate c, d;
	const char *line = (const char *)data;
	size_t column, n, want_len;
	if (rtclab_candidate_parse(&c, line, size, &column) != RTCLAB_CAND_OK) {
		if (column == 0 || column > size + 1)
			abort(); /* the column points into the line, or just past it */
		return 0;
	}
	if (column != 0)
		abort();
	n = rtclab_candidate_format(&c, NULL, 0);
	char *out = malloc(n + 1);
	if (!out || rtclab_candidate_format(&c, out, n + 1) != n || out[n] != '\0')
		abort();
	char *want = expected_text(line, size, &want_len);
	if (want_len != n || memcmp(want, out, n) != 0)
		abort(); /* format(parse(x)) == x */
	if (rtclab_candidate_parse(&d, out, n, &column) != RTCLAB_CAND_OK || !same_fields(&c, &d))
		abort(); /* parse(format(c)) == c */
	side_views(&c);
	free(want);
	free(out);
	return 0;
}
