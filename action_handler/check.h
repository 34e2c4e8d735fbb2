/*
 * Start-up checks of the files the action handler depends on: --check
 * (configuration, token files, SSH key, passphrase file, known_hosts, every
 * rule, the job store's directory) and loading the key passphrase.
 */
#ifndef ALEXIS_AH_CHECK_H
#define ALEXIS_AH_CHECK_H

#include <stddef.h>

#include "compat.h"

struct action_handler;

/* --check: print every problem to stderr as "config: error: ..." (rules
 * as file:line:col), or "configuration OK (N rules)" to stdout. Returns
 * the exit code (0 or 1). */
int check_config(struct action_handler *ah);

/* Read ssh_key_passphrase_file (when set) into ah->passphrase: its first
 * line, without the line end (file_first_line, as alexis-ssh-probe reads
 * it). -1 with err (never the passphrase). */
int check_load_passphrase(struct action_handler *ah, char *err,
    size_t errlen) ATTR_WUR;

#endif
