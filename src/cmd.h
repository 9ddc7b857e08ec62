/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The verbs. Each takes argv starting at the verb and returns an exit code (log.h). */
#ifndef VNL_CMD_H
#define VNL_CMD_H

int cmd_lab(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_recv(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_guest(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_study(int argc, char **argv);
int cmd_clock(int argc, char **argv);
/* --version: the version and the build's features */
int cmd_version(void);

#endif
