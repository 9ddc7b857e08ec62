/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The other host of `vnetlat run --remote ssh://...` (vnetlat-run(8)): one ssh
 * connection (sys/ssh.h), a private `mktemp -d` directory there for the run's
 * files, and the vnetlat that runs there: its own when `vnetlat --version`
 * matches ours, else the static build for its `uname -m` copied into that
 * directory. Closing stops every program started there and removes the
 * directory: nothing is installed or left on the remote.
 */
#ifndef VNL_REMOTEHOST_H
#define VNL_REMOTEHOST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vnl_child;
struct vnl_remotehost;

/*
 * Connects to URL (with OPTIONS, NOPT "-o" values for ssh) and prepares the
 * remote vnetlat. NULL after saying why (vnl_err).
 */
struct vnl_remotehost *vnl_remotehost_open(const char *url, const char *const *options,
					   size_t nopt);
/* Stops the clock answerer, removes the remote directory, closes ssh. */
void vnl_remotehost_close(struct vnl_remotehost *h);

/* "USER@HOST": how reports name it. */
const char *vnl_remotehost_name(const struct vnl_remotehost *h);
/* The run's directory there ("/tmp/vnetlat.XXXXXX"), for the programs' files. */
const char *vnl_remotehost_dir(const struct vnl_remotehost *h);
/* Is the connection still up? */
bool vnl_remotehost_alive(const struct vnl_remotehost *h);

/*
 * Starts vnetlat ARGV[1..] there (ARGV[0] is replaced by the remote's
 * vnetlat), stopped with SIGINT when *STDIN_FD is closed or the connection
 * drops. 0, or -1 (errno).
 */
int vnl_remotehost_spawn(struct vnl_remotehost *h, const char *const argv[],
			 struct vnl_child **child, int *stdin_fd);
/*
 * Runs the remote's vnetlat with ARGV[1..] (ARGV[0] is replaced) to its end,
 * its stdout into OUT (stderr dropped). Its exit status, 255 when ssh failed.
 */
int vnl_remotehost_vnetlat(struct vnl_remotehost *h, const char *const argv[], char *out,
			   size_t len);
/* The remote interface that holds ADDR ("" when none is found, or no ip(8) there). */
void vnl_remotehost_ifname(struct vnl_remotehost *h, const char *addr, char *buf, size_t len);
/* Does a socket there listen on UDP PORT? */
bool vnl_remotehost_listening(struct vnl_remotehost *h, uint16_t port);
/* Copies the remote file PATH to LOCAL. 0, or -1 after saying why. */
int vnl_remotehost_fetch(struct vnl_remotehost *h, const char *path, const char *local);
/* The remote small text file PATH (at most LEN-1 bytes) into BUF. 0, or -1. */
int vnl_remotehost_read(struct vnl_remotehost *h, const char *path, char *buf, size_t len);

/*
 * Starts 'vnetlat clock answer --bind ADDR --port PORT' there and waits until
 * it listens. 0, or -1 after saying why.
 */
int vnl_remotehost_clock_start(struct vnl_remotehost *h, const char *addr, uint16_t port);

/* {name, url, arch, kernel, vnetlat: {version, how: "found"|"copied", path}}: new reference. */
json_t *vnl_remotehost_json(const struct vnl_remotehost *h);

#endif
