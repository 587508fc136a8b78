/* rtclab/pcapng_writer.h - writing what crossed the simulated wires: a
 * pcapng file with one named interface per vantage point (inside LAN A,
 * the public side, ...), or a classic pcap of one of those wires.
 *
 * pcapng (draft-ietf-opsawg-pcapng): little-endian; one Section Header
 * Block (shb_userappl "rtclab"), one Interface Description Block per
 * interface with if_name, if_description and if_tsresol 9 (nanoseconds),
 * then Enhanced Packet Blocks.  libpcap cannot write several interfaces,
 * so the blocks are written here.  Classic pcap: the nanosecond format
 * (magic a1b23c4d, little-endian) holding only the frames of the interface
 * named at open; the frames of the other interfaces are left out.
 *
 * Like rtclab_pcap_writer (capture.h), it never leaves a partial file: the
 * blocks go to a temporary file in the same directory ("path.XXXXXX",
 * mode 0644), renamed to path by a successful close; on any failure, or
 * on discard, the temporary file is removed.  The first error is kept
 * (every later call returns it and writes nothing) and close reports it.
 * Errors are values (enum rtclab_pcapng_werr); rtclab_pcapng_writer_message
 * makes the sentence, naming the file.  This file and capture.c are the
 * only parts of librtclab that write files.
 */
#ifndef RTCLAB_PCAPNG_WRITER_H
#define RTCLAB_PCAPNG_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/packet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most interfaces one file may have (as rtclab's reader accepts). */
#define RTCLAB_PCAPNG_WRITER_MAX_INTERFACES 65536u
/* The largest frame written; longer frames are an error, not cut. */
#define RTCLAB_PCAPNG_WRITER_SNAPLEN 262144u
/* Enough for any message of rtclab_pcapng_writer_message() but the path. */
#define RTCLAB_PCAPNG_WRITER_ERRLEN 512

enum rtclab_pcapng_werr {
	RTCLAB_PCAPNG_W_OK = 0,
	RTCLAB_PCAPNG_W_NOMEM,
	RTCLAB_PCAPNG_W_CREATE,      /* the temporary file cannot be created (errno) */
	RTCLAB_PCAPNG_W_WRITE,       /* writing or flushing failed (errno) */
	RTCLAB_PCAPNG_W_RENAME,      /* the finished file cannot be put in place (errno) */
	RTCLAB_PCAPNG_W_LINKTYPE,    /* a link type rtclab does not read (rtclab_linktype_name) */
	RTCLAB_PCAPNG_W_TOO_MANY_INTERFACES,
	RTCLAB_PCAPNG_W_OPTION,      /* an interface name or description longer than 65535 bytes */
	RTCLAB_PCAPNG_W_INTERFACE,   /* a frame for an interface id that was never added */
	RTCLAB_PCAPNG_W_FRAME_SIZE,  /* a frame longer than RTCLAB_PCAPNG_WRITER_SNAPLEN */
	RTCLAB_PCAPNG_W_TIME,        /* a negative time */
	RTCLAB_PCAPNG_W_NO_WIRE,     /* classic pcap: no interface had the name given at open */
};

/* "nomem", "create", ...: a short id. */
const char *rtclab_pcapng_werr_id(enum rtclab_pcapng_werr e);
/* A phrase: "cannot create a file next to it", ... */
const char *rtclab_pcapng_werr_str(enum rtclab_pcapng_werr e);

struct rtclab_pcapng_writer;

/* Start a pcapng file at path.  NULL when it cannot (*error says why, and
 * err, if not NULL, gets the sentence with the path). */
struct rtclab_pcapng_writer *rtclab_pcapng_writer_open(const char *path, enum rtclab_pcapng_werr *error, char *err,
						       size_t errlen);

/* Start a classic pcap file (nanoseconds) of the one wire whose interface
 * is called `at` (the `--at` of `rtclab sim`).  Interfaces are still added
 * by name: the one called `at` gives the file its link type, the frames of
 * the others are left out.  close fails with RTCLAB_PCAPNG_W_NO_WIRE when
 * none was called so. */
struct rtclab_pcapng_writer *rtclab_pcapng_writer_open_pcap(const char *path, const char *at,
							    enum rtclab_pcapng_werr *error, char *err,
							    size_t errlen);

/* Describe an interface: its id (0, 1, ... in the order added) in *id.
 * description may be NULL or "" (then no if_description).  The IDB is
 * written now, so an interface may be added after packets of others. */
enum rtclab_pcapng_werr rtclab_pcapng_writer_add_interface(struct rtclab_pcapng_writer *w, const char *name,
							   const char *description, enum rtclab_linktype linktype,
							   uint32_t *id);

/* The id of the interface called name: false when there is none. */
bool rtclab_pcapng_writer_find_interface(const struct rtclab_pcapng_writer *w, const char *name, uint32_t *id);

/* One frame seen on interface id at ts_ns nanoseconds since the Unix
 * epoch (a simulation adds its own epoch to its virtual time). */
enum rtclab_pcapng_werr rtclab_pcapng_writer_write(struct rtclab_pcapng_writer *w, uint32_t id, int64_t ts_ns,
						   const void *frame, size_t len);

/* Frames written to the file so far (for classic pcap: those of its wire). */
uint64_t rtclab_pcapng_writer_frames(const struct rtclab_pcapng_writer *w);

/* The first error so far (RTCLAB_PCAPNG_W_OK when none). */
enum rtclab_pcapng_werr rtclab_pcapng_writer_error(const struct rtclab_pcapng_writer *w);

/* The first error as a sentence naming the file: "out.pcapng: cannot write:
 * No space left on device".  Returns the length it needs (like snprintf). */
size_t rtclab_pcapng_writer_message(const struct rtclab_pcapng_writer *w, char *buf, size_t len);

/* Finish: flush, close and rename into place.  On any failure (of this or
 * an earlier call) the temporary file is removed, nothing is left at path
 * that was not there before, and err (if not NULL) gets the sentence.
 * Frees w. */
enum rtclab_pcapng_werr rtclab_pcapng_writer_close(struct rtclab_pcapng_writer *w, char *err, size_t errlen);

/* Give up: remove the temporary file.  Frees w (NULL is fine). */
void rtclab_pcapng_writer_discard(struct rtclab_pcapng_writer *w);

#ifdef __cplusplus
}
#endif
#endif
