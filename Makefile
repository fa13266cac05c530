# SPDX-License-Identifier: GPL-2.0
# enclave_ipfix: see README.md. `make` builds the module and userctl,
# `make check` runs every test suite, `make demo` shows the product in a VM.

SHELL := /bin/bash
VERSION := 0.1.0

# Kernel headers: the running kernel's build dir, else the newest installed
# Debian headers.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))))

.PHONY: all module userctl clean check deps demo bench install

all: module userctl

module:
	@test -n "$(KDIR)" || { echo "no kernel headers found: set KDIR= or run 'make deps'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userctl:
	$(MAKE) -C userctl

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userctl clean

deps:
	tests/lib/deps.sh

check:
	tests/run-all.sh
