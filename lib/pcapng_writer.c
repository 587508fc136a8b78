/* The pcapng (and one-wire classic pcap) writer of the simulator, see
 * pcapng_writer.h.  Block layouts: draft-ietf-opsawg-pcapng 4.1 (SHB),
 * 4.2 (IDB), 4.3 (EPB); classic pcap: draft-ietf-opsawg-pcap 4 and 5. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rtclab/pcapng_writer.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define OPT_ENDOFOPT 0
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2
#define OPT_IF_DESCRIPTION 3
#define OPT_IF_TSRESOL 9
#define PCAP_NS_MAGIC 0xA1B23C4Du /* classic pcap, nanosecond timestamps */
#define USERAPPL "rtclab"

struct iface {
	char *name;
	enum rtclab_linktype linktype;
};

struct rtclab_pcapng_writer {
	FILE *f;
	char *path, *tmp;
	bool pcap;              /* classic pcap of the one wire called `at` */
	char *at;
	bool have_wire;
	uint32_t wire;          /* pcap: the id of the interface called `at` */
	struct iface *ifaces;
	size_t n_ifaces, cap_ifaces;
	uint64_t frames;
	enum rtclab_pcapng_werr error; /* the first one */
	int sys_errno;          /* its errno, 0 if none */
};

/* --- errors ------------------------------------------------------------------------------ */

static const struct {
	const char *id, *text;
} werr_texts[] = {
	[RTCLAB_PCAPNG_W_OK] = {"ok", "no error"},
	[RTCLAB_PCAPNG_W_NOMEM] = {"nomem", "out of memory"},
	[RTCLAB_PCAPNG_W_CREATE] = {"create", "cannot create a file next to it"},
	[RTCLAB_PCAPNG_W_WRITE] = {"write", "cannot write"},
	[RTCLAB_PCAPNG_W_RENAME] = {"rename", "cannot put the file in place"},
	[RTCLAB_PCAPNG_W_LINKTYPE] = {"linktype", "an interface has a link type rtclab does not read"},
	[RTCLAB_PCAPNG_W_TOO_MANY_INTERFACES] = {"too-many-interfaces", "too many interfaces for one file"},
	[RTCLAB_PCAPNG_W_OPTION] = {"option", "an interface name or description is longer than 65535 bytes"},
	[RTCLAB_PCAPNG_W_INTERFACE] = {"interface", "a frame for an interface that was never described"},
	[RTCLAB_PCAPNG_W_FRAME_SIZE] = {"frame-size", "a frame longer than the snapshot length (262144 bytes)"},
	[RTCLAB_PCAPNG_W_TIME] = {"time", "a frame with a time before 1970"},
	[RTCLAB_PCAPNG_W_NO_WIRE] = {"no-wire", "no interface has the name of the wire to write"},
};

const char *rtclab_pcapng_werr_id(enum rtclab_pcapng_werr e)
{
	if ((unsigned)e >= sizeof werr_texts / sizeof werr_texts[0])
		return "unknown";
	return werr_texts[e].id;
}

const char *rtclab_pcapng_werr_str(enum rtclab_pcapng_werr e)
{
	if ((unsigned)e >= sizeof werr_texts / sizeof werr_texts[0])
		return "unknown error";
	return werr_texts[e].text;
}

/* Keep the first error; return the one in force. */
static enum rtclab_pcapng_werr fail(struct rtclab_pcapng_writer *w, enum rtclab_pcapng_werr e, int sys_errno)
{
	if (w->error == RTCLAB_PCAPNG_W_OK) {
		w->error = e;
		w->sys_errno = sys_errno;
	}
	return w->error;
}

static size_t message(const char *path, enum rtclab_pcapng_werr e, int sys_errno, const char *at, char *buf,
		      size_t len)
{
	int n;
	if (e == RTCLAB_PCAPNG_W_NO_WIRE)
		n = snprintf(buf, len, "%s: no interface is called \"%s\": there is no such wire to write", path, at);
	else if (sys_errno)
		n = snprintf(buf, len, "%s: %s: %s", path, rtclab_pcapng_werr_str(e), strerror(sys_errno));
	else
		n = snprintf(buf, len, "%s: %s", path, rtclab_pcapng_werr_str(e));
	return n < 0 ? 0 : (size_t)n;
}

size_t rtclab_pcapng_writer_message(const struct rtclab_pcapng_writer *w, char *buf, size_t len)
{
	return message(w->path, w->error, w->sys_errno, w->at, buf, len);
}

enum rtclab_pcapng_werr rtclab_pcapng_writer_error(const struct rtclab_pcapng_writer *w)
{
	return w->error;
}

uint64_t rtclab_pcapng_writer_frames(const struct rtclab_pcapng_writer *w)
{
	return w->frames;
}

/* --- little-endian output ------------------------------------------------------------------ */

static void out(struct rtclab_pcapng_writer *w, const void *p, size_t n)
{
	if (w->error || n == 0)
		return;
	errno = 0;
	if (fwrite(p, 1, n, w->f) != n)
		fail(w, RTCLAB_PCAPNG_W_WRITE, errno ? errno : EIO);
}

static void out16(struct rtclab_pcapng_writer *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	out(w, b, 2);
}

static void out32(struct rtclab_pcapng_writer *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	out(w, b, 4);
}

static size_t pad4(size_t n)
{
	return (4 - n % 4) % 4;
}

static void out_pad(struct rtclab_pcapng_writer *w, size_t n)
{
	static const uint8_t zeros[4];
	out(w, zeros, pad4(n));
}

/* One option (draft-ietf-opsawg-pcapng 3.5): code, length, value, padding. */
static void out_option(struct rtclab_pcapng_writer *w, uint16_t code, const void *value, size_t len)
{
	out16(w, code);
	out16(w, (uint16_t)len);
	out(w, value, len);
	out_pad(w, len);
}

static size_t option_size(size_t len)
{
	return 4 + len + pad4(len);
}

/* --- opening ---------------------------------------------------------------------------- */

static void writer_free(struct rtclab_pcapng_writer *w)
{
	for (size_t i = 0; i < w->n_ifaces; i++)
		free(w->ifaces[i].name);
	free(w->ifaces);
	free(w->path);
	free(w->tmp);
	free(w->at);
	free(w);
}

static void section_header(struct rtclab_pcapng_writer *w)
{
	/* type, length, byte-order magic, version, section length; options; end of options; length */
	uint32_t total = 24 + (uint32_t)option_size(strlen(USERAPPL)) + 4 + 4;
	out32(w, BT_SHB);
	out32(w, total);
	out32(w, BYTE_ORDER_MAGIC);
	out16(w, 1); /* version 1.0 */
	out16(w, 0);
	out32(w, 0xFFFFFFFFu); /* section length: not given (-1) */
	out32(w, 0xFFFFFFFFu);
	out_option(w, OPT_SHB_USERAPPL, USERAPPL, strlen(USERAPPL));
	out32(w, OPT_ENDOFOPT);
	out32(w, total);
}

/* Make the temporary file; false with *error set. */
static bool create_tmp(struct rtclab_pcapng_writer *w, enum rtclab_pcapng_werr *error)
{
	size_t n = strlen(w->path);
	w->tmp = malloc(n + 8);
	if (!w->tmp) {
		*error = RTCLAB_PCAPNG_W_NOMEM;
		return false;
	}
	memcpy(w->tmp, w->path, n);
	memcpy(w->tmp + n, ".XXXXXX", 8);
	int fd = mkstemp(w->tmp);
	if (fd < 0) {
		w->sys_errno = errno;
		*error = RTCLAB_PCAPNG_W_CREATE;
		return false;
	}
	if (fchmod(fd, 0644) == 0)
		w->f = fdopen(fd, "wb");
	if (!w->f) {
		w->sys_errno = errno;
		*error = RTCLAB_PCAPNG_W_CREATE;
		close(fd);
		unlink(w->tmp);
		return false;
	}
	return true;
}

static struct rtclab_pcapng_writer *open_any(const char *path, const char *at, enum rtclab_pcapng_werr *error,
					     char *err, size_t errlen)
{
	enum rtclab_pcapng_werr e = RTCLAB_PCAPNG_W_NOMEM;
	struct rtclab_pcapng_writer *w = calloc(1, sizeof *w);
	if (w) {
		w->path = strdup(path);
		w->pcap = at != NULL;
		w->at = at ? strdup(at) : NULL;
	}
	if (w && w->path && (!at || w->at) && create_tmp(w, &e)) {
		if (!w->pcap)
			section_header(w);
		if (error)
			*error = RTCLAB_PCAPNG_W_OK;
		return w;
	}
	if (err && errlen)
		message(path, e, w ? w->sys_errno : 0, at, err, errlen);
	if (error)
		*error = e;
	if (w)
		writer_free(w);
	return NULL;
}

struct rtclab_pcapng_writer *rtclab_pcapng_writer_open(const char *path, enum rtclab_pcapng_werr *error, char *err,
						       size_t errlen)
{
	return open_any(path, NULL, error, err, errlen);
}

struct rtclab_pcapng_writer *rtclab_pcapng_writer_open_pcap(const char *path, const char *at,
							    enum rtclab_pcapng_werr *error, char *err,
							    size_t errlen)
{
	return open_any(path, at ? at : "", error, err, errlen);
}

/* --- interfaces ---------------------------------------------------------------------------- */

static void interface_block(struct rtclab_pcapng_writer *w, const char *name, const char *description,
			    enum rtclab_linktype linktype)
{
	static const uint8_t nanoseconds = 9; /* if_tsresol: 10^-9 s */
	size_t nl = strlen(name), dl = description ? strlen(description) : 0;
	/* type, length, link type, reserved, snaplen; options; end of options; length */
	uint32_t total = 16 + (uint32_t)(option_size(nl) + (dl ? option_size(dl) : 0) + option_size(1)) + 4 + 4;
	out32(w, BT_IDB);
	out32(w, total);
	out16(w, (uint16_t)linktype);
	out16(w, 0);
	out32(w, RTCLAB_PCAPNG_WRITER_SNAPLEN);
	out_option(w, OPT_IF_NAME, name, nl);
	if (dl)
		out_option(w, OPT_IF_DESCRIPTION, description, dl);
	out_option(w, OPT_IF_TSRESOL, &nanoseconds, 1);
	out32(w, OPT_ENDOFOPT);
	out32(w, total);
}

/* The classic pcap file header (draft-ietf-opsawg-pcap 4), little-endian. */
static void pcap_header(struct rtclab_pcapng_writer *w, enum rtclab_linktype linktype)
{
	out32(w, PCAP_NS_MAGIC);
	out16(w, 2); /* version 2.4 */
	out16(w, 4);
	out32(w, 0); /* reserved (thiszone) */
	out32(w, 0); /* reserved (sigfigs) */
	out32(w, RTCLAB_PCAPNG_WRITER_SNAPLEN);
	out32(w, (uint32_t)linktype);
}

static bool keep_interface(struct rtclab_pcapng_writer *w, const char *name, enum rtclab_linktype linktype)
{
	if (w->n_ifaces == w->cap_ifaces) {
		size_t cap = w->cap_ifaces ? w->cap_ifaces * 2 : 8;
		struct iface *grown = realloc(w->ifaces, cap * sizeof *grown);
		if (!grown)
			return false;
		w->ifaces = grown;
		w->cap_ifaces = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return false;
	w->ifaces[w->n_ifaces].name = copy;
	w->ifaces[w->n_ifaces].linktype = linktype;
	w->n_ifaces++;
	return true;
}

enum rtclab_pcapng_werr rtclab_pcapng_writer_add_interface(struct rtclab_pcapng_writer *w, const char *name,
							   const char *description, enum rtclab_linktype linktype,
							   uint32_t *id)
{
	if (w->error)
		return w->error;
	if (!rtclab_linktype_name(linktype))
		return fail(w, RTCLAB_PCAPNG_W_LINKTYPE, 0);
	if (w->n_ifaces == RTCLAB_PCAPNG_WRITER_MAX_INTERFACES)
		return fail(w, RTCLAB_PCAPNG_W_TOO_MANY_INTERFACES, 0);
	if (strlen(name) > 65535 || (description && strlen(description) > 65535))
		return fail(w, RTCLAB_PCAPNG_W_OPTION, 0);
	if (!keep_interface(w, name, linktype))
		return fail(w, RTCLAB_PCAPNG_W_NOMEM, 0);
	uint32_t new_id = (uint32_t)(w->n_ifaces - 1);
	if (!w->pcap) {
		interface_block(w, name, description, linktype);
	} else if (!w->have_wire && strcmp(name, w->at) == 0) {
		w->have_wire = true;
		w->wire = new_id;
		pcap_header(w, linktype);
	}
	if (id)
		*id = new_id;
	return w->error;
}

bool rtclab_pcapng_writer_find_interface(const struct rtclab_pcapng_writer *w, const char *name, uint32_t *id)
{
	for (size_t i = 0; i < w->n_ifaces; i++)
		if (strcmp(w->ifaces[i].name, name) == 0) {
			if (id)
				*id = (uint32_t)i;
			return true;
		}
	return false;
}

/* --- packets ------------------------------------------------------------------------------ */

static void enhanced_packet(struct rtclab_pcapng_writer *w, uint32_t id, uint64_t ts, const void *frame,
			    size_t len)
{
	uint32_t total = 32 + (uint32_t)(len + pad4(len));
	uint8_t h[28];
	uint32_t fields[7] = {BT_EPB, total, id, (uint32_t)(ts >> 32), (uint32_t)ts, (uint32_t)len, (uint32_t)len};
	for (int i = 0; i < 7; i++)
		for (int b = 0; b < 4; b++)
			h[i * 4 + b] = (uint8_t)(fields[i] >> (8 * b));
	out(w, h, sizeof h);
	out(w, frame, len);
	out_pad(w, len);
	out32(w, total);
}

static void pcap_record(struct rtclab_pcapng_writer *w, uint64_t ts, const void *frame, size_t len)
{
	out32(w, (uint32_t)(ts / 1000000000u));
	out32(w, (uint32_t)(ts % 1000000000u));
	out32(w, (uint32_t)len);
	out32(w, (uint32_t)len);
	out(w, frame, len);
}

enum rtclab_pcapng_werr rtclab_pcapng_writer_write(struct rtclab_pcapng_writer *w, uint32_t id, int64_t ts_ns,
						   const void *frame, size_t len)
{
	if (w->error)
		return w->error;
	if (id >= w->n_ifaces)
		return fail(w, RTCLAB_PCAPNG_W_INTERFACE, 0);
	if (len > RTCLAB_PCAPNG_WRITER_SNAPLEN)
		return fail(w, RTCLAB_PCAPNG_W_FRAME_SIZE, 0);
	if (ts_ns < 0)
		return fail(w, RTCLAB_PCAPNG_W_TIME, 0);
	if (!w->pcap)
		enhanced_packet(w, id, (uint64_t)ts_ns, frame, len);
	else if (w->have_wire && id == w->wire)
		pcap_record(w, (uint64_t)ts_ns, frame, len);
	else
		return RTCLAB_PCAPNG_W_OK; /* another wire: not in this file */
	if (!w->error)
		w->frames++;
	return w->error;
}

/* --- closing ------------------------------------------------------------------------------ */

enum rtclab_pcapng_werr rtclab_pcapng_writer_close(struct rtclab_pcapng_writer *w, char *err, size_t errlen)
{
	if (w->pcap && !w->have_wire)
		fail(w, RTCLAB_PCAPNG_W_NO_WIRE, 0);
	errno = 0;
	if (!w->error && fflush(w->f) != 0)
		fail(w, RTCLAB_PCAPNG_W_WRITE, errno ? errno : EIO);
	if (!w->error && fsync(fileno(w->f)) != 0 && errno != EINVAL)
		fail(w, RTCLAB_PCAPNG_W_WRITE, errno);
	errno = 0;
	if (fclose(w->f) != 0)
		fail(w, RTCLAB_PCAPNG_W_WRITE, errno ? errno : EIO);
	if (!w->error && rename(w->tmp, w->path) != 0)
		fail(w, RTCLAB_PCAPNG_W_RENAME, errno);
	enum rtclab_pcapng_werr e = w->error;
	if (e) {
		unlink(w->tmp);
		if (err && errlen)
			rtclab_pcapng_writer_message(w, err, errlen);
	}
	writer_free(w);
	return e;
}

void rtclab_pcapng_writer_discard(struct rtclab_pcapng_writer *w)
{
	if (!w)
		return;
	fclose(w->f);
	unlink(w->tmp);
	writer_free(w);
}
