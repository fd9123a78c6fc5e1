#ifndef STORAGEKIT_CLIBNFS_SHIM_H
#define STORAGEKIT_CLIBNFS_SHIM_H
/* libnfs 4.0's header uses struct timeval, size_t and friends without including them. */
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <poll.h>
#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-mount.h>
#include <nfsc/libnfs-raw-portmap.h>
#endif
