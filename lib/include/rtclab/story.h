/* rtclab/story.h - the six steps of a WebRTC connection that every decoded
 * message and every timeline event is placed in (see README.md). */
#ifndef RTCLAB_STORY_H
#define RTCLAB_STORY_H

#ifdef __cplusplus
extern "C" {
#endif

enum rtclab_step {
	RTCLAB_STEP_NONE = 0,
	RTCLAB_STEP_OFFER = 1,   /* peer A creates an SDP offer and signals it */
	RTCLAB_STEP_ANSWER = 2,  /* peer B answers through the same channel */
	RTCLAB_STEP_NAT = 3,     /* descriptions set, but NATs and firewalls stand between */
	RTCLAB_STEP_GATHER = 4,  /* candidates gathered: host, srflx via STUN, relay via TURN */
	RTCLAB_STEP_TRICKLE = 5, /* candidates trickled over signaling */
	RTCLAB_STEP_CHECKS = 6,  /* connectivity checks, nomination, then DTLS and media */
};

/* A sentence fragment: "Step 4: gathering candidates". */
const char *rtclab_step_title(enum rtclab_step step);
/* One or two sentences about the step as a whole. */
const char *rtclab_step_explain(enum rtclab_step step);

/* A placement of one message in the story. */
struct rtclab_story {
	enum rtclab_step step;
	const char *why; /* one or two plain sentences; static text */
};

#ifdef __cplusplus
}
#endif
#endif
