/*
 * aegis/shell.h - the console shell's interface on the bus
 * (services/shell/shell.c; its contract is contracts/shell.def).
 *
 *   "shell.complete" request (struct shell_complete): complete the word
 *                    before the console's cursor - a command if it is the
 *                    line's first word, else a path. The reply (struct
 *                    shell_completion) is the text to insert: the rest of
 *                    the only match (and "/" or " " after it), or what
 *                    all matches share; when several match and share
 *                    nothing more, the shell prints them and the reply is
 *                    empty.
 *   "shell.key"      message (uint32_t, the byte): a key typed while the
 *                    console takes keys one by one for the shell (top,
 *                    bus echo); only the console's is taken.
 *   "shell.more"     message: the shell's own, to itself - the next step
 *                    of a command that runs long (cat of an endless
 *                    file), so typed keys (Ctrl-C) are read between steps.
 */
#ifndef AEGIS_SHELL_H
#define AEGIS_SHELL_H

#include <stdint.h>

#define SHELL_WORD_MAX	38

struct shell_complete {
	uint8_t first;		/* 1: the line's first word */
	uint8_t len;
	char word[SHELL_WORD_MAX];
};

struct shell_completion {
	uint8_t len;
	char text[SHELL_WORD_MAX + 1];
};

#endif
