/* rtclab/capture.h - packets from a capture file, standard input or a live
 * interface (through libpcap), decoded with rtclab_packet_decode; and a pcap
 * writer that never leaves a partial file behind.
 *
 * These are the only librtclab functions that do I/O.  Like the rest of the
 * library they never print or exit: errors come back as text in the
 * caller's buffer (RTCLAB_CAPTURE_ERRLEN bytes is enough), naming the file
 * or the frame and what is wrong.
 *
 * Files: pcap (microsecond or nanosecond) and pcapng, told apart by their
 * magic number, not their name.  pcap files are read by libpcap; pcapng
 * files by rtclab's own reader (lib/pcapng.c), because libpcap 1.10
 * stops at a second interface with another link type: each packet is
 * decoded with the link type of its own interface, and a BPF filter is
 * compiled once per link type.  rtclab_capture_linktype() is then the
 * first interface's.
 */
#ifndef RTCLAB_CAPTURE_H
#define RTCLAB_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtclab/packet.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTCLAB_CAPTURE_ERRLEN 512

struct rtclab_capture;

/* Open a pcap or pcapng file; "-" reads standard input.  Timestamps are
 * kept to the nanosecond.  NULL with a message in err when the file cannot
 * be opened, is empty, is not a capture, has a truncated header or a link
 * type rtclab does not decode (see rtclab_linktype_name). */
struct rtclab_capture *rtclab_capture_open_file(const char *path, char *err, size_t errlen);

/* Capture live on an interface (pcap_create + pcap_activate) in immediate
 * mode: each packet is returned as soon as it arrives.  snaplen 0 means
 * 262144.  Usually needs root or CAP_NET_RAW. */
struct rtclab_capture *rtclab_capture_open_live(const char *iface, int snaplen, bool promisc, char *err,
						size_t errlen);

/* Keep only the frames that match a BPF filter expression (the syntax of
 * tcpdump, pcap-filter(7)).  From a file the frames that do not match are
 * still counted, so frame numbers stay the file's own; live, the kernel
 * filters and only matching frames are numbered.  False with a message
 * when the expression does not compile.  Note that a filter on ports does
 * not match the later fragments of an IPv4 datagram. */
bool rtclab_capture_set_filter(struct rtclab_capture *cap, const char *expr, char *err, size_t errlen);

enum rtclab_capture_status {
	RTCLAB_CAPTURE_PACKET, /* *pkt is the next frame, decoded */
	RTCLAB_CAPTURE_END,    /* end of the file, or rtclab_capture_break() */
	RTCLAB_CAPTURE_ERROR,  /* err says which frame and what is wrong; then END */
	RTCLAB_CAPTURE_NONE,   /* live, after rtclab_capture_set_nonblocking(): no packet now */
};

/* The next frame (that matches the filter), decoded: pkt->frame is its
 * 1-based number in the capture, pkt->ts_ns its time.  pkt->data and the
 * payload views point into libpcap's buffer or the reassembly buffer and
 * are valid until the next call.  Every complete frame before damage in
 * the file is returned before the error, e.g. "frame 27: the file ends in
 * the middle of a record (12 of 98 bytes)".  At the end, the IPv4
 * datagrams still incomplete are given up (rtclab_defrag_flush), so their
 * reports can be taken from rtclab_capture_defrag(). */
enum rtclab_capture_status rtclab_capture_next(struct rtclab_capture *cap, struct rtclab_packet *pkt, char *err,
					       size_t errlen);

/* A live capture: rtclab_capture_next() returns RTCLAB_CAPTURE_NONE at
 * once when no packet is waiting, instead of waiting for one (for a caller
 * with its own loop, such as a terminal UI).  False with a message when
 * libpcap cannot; no effect on files. */
bool rtclab_capture_set_nonblocking(struct rtclab_capture *cap, char *err, size_t errlen);

/* How far a capture file has been read, in bytes from its start (for a
 * progress indicator); -1 when not known (standard input, live). */
int64_t rtclab_capture_position(const struct rtclab_capture *cap);

/* The link type of the capture (the first interface of a pcapng file). */
enum rtclab_linktype rtclab_capture_linktype(const struct rtclab_capture *cap);

/* The snapshot length of the capture. */
int rtclab_capture_snaplen(const struct rtclab_capture *cap);

struct rtclab_capture_stats {
	uint64_t frames_read;     /* every frame read, matching or not */
	uint64_t frames_filtered; /* those the filter rejected */
};
void rtclab_capture_stats(const struct rtclab_capture *cap, struct rtclab_capture_stats *st);

/* The reassembly state, to take the reports of datagrams that never
 * completed (rtclab_defrag_next_report). */
struct rtclab_defrag *rtclab_capture_defrag(struct rtclab_capture *cap);

/* Make rtclab_capture_next() return END soon (for a live capture: from a
 * signal handler, through pcap_breakloop). */
void rtclab_capture_break(struct rtclab_capture *cap);

void rtclab_capture_close(struct rtclab_capture *cap);

/* --- writing ---------------------------------------------------------------------------- */

struct rtclab_pcap_writer;

/* Start a pcap file (nanosecond timestamps) at path.  The packets go to a
 * temporary file in the same directory ("path.XXXXXX", mode 0644), renamed
 * to path by a successful rtclab_pcap_writer_close().  NULL with a message
 * when the link type is not one rtclab reads or the file cannot be made. */
struct rtclab_pcap_writer *rtclab_pcap_writer_open(const char *path, enum rtclab_linktype linktype, int snaplen,
						   char *err, size_t errlen);

/* Append pkt's frame (pkt->data, pkt->wire_len, pkt->ts_ns), cut to the
 * snaplen.  False once a write has failed (close then says why). */
bool rtclab_pcap_writer_write(struct rtclab_pcap_writer *w, const struct rtclab_packet *pkt);

/* Finish: flush, close and rename into place.  On any failure (of this or
 * an earlier write) the temporary file is removed, nothing is left at path
 * that was not there before, and err says why.  Frees w. */
bool rtclab_pcap_writer_close(struct rtclab_pcap_writer *w, char *err, size_t errlen);

/* Give up: remove the temporary file.  Frees w. */
void rtclab_pcap_writer_discard(struct rtclab_pcap_writer *w);

#ifdef __cplusplus
}
#endif
#endif
