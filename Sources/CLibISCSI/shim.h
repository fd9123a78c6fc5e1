#ifndef STORAGEKIT_CLIBISCSI_SHIM_H
#define STORAGEKIT_CLIBISCSI_SHIM_H
#include <stdint.h>
#include <stddef.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
#endif
