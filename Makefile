# SPDX-License-Identifier: GPL-2.0
# enclave_ipfix: see README.md. `make` builds the module and userctl,
# `make check` runs every test suite, `make demo` shows the product in a VM.

SHELL := /bin/bash
VERSION := 0.1.0

# Kernel headers: the running kernel's build dir, else the newest installed
# Debian headers.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))))

.PHONY: all module userctl clean check deps demo bench install uninstall

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

# --- install / uninstall (README and docs/install.md: "Installing on a host") ------
# make install [DESTDIR=...] [PREFIX=/usr] [DKMS=yes|no [MODULE_KO=...]]
# userctl, its man page, the systemd unit, a modules-load.d entry, the default profile
# (never overwriting one), and the module: with DKMS (a copy of the module's sources in
# /usr/src/enclave_ipfix-$(VERSION), `dkms add`, `dkms install` for every kernel that has
# headers) when dkms is installed, else `modules_install` for KDIR. With a DESTDIR other
# than /, nothing outside DESTDIR is touched: the DKMS sources are staged there and
# `dkms` is left to the package's postinst (or to you).
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
MODULESLOADDIR ?= $(PREFIX)/lib/modules-load.d
SYSCONFDIR ?= /etc
PROFILEDIR ?= $(SYSCONFDIR)/enclave/profiles
DKMS ?= $(if $(shell command -v dkms 2>/dev/null),yes,no)
# DKMS=no MODULE_KO=path/enclave_ipfix.ko: install that already built module (for the
# kernel its vermagic names) instead of building one.
MODULE_KO ?=
MODULE_KREL = $(firstword $(shell modinfo -F vermagic $(MODULE_KO)))
DKMS_SRC := /usr/src/enclave_ipfix-$(VERSION)
DKMS_SOURCES = Kbuild Makefile include/uapi/linux/enclave_ipfix.h $(wildcard kmod/*.[ch])
# A real install (not staged into a DESTDIR) runs dkms, depmod and systemctl.
REAL_INSTALL = $(if $(filter-out /,$(DESTDIR)),,yes)
UNIT := enclave-ipfix-agent.service

install: userctl
	install -D -m 0755 userctl/build/userctl $(DESTDIR)$(SBINDIR)/userctl
	install -D -m 0644 userctl/userctl.8 $(DESTDIR)$(MANDIR)/man8/userctl.8
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/sbin/userctl|$(SBINDIR)/userctl|g; s|/etc/enclave/profiles|$(PROFILEDIR)|g' \
		userctl/$(UNIT) >$(DESTDIR)$(UNITDIR)/$(UNIT)
	chmod 0644 $(DESTDIR)$(UNITDIR)/$(UNIT)
	install -D -m 0644 userctl/enclave_ipfix.conf $(DESTDIR)$(MODULESLOADDIR)/enclave_ipfix.conf
	install -d -m 0755 $(DESTDIR)$(PROFILEDIR)
	@if [ -e $(DESTDIR)$(PROFILEDIR)/Universe.profile ]; then \
		echo "install: keeping the existing $(DESTDIR)$(PROFILEDIR)/Universe.profile"; \
	else \
		echo "install -m 0644 userctl/Universe.profile $(DESTDIR)$(PROFILEDIR)/Universe.profile"; \
		install -m 0644 userctl/Universe.profile $(DESTDIR)$(PROFILEDIR)/Universe.profile; \
	fi
ifeq ($(DKMS),yes)
	rm -rf $(DESTDIR)$(DKMS_SRC)
	@set -e; for f in $(DKMS_SOURCES); do install -D -m 0644 $$f $(DESTDIR)$(DKMS_SRC)/$$f; done
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VERSION)"/' dkms.conf >$(DESTDIR)$(DKMS_SRC)/dkms.conf
ifeq ($(REAL_INSTALL),yes)
	@set -e; \
	if dkms status -m enclave_ipfix -v $(VERSION) | grep -q .; then \
		echo "dkms remove -m enclave_ipfix -v $(VERSION) --all"; \
		dkms remove -m enclave_ipfix -v $(VERSION) --all >/dev/null; \
	fi; \
	echo "dkms add -m enclave_ipfix -v $(VERSION)"; \
	dkms add -m enclave_ipfix -v $(VERSION); \
	n=0; for b in /lib/modules/*/build; do \
		[ -e "$$b/Makefile" ] || continue; \
		k=$${b#/lib/modules/}; k=$${k%/build}; \
		echo "dkms install -m enclave_ipfix -v $(VERSION) -k $$k"; \
		dkms install -m enclave_ipfix -v $(VERSION) -k $$k; n=$$((n + 1)); \
	done; \
	[ $$n -gt 0 ] || { echo "install: no kernel headers installed (linux-headers-$$(uname -r)?): the module is added to DKMS but built for no kernel" >&2; exit 1; }
else
	@echo "install: DKMS sources staged in $(DESTDIR)$(DKMS_SRC); on the target run:"
	@echo "    dkms add -m enclave_ipfix -v $(VERSION) && dkms install -m enclave_ipfix -v $(VERSION)"
endif
else ifneq ($(MODULE_KO),)
	install -D -m 0644 $(MODULE_KO) $(DESTDIR)/lib/modules/$(MODULE_KREL)/updates/enclave_ipfix.ko
	$(if $(REAL_INSTALL),depmod -a $(MODULE_KREL))
else
	$(MAKE) module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates \
		$(if $(REAL_INSTALL),,INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	@# Debian's headers have no System.map, so modules_install skips depmod.
	$(if $(REAL_INSTALL),depmod -a $$(cat $(KDIR)/include/config/kernel.release))
endif
	@if [ "$(REAL_INSTALL)" = yes ] && [ -d /run/systemd/system ]; then \
		echo "systemctl daemon-reload"; systemctl daemon-reload; \
	fi
	@echo "install: done. Next: edit $(PROFILEDIR)/Universe.profile, then"
	@echo "    modprobe enclave_ipfix && userctl push-config && systemctl enable --now $(UNIT)"

uninstall:
	@if [ "$(REAL_INSTALL)" = yes ] && [ -d /run/systemd/system ] && \
	    systemctl is-enabled --quiet $(UNIT) 2>/dev/null; then \
		echo "systemctl disable --now $(UNIT)"; systemctl disable --now $(UNIT); \
	fi
	rm -f $(DESTDIR)$(SBINDIR)/userctl $(DESTDIR)$(MANDIR)/man8/userctl.8 \
		$(DESTDIR)$(UNITDIR)/$(UNIT) $(DESTDIR)$(MODULESLOADDIR)/enclave_ipfix.conf
	@# The profile goes only if it is still the example: an edited one is yours.
	@if cmp -s userctl/Universe.profile $(DESTDIR)$(PROFILEDIR)/Universe.profile; then \
		echo "rm -f $(DESTDIR)$(PROFILEDIR)/Universe.profile"; \
		rm -f $(DESTDIR)$(PROFILEDIR)/Universe.profile; \
		rmdir $(DESTDIR)$(PROFILEDIR) $(DESTDIR)$(dir $(PROFILEDIR)) 2>/dev/null || true; \
	elif [ -e $(DESTDIR)$(PROFILEDIR)/Universe.profile ]; then \
		echo "uninstall: keeping $(DESTDIR)$(PROFILEDIR)/Universe.profile (it differs from the example)"; \
	fi
	@if [ "$(REAL_INSTALL)" = yes ] && command -v dkms >/dev/null && \
	    dkms status -m enclave_ipfix -v $(VERSION) | grep -q .; then \
		echo "dkms remove -m enclave_ipfix -v $(VERSION) --all"; \
		dkms remove -m enclave_ipfix -v $(VERSION) --all; \
	fi
	rm -rf $(DESTDIR)$(DKMS_SRC)
	@# A module installed without DKMS (modules_install into updates/).
	@for m in $(DESTDIR)/lib/modules/*/updates/enclave_ipfix.ko*; do \
		[ -e "$$m" ] || continue; echo "rm -f $$m"; rm -f "$$m"; \
		k=$${m#$(DESTDIR)/lib/modules/}; k=$${k%%/*}; \
		if [ "$(REAL_INSTALL)" = yes ]; then depmod -a "$$k"; fi; \
	done
	@if [ "$(REAL_INSTALL)" = yes ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@if [ "$(REAL_INSTALL)" = yes ] && grep -q '^enclave_ipfix ' /proc/modules; then \
		echo "uninstall: enclave_ipfix is still loaded; unload it with: modprobe -r enclave_ipfix"; \
	fi

# --- demo: the README's first command ------------------------------------------------
# make demo [KERNEL=6.1|6.12]: boots Debian's kernel in QEMU with the module and shows
# flows as nfdump decodes them (tests/e2e/demo.sh; DEMO_ARGS=--check checks the output).
KERNEL ?= 6.1
demo:
	tests/e2e/demo.sh $(DEMO_ARGS) $(KERNEL)

# --- bench: performance (tests/bench/BENCHMARKS.md) -------------------------------------
# make bench: the native encoder benchmark, then one VM boot per kernel (6.1, 6.12)
# alternating the configurations; raw output and reports in tests/bench/results/.
# make bench-smoke: the same harness at tiny counts (6.1 only): `make check` runs it.
.PHONY: bench-smoke
bench:
	tests/bench/bench.sh

bench-smoke:
	tests/bench/bench.sh --smoke

# --- single suites ---------------------------------------------------------------------
# make kunit-6.12, make e2e-6.1 [TESTS="t_flows t_acl"], make vm-6.1 SCRIPT=guest.sh
KVERS := 6.1 6.12
.PHONY: kunit e2e $(KVERS:%=kunit-%) $(KVERS:%=e2e-%) $(KVERS:%=vm-%)
kunit: $(KVERS:%=kunit-%)
e2e: $(KVERS:%=e2e-%)
$(KVERS:%=kunit-%): kunit-%:
	tests/kunit/run.sh $*
$(KVERS:%=e2e-%): e2e-%:
	tests/e2e/run.sh $* $(TESTS)
$(KVERS:%=vm-%): vm-%:
	tests/e2e/vm.sh $* $(SCRIPT)
