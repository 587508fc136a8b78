/* The curses screen of rtclab tui and rtclab walk (tui_screen.c). */
#ifndef RTCLAB_TUI_SCREEN_H
#define RTCLAB_TUI_SCREEN_H

#include <stdbool.h>
#include <stddef.h>

#include "tui.h"

enum tui_color { TUI_COLOR_AUTO = 0, TUI_COLOR_ALWAYS, TUI_COLOR_NEVER };

struct tui_opts {
	const char *cmd;        /* "rtclab tui", "rtclab walk" */
	bool walk;              /* the guided walkthrough: the explain pane, a first screen of help */
	bool predict;           /* ask which pair wins before the checks */
	bool ascii;             /* no box-drawing characters */
	enum tui_color color;
	size_t session;         /* 1-based: open it at once; 0: the list when there are several */
};

/* Run the screen until q.  The terminal is restored on return.  An exit
 * status: EXIT_CLEAN, or EXIT_PROBLEMS when the capture could not be read
 * to its end (the error was shown). */
int tui_run(struct tui_model *m, const struct tui_opts *o);

#endif
