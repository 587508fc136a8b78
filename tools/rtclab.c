/* rtclab: one command, one subcommand per source file (tools/cmd_*.c). */
#include <stdio.h>
#include <string.h>

#include "rtclab/version.h"
#include "tool.h"

static const struct subcommand subcommands[] = {
	{"stun", "decode, verify and explain a STUN/TURN message", cmd_stun, usage_stun},
	{"candidate", "explain ICE candidate lines, and the check list they make", cmd_candidate, usage_candidate},
	{"sdp", "explain an SDP offer or answer line by line, or check a pair", cmd_sdp, usage_sdp},
	{"dump", "show the WebRTC messages of a capture, one line each (like tcpdump)", cmd_dump, usage_dump},
	{"replay", "tell the story of the connections in a capture, step by step", cmd_replay, usage_replay},
	{"sim", "simulate peers behind NATs in a scenario, and show their handshake", cmd_sim, usage_sim},
	{"nat-matrix", "which NAT behaviours connect, with and without TURN", cmd_nat_matrix, usage_nat_matrix},
	{"tui", "step through a capture or a scenario in a terminal UI", cmd_tui, usage_tui},
	{"walk", "the guided walkthrough of a WebRTC handshake (a bundled scenario)", cmd_walk, usage_walk},
};

#define N_SUBCOMMANDS (sizeof subcommands / sizeof subcommands[0])

static void usage(FILE *out)
{
	fputs("usage: rtclab [--version] [--help] COMMAND [ARGS]\n"
	      "\n"
	      "rtclab shows how a WebRTC connection is made: the SDP offer and answer, the ICE\n"
	      "candidates, the STUN and TURN messages, the checks between the peers.\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
	fputs("  help       this list, or 'rtclab help COMMAND' for one command\n"
	      "\n"
	      "Example: rtclab stun decode --hex 000100002112a442b7e7a701bc34d686fa87dfae\n"
	      "See man rtclab.\n",
	      out);
}

static const struct subcommand *find(const char *name)
{
	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		if (strcmp(subcommands[i].name, name) == 0)
			return &subcommands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("rtclab %s (librtclab %s)\n", RTCLAB_VERSION, rtclab_version());
		return EXIT_CLEAN;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	if (strcmp(cmd, "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_CLEAN;
		}
		const struct subcommand *s = find(argv[2]);
		if (!s) {
			fprintf(stderr, "rtclab: no command '%s'; 'rtclab help' lists them\n", argv[2]);
			return EXIT_USAGE;
		}
		s->usage(stdout);
		return EXIT_CLEAN;
	}
	const struct subcommand *s = find(cmd);
	if (!s) {
		fprintf(stderr, "rtclab: no command '%s'; 'rtclab help' lists them\n", cmd);
		return EXIT_USAGE;
	}
	return s->run(argc - 1, argv + 1);
}
