/* What a browser rejects or what breaks ICE and DTLS, found in one SDP
 * (rtclab_sdp_lint) or between an offer and its answer
 * (rtclab_sdp_check_pair). */
#include <stdio.h>
#include <string.h>

#include "rtclab/sdp.h"
#include "sdp_internal.h"

/* The problem list of sdp, grown through the parser's helper. */
struct linter {
	struct sdp_parser p;
	size_t before;
};

static void linter_init(struct linter *L, struct rtclab_sdp *sdp)
{
	memset(L, 0, sizeof *L);
	L->p.sdp = sdp;
	L->p.cap_problems = sdp->n_problems; /* at least this big: grow (realloc) on the next problem */
	L->before = sdp->n_problems;
}

#define LINT(L, code, line, col, warn, ...) rtclab_sdp_problem_(&(L)->p, (code), (line), (col), (warn), __VA_ARGS__)

static bool str_same(struct rtclab_str a, struct rtclab_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* RFC 8866 5.14 and RFC 5764: protos whose keys come from DTLS. */
static bool uses_dtls(const struct rtclab_sdp_media *m)
{
	struct rtclab_str p = m->proto;
	for (size_t i = 0; i + 3 <= p.len; i++)
		if (memcmp(p.ptr + i, "TLS", 3) == 0)
			return true;
	return false;
}

static bool uses_ice(const struct rtclab_sdp_media *m)
{
	return m->proto.len >= 4 && (memcmp(m->proto.ptr, "UDP/", 4) == 0 || memcmp(m->proto.ptr, "TCP/", 4) == 0 ||
				     rtclab_str_eq(m->proto, "DTLS/SCTP"));
}

/* A section that takes part: port 0 rejects it, unless it is bundle-only. */
static bool active(const struct rtclab_sdp_media *m)
{
	return m->port != 0 || m->bundle_only;
}

static const struct rtclab_sdp_group *bundle_of(const struct rtclab_sdp *sdp, struct rtclab_str mid)
{
	for (size_t g = 0; g < sdp->n_groups; g++) {
		if (!rtclab_str_eq(sdp->groups[g].semantics, "BUNDLE"))
			continue;
		for (size_t i = 0; i < sdp->groups[g].n_mids; i++)
			if (mid.len && str_same(sdp->group_mids[sdp->groups[g].first_mid + i], mid))
				return &sdp->groups[g];
	}
	return NULL;
}

static const struct rtclab_sdp_media *media_by_mid(const struct rtclab_sdp *sdp, struct rtclab_str mid)
{
	for (size_t i = 0; i < sdp->n_media; i++)
		if (str_same(sdp->media[i].mid, mid))
			return &sdp->media[i];
	return NULL;
}

static const struct rtclab_sdp_line *line_at(const struct rtclab_sdp *sdp, uint32_t number)
{
	return number >= 1 && number <= sdp->n_lines ? &sdp->lines[number - 1] : NULL;
}

/* Column of text inside line number, 0 if it is not there. */
static uint32_t column_of(const struct rtclab_sdp *sdp, uint32_t number, struct rtclab_str text)
{
	const struct rtclab_sdp_line *l = line_at(sdp, number);
	if (!l || text.ptr < l->text.ptr || text.ptr > l->text.ptr + l->text.len)
		return 0;
	return (uint32_t)(text.ptr - l->text.ptr) + 1;
}

/* --- one description ----------------------------------------------------------------- */

static void lint_groups(struct linter *L)
{
	const struct rtclab_sdp *sdp = L->p.sdp;
	for (size_t g = 0; g < sdp->n_groups; g++) {
		const struct rtclab_sdp_group *gr = &sdp->groups[g];
		for (size_t i = 0; i < gr->n_mids; i++) {
			struct rtclab_str mid = sdp->group_mids[gr->first_mid + i];
			if (!media_by_mid(sdp, mid))
				LINT(L, RTCLAB_SDP_P_BUNDLE, gr->line, column_of(sdp, gr->line, mid), false,
				     "the %.*s group names mid \"%.*s\", but no media section has it (RFC 5888 5)",
				     (int)gr->semantics.len, gr->semantics.ptr, (int)mid.len, mid.ptr);
		}
	}
	for (size_t i = 0; i < sdp->n_media; i++) {
		const struct rtclab_sdp_media *m = &sdp->media[i];
		if (m->bundle_only && !bundle_of(sdp, m->mid))
			LINT(L, RTCLAB_SDP_P_BUNDLE, m->line, 0, false,
			     "a=bundle-only, but this section is in no BUNDLE group (RFC 9143 6)");
		if (sdp->n_groups && m->mid.len == 0 && active(m))
			LINT(L, RTCLAB_SDP_P_BUNDLE, m->line, 0, false,
			     "no a=mid: with groups in use every section needs one (RFC 5888 4, RFC 9429 5.2.1)");
	}
}

/* ICE credentials, fingerprint, DTLS role: what step 6 needs. */
static void lint_transport(struct linter *L, const struct rtclab_sdp_media *m, enum rtclab_sdp_role role)
{
	const struct rtclab_sdp *sdp = L->p.sdp;
	if (!active(m))
		return;
	if (uses_ice(m) && (m->ice.ufrag_line == 0 || m->ice.pwd_line == 0))
		LINT(L, RTCLAB_SDP_P_MISSING_ICE, m->line, 0, false,
		     "no a=ice-%s for this section (here or at session level): without it no connectivity check "
		     "can be signed, and ICE cannot start (RFC 8839 5.4)",
		     m->ice.ufrag_line == 0 && m->ice.pwd_line == 0 ? "ufrag and a=ice-pwd" : m->ice.ufrag_line == 0
											    ? "ufrag"
											    : "pwd");
	if (uses_dtls(m) && !m->has_fingerprint)
		LINT(L, RTCLAB_SDP_P_MISSING_FINGERPRINT, m->line, 0, false,
		     "no a=fingerprint for a DTLS section: the peer cannot check the certificate, and browsers "
		     "reject the description (RFC 8122 5, RFC 8827 6.5)");
	if (uses_dtls(m) && m->setup == RTCLAB_SDP_SETUP_UNSET)
		LINT(L, RTCLAB_SDP_P_SETUP, m->line, 0, true,
		     "no a=setup: the DTLS roles fall back to the defaults (offerer active, RFC 4145 4); JSEP "
		     "always sends it");
	if (role == RTCLAB_SDP_ROLE_OFFER && m->setup != RTCLAB_SDP_SETUP_UNSET && m->setup != RTCLAB_SDP_SETUP_ACTPASS)
		LINT(L, RTCLAB_SDP_P_SETUP, m->line, 0, false,
		     "an offer says a=setup:%s; an offerer must say actpass and let the answerer choose "
		     "(RFC 8842 5.2)", rtclab_sdp_setup_name(m->setup));
	if (role == RTCLAB_SDP_ROLE_ANSWER && m->setup == RTCLAB_SDP_SETUP_ACTPASS)
		LINT(L, RTCLAB_SDP_P_SETUP, m->line, 0, false,
		     "an answer says a=setup:actpass; the answerer must choose active or passive (RFC 8842 5.3)");
	if (m->connection.line == 0)
		LINT(L, RTCLAB_SDP_P_MISSING_LINE, m->line, 0, false,
		     "no c= line in this section nor at session level (RFC 8866 5.7)");
	const struct rtclab_sdp_group *g = bundle_of(sdp, m->mid);
	if (g && g->n_mids) {
		const struct rtclab_sdp_media *first = media_by_mid(sdp, sdp->group_mids[g->first_mid]);
		if (first && first != m && first->ice.ufrag_line && m->ice.ufrag_line &&
		    (!str_same(first->ice.ufrag, m->ice.ufrag) || !str_same(first->ice.pwd, m->ice.pwd)))
			LINT(L, RTCLAB_SDP_P_BUNDLE, m->ice.ufrag_line > m->line ? m->ice.ufrag_line : m->line, 0, true,
			     "ICE credentials differ from those of mid \"%.*s\" in the same BUNDLE group, which shares "
			     "one transport (RFC 9143 7.1)", (int)first->mid.len, first->mid.ptr);
	}
}

static void lint_candidates(struct linter *L, const struct rtclab_sdp_media *m, enum rtclab_sdp_role role)
{
	const struct rtclab_sdp *sdp = L->p.sdp;
	for (size_t i = 0; i < m->n_candidates; i++) {
		size_t k = m->first_candidate + i;
		const struct rtclab_candidate *c = &sdp->candidates[k];
		uint32_t line = sdp->candidate_lines[k];
		/* An offer may carry component 2 candidates in case the answer
		 * refuses rtcp-mux (RFC 5761 5.1.3); an answer that accepts it,
		 * or rtcp-mux-only, makes them useless. */
		if (c->component == 2 && (m->rtcp_mux_only || (m->rtcp_mux && role == RTCLAB_SDP_ROLE_ANSWER)))
			LINT(L, RTCLAB_SDP_P_RTCP_MUX, line, 0, true,
			     "a component 2 (RTCP) candidate with %s: RTCP shares the RTP port, so this candidate "
			     "is never used (RFC 5761 5.1.3, RFC 8858)",
			     m->rtcp_mux_only ? "a=rtcp-mux-only" : "rtcp-mux accepted in an answer");
		if (c->ufrag.len && m->ice.ufrag_line && !str_same(c->ufrag, m->ice.ufrag))
			LINT(L, RTCLAB_SDP_P_BAD_VALUE, line, column_of(sdp, line, c->ufrag), true,
			     "the candidate's ufrag \"%.*s\" is not this section's ice-ufrag \"%.*s\": it belongs to "
			     "another ICE generation", (int)c->ufrag.len, c->ufrag.ptr, (int)m->ice.ufrag.len,
			     m->ice.ufrag.ptr);
	}
	if (m->rtcp_mux_only && !m->rtcp_mux)
		LINT(L, RTCLAB_SDP_P_RTCP_MUX, m->line, 0, false,
		     "a=rtcp-mux-only without a=rtcp-mux: both must be present (RFC 8858 4)");
	/* A candidate after end-of-candidates in the same section. */
	bool ended = false;
	for (uint32_t n = m->line; n <= m->last_line; n++) {
		const struct rtclab_sdp_line *l = line_at(sdp, n);
		if (l->attr == RTCLAB_SDP_ATTR_END_OF_CANDIDATES)
			ended = true;
		else if (ended && l->attr == RTCLAB_SDP_ATTR_CANDIDATE)
			LINT(L, RTCLAB_SDP_P_ORDER, n, 1, true,
			     "a candidate after a=end-of-candidates: the peer was told none would follow (RFC 8840 8.2)");
	}
}

static void lint_datachannel(struct linter *L, const struct rtclab_sdp_media *m)
{
	bool sctp = m->proto.len >= 4 && memcmp(m->proto.ptr + m->proto.len - 4, "SCTP", 4) == 0;
	if (sctp && active(m) && m->sctp_port < 0 && rtclab_str_eq(m->proto, "UDP/DTLS/SCTP"))
		LINT(L, RTCLAB_SDP_P_MISSING_LINE, m->line, 0, true,
		     "a data channel section without a=sctp-port: the default 5000 applies (RFC 8841 5)");
}

size_t rtclab_sdp_lint(struct rtclab_sdp *sdp, enum rtclab_sdp_role role)
{
	struct linter L;
	linter_init(&L, sdp);
	if (role == RTCLAB_SDP_ROLE_UNKNOWN)
		role = rtclab_sdp_guess_role(sdp);
	lint_groups(&L);
	if (sdp->n_media == 0)
		LINT(&L, RTCLAB_SDP_P_MISSING_LINE, 0, 0, true,
		     "no m= line: nothing to connect (a WebRTC description has at least one media section)");
	for (size_t i = 0; i < sdp->n_media; i++) {
		lint_transport(&L, &sdp->media[i], role);
		lint_candidates(&L, &sdp->media[i], role);
		lint_datachannel(&L, &sdp->media[i]);
	}
	return sdp->n_problems - L.before;
}

enum rtclab_sdp_role rtclab_sdp_guess_role(const struct rtclab_sdp *sdp)
{
	enum rtclab_sdp_setup s = sdp->setup;
	for (size_t i = 0; i < sdp->n_media && s == RTCLAB_SDP_SETUP_UNSET; i++)
		s = sdp->media[i].setup;
	if (s == RTCLAB_SDP_SETUP_ACTPASS)
		return RTCLAB_SDP_ROLE_OFFER;
	if (s == RTCLAB_SDP_SETUP_ACTIVE || s == RTCLAB_SDP_SETUP_PASSIVE)
		return RTCLAB_SDP_ROLE_ANSWER;
	return RTCLAB_SDP_ROLE_UNKNOWN;
}

/* --- offer and answer -------------------------------------------------------------------- */

static bool codec_same(const struct rtclab_sdp_codec *a, const struct rtclab_sdp_codec *b)
{
	if (a->clock_rate != b->clock_rate || a->name.len != b->name.len)
		return false;
	for (size_t i = 0; i < a->name.len; i++) { /* encoding names are case-insensitive (RFC 8866 6.6) */
		char x = a->name.ptr[i], y = b->name.ptr[i];
		if ((x | 0x20) != (y | 0x20))
			return false;
	}
	return true;
}

static void pair_codecs(struct linter *L, const struct rtclab_sdp *offer, const struct rtclab_sdp_media *om,
			const struct rtclab_sdp_media *am)
{
	const struct rtclab_sdp *answer = L->p.sdp;
	size_t common = 0;
	for (size_t i = 0; i < am->n_codecs; i++) {
		const struct rtclab_sdp_codec *ac = &answer->codecs[am->first_codec + i];
		bool found = false;
		for (size_t k = 0; k < om->n_codecs && !found; k++)
			found = codec_same(ac, &offer->codecs[om->first_codec + k]);
		if (found)
			common++;
		else if (ac->name.len)
			LINT(L, RTCLAB_SDP_P_PAIR, ac->rtpmap_line ? ac->rtpmap_line : am->line, 0, false,
			     "the answer's codec %.*s/%u (payload type %u) is not in the offer: an answer may only "
			     "pick from what was offered (RFC 3264 6.1)", (int)ac->name.len, ac->name.ptr,
			     ac->clock_rate, ac->payload);
	}
	if (am->n_codecs && common == 0)
		LINT(L, RTCLAB_SDP_P_PAIR, am->line, 0, false, "no codec in common with the offer's section on line %u",
		     om->line);
}

/* RFC 4145 4.1 / RFC 8842 5.3: actpass is answered with active or passive; active with passive. */
static void pair_setup(struct linter *L, const struct rtclab_sdp_media *om, const struct rtclab_sdp_media *am)
{
	enum rtclab_sdp_setup o = om->setup, a = am->setup;
	bool ok = (o == RTCLAB_SDP_SETUP_ACTPASS && (a == RTCLAB_SDP_SETUP_ACTIVE || a == RTCLAB_SDP_SETUP_PASSIVE)) ||
		  (o == RTCLAB_SDP_SETUP_ACTIVE && a == RTCLAB_SDP_SETUP_PASSIVE) ||
		  (o == RTCLAB_SDP_SETUP_PASSIVE && a == RTCLAB_SDP_SETUP_ACTIVE) || o == RTCLAB_SDP_SETUP_UNSET ||
		  o == RTCLAB_SDP_SETUP_HOLDCONN;
	if (!ok)
		LINT(L, RTCLAB_SDP_P_SETUP, am->line, 0, false,
		     "offer a=setup:%s answered with a=setup:%s: %s (RFC 8842 5.3)", rtclab_sdp_setup_name(o),
		     a == RTCLAB_SDP_SETUP_UNSET ? "(none)" : rtclab_sdp_setup_name(a),
		     o == RTCLAB_SDP_SETUP_ACTPASS ? "the answerer must pick active or passive"
						   : "both sides would take the same DTLS role");
}

static void pair_direction(struct linter *L, const struct rtclab_sdp_media *om, const struct rtclab_sdp_media *am)
{
	enum rtclab_sdp_direction o = om->direction ? om->direction : RTCLAB_SDP_SENDRECV;
	enum rtclab_sdp_direction a = am->direction ? am->direction : RTCLAB_SDP_SENDRECV;
	bool ok = a == RTCLAB_SDP_INACTIVE || o == RTCLAB_SDP_SENDRECV || (o == RTCLAB_SDP_SENDONLY && a == RTCLAB_SDP_RECVONLY) ||
		  (o == RTCLAB_SDP_RECVONLY && a == RTCLAB_SDP_SENDONLY);
	if (!ok)
		LINT(L, RTCLAB_SDP_P_PAIR, am->line, 0, false,
		     "the offer is %s, so the answer cannot be %s (RFC 3264 6.1)", rtclab_sdp_direction_name(o),
		     rtclab_sdp_direction_name(a));
}

static void pair_section(struct linter *L, const struct rtclab_sdp *offer, size_t i)
{
	const struct rtclab_sdp *answer = L->p.sdp;
	const struct rtclab_sdp_media *om = &offer->media[i], *am = &answer->media[i];
	if (!str_same(om->kind, am->kind))
		LINT(L, RTCLAB_SDP_P_PAIR, am->line, 3, false,
		     "section %zu is %.*s in the answer but %.*s in the offer: sections pair up by position "
		     "(RFC 3264 6)", i + 1, (int)am->kind.len, am->kind.ptr, (int)om->kind.len, om->kind.ptr);
	if (!str_same(om->mid, am->mid))
		LINT(L, RTCLAB_SDP_P_PAIR, am->line, 0, false,
		     "section %zu has mid \"%.*s\" in the answer but \"%.*s\" in the offer (RFC 9429 5.3.1)", i + 1,
		     (int)am->mid.len, am->mid.ptr, (int)om->mid.len, om->mid.ptr);
	if (am->port == 0 && !am->bundle_only)
		return; /* rejected: nothing more to agree on */
	if (om->port == 0 && !om->bundle_only)
		LINT(L, RTCLAB_SDP_P_PAIR, am->line, 0, false,
		     "the offer rejected this section (port 0), so the answer must reject it too (RFC 3264 6)");
	pair_setup(L, om, am);
	pair_direction(L, om, am);
	pair_codecs(L, offer, om, am);
	if (om->ice.ufrag_line && am->ice.ufrag_line && str_same(om->ice.ufrag, am->ice.ufrag))
		LINT(L, RTCLAB_SDP_P_PAIR, am->ice.ufrag_line, 0, true,
		     "the answer uses the offer's ice-ufrag: each agent picks its own random credentials "
		     "(RFC 8445 5.3)");
	if ((om->sctp_port >= 0) != (am->sctp_port >= 0) && rtclab_str_eq(am->kind, "application"))
		LINT(L, RTCLAB_SDP_P_PAIR, am->line, 0, true,
		     "only one side gives a=sctp-port for the data channel section");
}

size_t rtclab_sdp_check_pair(const struct rtclab_sdp *offer, struct rtclab_sdp *answer)
{
	struct linter L;
	linter_init(&L, answer);
	if (offer->n_media != answer->n_media)
		LINT(&L, RTCLAB_SDP_P_PAIR, 0, 0, false,
		     "the offer has %zu media sections and the answer %zu: an answer has exactly as many, in the "
		     "same order (RFC 3264 6)", offer->n_media, answer->n_media);
	size_t n = offer->n_media < answer->n_media ? offer->n_media : answer->n_media;
	for (size_t i = 0; i < n; i++)
		pair_section(&L, offer, i);
	/* RFC 9143 7.3: the answer's BUNDLE group is a subset of the offer's. */
	for (size_t g = 0; g < answer->n_groups; g++) {
		const struct rtclab_sdp_group *ag = &answer->groups[g];
		if (!rtclab_str_eq(ag->semantics, "BUNDLE"))
			continue;
		for (size_t i = 0; i < ag->n_mids; i++) {
			struct rtclab_str mid = answer->group_mids[ag->first_mid + i];
			if (!bundle_of(offer, mid))
				LINT(&L, RTCLAB_SDP_P_BUNDLE, ag->line, column_of(answer, ag->line, mid), false,
				     "the answer bundles mid \"%.*s\", which the offer did not put in a BUNDLE group "
				     "(RFC 9143 7.3)", (int)mid.len, mid.ptr);
		}
	}
	return answer->n_problems - L.before;
}
