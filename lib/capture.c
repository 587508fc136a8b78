/* Capture files, standard input and live interfaces; the pcap writer.
 * pcap files and live interfaces go through libpcap, whose messages are
 * reworded to name the frame and what is wrong.  pcapng files go through
 * rtclab's own reader (pcapng.c): libpcap 1.10 cannot read a pcapng file
 * whose interfaces have different link types, and the reader gives each
 * packet the link type of its own interface.
 */
#define _GNU_SOURCE /* libpcap's headers use u_int and u_char; fopencookie */

#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rtclab/capture.h"
#include "pcapng_internal.h"

#define DEFAULT_SNAPLEN 262144

#define MAX_FILTER_LINKTYPES 8

struct rtclab_capture {
	pcap_t *pcap;              /* pcap files and live interfaces */
	struct rtclab_pcapng *ng;  /* pcapng files (then pcap is NULL) */
	FILE *ng_file;
	int ng_snaplen;
	char *filter_expr;         /* pcapng: compiled per link type as they appear */
	size_t n_progs;
	int prog_linktype[MAX_FILTER_LINKTYPES];
	struct bpf_program progs[MAX_FILTER_LINKTYPES];
	bool live;
	bool nonblocking;     /* live: NONE instead of waiting */
	bool nano;            /* timestamps in nanoseconds (else microseconds) */
	bool done;            /* END or ERROR returned: only END from now on */
	bool filtering;       /* offline filter set */
	struct bpf_program prog;
	enum rtclab_linktype linktype;
	uint64_t frames_read, frames_filtered;
	struct rtclab_defrag *defrag;
};

__attribute__((format(printf, 3, 4))) static void say(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* libpcap returns DLT_ values; rtclab speaks LINKTYPE_ (they differ for raw IP). */
static int dlt_to_linktype(int dlt)
{
	if (dlt == DLT_RAW)
		return RTCLAB_LINK_RAW;
	return dlt;
}

static int linktype_to_dlt(int linktype)
{
	if (linktype == RTCLAB_LINK_RAW)
		return DLT_RAW;
	return linktype;
}

/* The reason a file could not be opened, in plain words. */
static void open_error(const char *path, const char *pcap_err, char *err, size_t errlen)
{
	unsigned want, got;
	if (strstr(pcap_err, "unknown file format")) {
		say(err, errlen, "%s: not a pcap or pcapng capture (libpcap: unknown file format)", path);
	} else if (sscanf(pcap_err, "truncated dump file; tried to read %u file header bytes, only got %u", &want,
			  &got) == 2) {
		if (want == 24) /* libpcap counts the bytes after the 4-byte magic number */
			got += 4;
		if (got == 0)
			say(err, errlen, "%s: the file is empty", path);
		else
			say(err, errlen, "%s: the file ends inside the capture file header (%u of %u bytes)", path,
			    got, want);
	} else if (sscanf(pcap_err, "truncated pcapng dump file; tried to read %u bytes, only got %u", &want, &got) ==
		   2) {
		say(err, errlen, "%s: the file ends inside the pcapng section or interface header (%u of %u bytes)",
		    path, got, want);
	} else if (strncmp(pcap_err, path, strlen(path)) == 0) {
		say(err, errlen, "%s", pcap_err);
	} else {
		say(err, errlen, "%s: %s", path, pcap_err);
	}
}

static struct rtclab_capture *wrap(pcap_t *p, const char *name, bool live, char *err, size_t errlen)
{
	int lt = dlt_to_linktype(pcap_datalink(p));
	if (!rtclab_linktype_name(lt)) {
		const char *dlt_name = pcap_datalink_val_to_name(pcap_datalink(p));
		say(err, errlen,
		    "%s: link type %d%s%s%s is not one rtclab decodes (it reads Ethernet, Linux cooked SLL and SLL2, "
		    "raw IP and BSD loopback)",
		    name, lt, dlt_name ? " (" : "", dlt_name ? dlt_name : "", dlt_name ? ")" : "");
		pcap_close(p);
		return NULL;
	}
	struct rtclab_capture *cap = calloc(1, sizeof *cap);
	if (cap)
		cap->defrag = rtclab_defrag_new();
	if (!cap || !cap->defrag) {
		free(cap);
		pcap_close(p);
		say(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	cap->pcap = p;
	cap->live = live;
	cap->linktype = (enum rtclab_linktype)lt;
	cap->nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
	return cap;
}

/* A pcapng file through rtclab's reader; head holds the bytes already read. */
static struct rtclab_capture *open_pcapng(FILE *f, const uint8_t *head, size_t head_len, const char *name,
					  char *err, size_t errlen)
{
	char msg[RTCLAB_PCAPNG_ERRLEN];
	struct rtclab_capture *cap = calloc(1, sizeof *cap);
	if (cap)
		cap->defrag = rtclab_defrag_new();
	if (cap && cap->defrag)
		cap->ng = rtclab_pcapng_open(f, head, head_len, msg, sizeof msg);
	if (!cap || !cap->defrag || !cap->ng) {
		if (cap && cap->defrag && !cap->ng)
			say(err, errlen, "%s: %s", name, msg);
		else
			say(err, errlen, "%s: out of memory", name);
		if (cap)
			rtclab_defrag_free(cap->defrag);
		free(cap);
		fclose(f);
		return NULL;
	}
	int lt = RTCLAB_LINK_ETHERNET;
	uint32_t snaplen = 0;
	rtclab_pcapng_first_interface(cap->ng, &lt, &snaplen);
	cap->ng_file = f;
	cap->linktype = (enum rtclab_linktype)lt;
	cap->ng_snaplen = snaplen == 0 || snaplen > DEFAULT_SNAPLEN ? DEFAULT_SNAPLEN : (int)snaplen; /* as libpcap */
	cap->nano = true;
	return cap;
}

/* Bytes already read from the start of a stream, then the rest of it: how
 * libpcap gets standard input after the magic number was looked at. */
struct replay {
	FILE *f;
	uint8_t head[4];
	size_t len, pos;
};

static ssize_t replay_read(void *cookie, char *buf, size_t size)
{
	struct replay *r = cookie;
	size_t n = 0;
	while (n < size && r->pos < r->len)
		buf[n++] = (char)r->head[r->pos++];
	if (n < size)
		n += fread(buf + n, 1, size - n, r->f);
	return (ssize_t)n;
}

static int replay_close(void *cookie)
{
	struct replay *r = cookie;
	int rc = fclose(r->f);
	free(r);
	return rc;
}

static FILE *replay_open(FILE *f, const uint8_t *head, size_t len)
{
	struct replay *r = calloc(1, sizeof *r);
	cookie_io_functions_t io = {.read = replay_read, .close = replay_close};
	FILE *out = r ? fopencookie(r, "rb", io) : NULL;
	if (!out) {
		free(r);
		return NULL;
	}
	r->f = f;
	memcpy(r->head, head, len);
	r->len = len;
	return out;
}

struct rtclab_capture *rtclab_capture_open_file(const char *path, char *err, size_t errlen)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "standard input" : path;
	/* The magic number decides: 0x0A0D0D0A is a pcapng Section Header Block. */
	int fd = is_stdin ? dup(STDIN_FILENO) : -1;
	FILE *f = is_stdin ? (fd >= 0 ? fdopen(fd, "rb") : NULL) : fopen(path, "rb");
	if (!f) {
		say(err, errlen, "%s: %s", name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	uint8_t head[4];
	size_t got = fread(head, 1, sizeof head, f);
	if (got == 4 && head[0] == 0x0A && head[1] == 0x0D && head[2] == 0x0D && head[3] == 0x0A)
		return open_pcapng(f, head, got, name, err, errlen);
	pcap_t *p;
	if (is_stdin) {
		FILE *again = replay_open(f, head, got);
		if (!again) {
			fclose(f);
			say(err, errlen, "%s: out of memory", name);
			return NULL;
		}
		p = pcap_fopen_offline_with_tstamp_precision(again, PCAP_TSTAMP_PRECISION_NANO, errbuf);
		if (!p)
			fclose(again);
	} else {
		fclose(f);
		p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	}
	if (!p) {
		open_error(name, errbuf, err, errlen);
		return NULL;
	}
	return wrap(p, name, false, err, errlen);
}

struct rtclab_capture *rtclab_capture_open_live(const char *iface, int snaplen, bool promisc, char *err,
						size_t errlen)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(iface, errbuf);
	if (!p) {
		say(err, errlen, "%s: %s", iface, errbuf);
		return NULL;
	}
	pcap_set_snaplen(p, snaplen > 0 ? snaplen : DEFAULT_SNAPLEN);
	pcap_set_promisc(p, promisc ? 1 : 0);
	pcap_set_immediate_mode(p, 1);
	pcap_set_timeout(p, 100);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO); /* micro when the interface cannot */
	int rc = pcap_activate(p);
	if (rc < 0) {
		const char *detail = pcap_geterr(p);
		say(err, errlen, "%s: cannot capture: %s%s%s", iface, pcap_statustostr(rc),
		    detail && *detail ? ": " : "", detail ? detail : "");
		pcap_close(p);
		return NULL;
	}
	return wrap(p, iface, true, err, errlen);
}

/* pcapng: the filter compiled for this link type (once), NULL on failure. */
static struct bpf_program *filter_for(struct rtclab_capture *cap, int linktype, char *err, size_t errlen)
{
	for (size_t i = 0; i < cap->n_progs; i++)
		if (cap->prog_linktype[i] == linktype)
			return &cap->progs[i];
	if (cap->n_progs == MAX_FILTER_LINKTYPES) {
		say(err, errlen, "filter \"%s\": more than %d link types in one file", cap->filter_expr,
		    MAX_FILTER_LINKTYPES);
		return NULL;
	}
	pcap_t *dead = pcap_open_dead(linktype_to_dlt(linktype), cap->ng_snaplen);
	if (!dead) {
		say(err, errlen, "filter \"%s\": out of memory", cap->filter_expr);
		return NULL;
	}
	struct bpf_program *prog = &cap->progs[cap->n_progs];
	if (pcap_compile(dead, prog, cap->filter_expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		say(err, errlen, "filter \"%s\": %s", cap->filter_expr, pcap_geterr(dead));
		pcap_close(dead);
		return NULL;
	}
	pcap_close(dead);
	cap->prog_linktype[cap->n_progs++] = linktype;
	return prog;
}

bool rtclab_capture_set_filter(struct rtclab_capture *cap, const char *expr, char *err, size_t errlen)
{
	if (cap->ng) { /* checked now against the first interface's link type */
		free(cap->filter_expr);
		for (size_t i = 0; i < cap->n_progs; i++)
			pcap_freecode(&cap->progs[i]);
		cap->n_progs = 0;
		cap->filter_expr = strdup(expr);
		if (!cap->filter_expr) {
			say(err, errlen, "out of memory");
			return false;
		}
		if (!filter_for(cap, cap->linktype, err, errlen)) {
			free(cap->filter_expr);
			cap->filter_expr = NULL;
			return false;
		}
		return true;
	}
	struct bpf_program prog;
	if (pcap_compile(cap->pcap, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		say(err, errlen, "filter \"%s\": %s", expr, pcap_geterr(cap->pcap));
		return false;
	}
	if (cap->live) { /* the kernel filters */
		bool ok = pcap_setfilter(cap->pcap, &prog) == 0;
		if (!ok)
			say(err, errlen, "filter \"%s\": %s", expr, pcap_geterr(cap->pcap));
		pcap_freecode(&prog);
		return ok;
	}
	if (cap->filtering)
		pcap_freecode(&cap->prog);
	cap->prog = prog;
	cap->filtering = true;
	return true;
}

/* The reason pcap_next_ex failed, naming the frame it could not read. */
static void read_error(const struct rtclab_capture *cap, char *err, size_t errlen)
{
	const char *msg = pcap_geterr(cap->pcap);
	unsigned long long frame = (unsigned long long)cap->frames_read + 1;
	unsigned want, got;
	if (sscanf(msg, "truncated dump file; tried to read %u captured bytes, only got %u", &want, &got) == 2)
		say(err, errlen, "frame %llu: the file ends in the middle of a record (%u of %u bytes)", frame, got,
		    want);
	else if (sscanf(msg, "truncated dump file; tried to read %u header bytes, only got %u", &want, &got) == 2)
		say(err, errlen, "frame %llu: the file ends in the middle of a record header (%u of %u bytes)", frame,
		    got, want);
	else if (sscanf(msg, "truncated pcapng dump file; tried to read %u bytes, only got %u", &want, &got) == 2)
		say(err, errlen, "frame %llu: the file ends in the middle of a pcapng block (%u of %u bytes)", frame,
		    got, want);
	else if (strstr(msg, "different from the type of the first interface"))
		say(err, errlen,
		    "frame %llu: libpcap cannot go on: %s (it reads a pcapng file only when all its interfaces "
		    "have the same link type)",
		    frame, msg);
	else
		say(err, errlen, "frame %llu: %s", frame, msg);
}

static enum rtclab_capture_status finish(struct rtclab_capture *cap, enum rtclab_capture_status st)
{
	cap->done = true;
	rtclab_defrag_flush(cap->defrag);
	return st;
}

static enum rtclab_capture_status next_pcapng(struct rtclab_capture *cap, struct rtclab_packet *pkt, char *err,
					      size_t errlen)
{
	for (;;) {
		struct rtclab_pcapng_packet np;
		char msg[RTCLAB_PCAPNG_ERRLEN];
		enum rtclab_pcapng_status st = rtclab_pcapng_next(cap->ng, &np, msg, sizeof msg);
		if (st == RTCLAB_PCAPNG_END)
			return finish(cap, RTCLAB_CAPTURE_END);
		if (st == RTCLAB_PCAPNG_ERROR) {
			say(err, errlen, "%s", msg);
			return finish(cap, RTCLAB_CAPTURE_ERROR);
		}
		cap->frames_read++;
		if (cap->filter_expr) {
			struct bpf_program *prog = filter_for(cap, np.linktype, err, errlen);
			if (!prog)
				return finish(cap, RTCLAB_CAPTURE_ERROR);
			struct pcap_pkthdr h = {.caplen = np.caplen, .len = np.wire_len};
			if (pcap_offline_filter(prog, &h, np.data) == 0) {
				cap->frames_filtered++;
				continue;
			}
		}
		pkt->frame = np.frame;
		pkt->ts_ns = np.ts_ns;
		rtclab_packet_decode(pkt, np.linktype, np.data, np.caplen, np.wire_len, cap->defrag);
		pkt->interface = np.interface;
		return RTCLAB_CAPTURE_PACKET;
	}
}

enum rtclab_capture_status rtclab_capture_next(struct rtclab_capture *cap, struct rtclab_packet *pkt, char *err,
					       size_t errlen)
{
	if (cap->done)
		return RTCLAB_CAPTURE_END;
	if (cap->ng)
		return next_pcapng(cap, pkt, err, errlen);
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc = pcap_next_ex(cap->pcap, &h, &data);
		if (rc == 0) { /* live: the timeout passed without a packet */
			if (cap->nonblocking)
				return RTCLAB_CAPTURE_NONE;
			continue;
		}
		if (rc == PCAP_ERROR_BREAK)
			return finish(cap, RTCLAB_CAPTURE_END);
		if (rc != 1) {
			read_error(cap, err, errlen);
			return finish(cap, RTCLAB_CAPTURE_ERROR);
		}
		cap->frames_read++;
		if (cap->filtering && pcap_offline_filter(&cap->prog, h, data) == 0) {
			cap->frames_filtered++;
			continue;
		}
		pkt->frame = cap->frames_read;
		pkt->ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec * (cap->nano ? 1 : 1000);
		rtclab_packet_decode(pkt, cap->linktype, data, h->caplen, h->len, cap->defrag);
		return RTCLAB_CAPTURE_PACKET;
	}
}

enum rtclab_linktype rtclab_capture_linktype(const struct rtclab_capture *cap)
{
	return cap->linktype;
}

int rtclab_capture_snaplen(const struct rtclab_capture *cap)
{
	return cap->ng ? cap->ng_snaplen : pcap_snapshot(cap->pcap);
}

void rtclab_capture_stats(const struct rtclab_capture *cap, struct rtclab_capture_stats *st)
{
	st->frames_read = cap->frames_read;
	st->frames_filtered = cap->frames_filtered;
}

struct rtclab_defrag *rtclab_capture_defrag(struct rtclab_capture *cap)
{
	return cap->defrag;
}

bool rtclab_capture_set_nonblocking(struct rtclab_capture *cap, char *err, size_t errlen)
{
	if (!cap->live)
		return true;
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	if (pcap_setnonblock(cap->pcap, 1, errbuf) != 0) {
		say(err, errlen, "cannot read without waiting: %s", errbuf);
		return false;
	}
	cap->nonblocking = true;
	return true;
}

int64_t rtclab_capture_position(const struct rtclab_capture *cap)
{
	if (cap->live)
		return -1;
	FILE *f = cap->ng ? cap->ng_file : pcap_file(cap->pcap);
	long pos = f ? ftell(f) : -1;
	return pos < 0 ? -1 : (int64_t)pos;
}

void rtclab_capture_break(struct rtclab_capture *cap)
{
	if (cap->pcap)
		pcap_breakloop(cap->pcap);
	if (!cap->live)
		cap->done = true;
}

void rtclab_capture_close(struct rtclab_capture *cap)
{
	if (!cap)
		return;
	if (cap->filtering)
		pcap_freecode(&cap->prog);
	for (size_t i = 0; i < cap->n_progs; i++)
		pcap_freecode(&cap->progs[i]);
	free(cap->filter_expr);
	if (cap->pcap)
		pcap_close(cap->pcap);
	if (cap->ng) {
		rtclab_pcapng_close(cap->ng);
		fclose(cap->ng_file);
	}
	rtclab_defrag_free(cap->defrag);
	free(cap);
}

/* --- the writer ---------------------------------------------------------------------------- */

struct rtclab_pcap_writer {
	pcap_t *dead;
	pcap_dumper_t *dumper;
	int snaplen;
	int write_errno; /* 0 while every write succeeded */
	char *path, *tmp;
};

static void writer_free(struct rtclab_pcap_writer *w)
{
	if (w->dead)
		pcap_close(w->dead);
	free(w->path);
	free(w->tmp);
	free(w);
}

struct rtclab_pcap_writer *rtclab_pcap_writer_open(const char *path, enum rtclab_linktype linktype, int snaplen,
						   char *err, size_t errlen)
{
	if (!rtclab_linktype_name(linktype)) {
		say(err, errlen, "%s: link type %d is not one rtclab writes", path, (int)linktype);
		return NULL;
	}
	struct rtclab_pcap_writer *w = calloc(1, sizeof *w);
	size_t n = strlen(path);
	if (w) {
		w->path = strdup(path);
		w->tmp = malloc(n + 8);
	}
	if (!w || !w->path || !w->tmp) {
		say(err, errlen, "%s: out of memory", path);
		if (w)
			writer_free(w);
		return NULL;
	}
	w->snaplen = snaplen > 0 ? snaplen : DEFAULT_SNAPLEN;
	memcpy(w->tmp, path, n);
	memcpy(w->tmp + n, ".XXXXXX", 8);
	int fd = mkstemp(w->tmp);
	if (fd < 0) {
		say(err, errlen, "%s: cannot create a file next to it: %s", path, strerror(errno));
		writer_free(w);
		return NULL;
	}
	FILE *f = NULL;
	w->dead = pcap_open_dead_with_tstamp_precision(linktype_to_dlt(linktype), w->snaplen,
							PCAP_TSTAMP_PRECISION_NANO);
	if (w->dead && fchmod(fd, 0644) == 0)
		f = fdopen(fd, "wb");
	if (f)
		w->dumper = pcap_dump_fopen(w->dead, f);
	if (!w->dumper) {
		say(err, errlen, "%s: cannot start the pcap file: %s", path,
		    w->dead ? pcap_geterr(w->dead) : "out of memory");
		if (f)
			fclose(f);
		else
			close(fd);
		unlink(w->tmp);
		writer_free(w);
		return NULL;
	}
	return w;
}

bool rtclab_pcap_writer_write(struct rtclab_pcap_writer *w, const struct rtclab_packet *pkt)
{
	if (w->write_errno)
		return false;
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof h);
	int64_t sec = pkt->ts_ns / 1000000000, ns = pkt->ts_ns % 1000000000;
	if (ns < 0) {
		sec--;
		ns += 1000000000;
	}
	h.ts.tv_sec = (time_t)sec;
	h.ts.tv_usec = (suseconds_t)ns; /* nanoseconds: the dumper was opened with nano precision */
	size_t caplen = pkt->data.len < (size_t)w->snaplen ? pkt->data.len : (size_t)w->snaplen;
	h.caplen = (bpf_u_int32)caplen;
	h.len = pkt->wire_len > caplen ? pkt->wire_len : (bpf_u_int32)caplen;
	errno = 0;
	pcap_dump((u_char *)w->dumper, &h, pkt->data.ptr);
	if (ferror(pcap_dump_file(w->dumper))) {
		w->write_errno = errno ? errno : EIO;
		return false;
	}
	return true;
}

bool rtclab_pcap_writer_close(struct rtclab_pcap_writer *w, char *err, size_t errlen)
{
	errno = 0;
	if (!w->write_errno && (pcap_dump_flush(w->dumper) != 0 || ferror(pcap_dump_file(w->dumper))))
		w->write_errno = errno ? errno : EIO;
	if (!w->write_errno && fsync(fileno(pcap_dump_file(w->dumper))) != 0 && errno != EINVAL)
		w->write_errno = errno;
	pcap_dump_close(w->dumper);
	bool ok = false;
	if (w->write_errno)
		say(err, errlen, "%s: cannot write: %s", w->path, strerror(w->write_errno));
	else if (rename(w->tmp, w->path) != 0)
		say(err, errlen, "%s: cannot put the file in place: %s", w->path, strerror(errno));
	else
		ok = true;
	if (!ok)
		unlink(w->tmp);
	writer_free(w);
	return ok;
}

void rtclab_pcap_writer_discard(struct rtclab_pcap_writer *w)
{
	if (!w)
		return;
	pcap_dump_close(w->dumper);
	unlink(w->tmp);
	writer_free(w);
}
