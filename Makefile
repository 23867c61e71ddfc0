# xlat464 build. `make` builds build/xlat464; `make check` runs the unit and vector tests;
# `make SAN=1 check` does the same under ASan+UBSan in build-san/; `make CC=clang` works too;
# `make fuzz` builds the libFuzzer targets with clang into build-fuzz/.
# Sources are found by wildcard: a new file in lib/<name>/, src/<name>/, tests/unit/ or fuzz/ needs no edit here.

CC      ?= cc
SAN     ?= 0
# Every folder under lib/ except lib/sys is a pure library (libc only).
PURE_LIBS := $(filter-out sys,$(notdir $(wildcard lib/*)))
O       := build
CFLAGS_BASE := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wno-unused-parameter -fno-strict-aliasing -D_GNU_SOURCE -Ilib
ifeq ($(SAN),1)
O       := build-san
CFLAGS_BASE += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
CFLAGS  ?=
CFLAGS  += $(CFLAGS_BASE)
LDLIBS_SYS := -lldns -lmnl -lpcap -lbpf -lpthread -lmicrohttpd -lseccomp -ljson-c -larchive
# The PLAT's kernel fast path (lib/sys/bpf): a TC program, compiled by clang for BPF and built into
# the binary by lib/sys/nat64_offload.c (.incbin).
BPF_CC    ?= clang
BPF_FLAGS := -O2 -g -Wall -Wextra -Werror -target bpf -mcpu=v3 -I/usr/include/$(shell $(CC) -print-multiarch 2>/dev/null || echo x86_64-linux-gnu) -Ilib/sys/bpf

PURE_SRC := $(foreach l,$(PURE_LIBS),$(wildcard lib/$(l)/*.c))
SYS_SRC  := $(wildcard lib/sys/*.c)
APP_SRC  := $(wildcard src/*/*.c)
PURE_OBJ := $(PURE_SRC:%.c=$(O)/%.o)
SYS_OBJ  := $(SYS_SRC:%.c=$(O)/%.o)
APP_OBJ  := $(APP_SRC:%.c=$(O)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)

.PHONY: lint-layers all check unit vectors purity lint-map fuzz bench bench-clat install uninstall man-check clean
all: $(O)/xlat464 $(O)/tests/offload_diff $(O)/tests/steer_diff $(O)/tests/clat_diff $(O)/tests/tunrelay $(O)/tests/synflood purity lint-map lint-layers

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# The kernel fast paths (lib/sys/bpf/NAME.bpf.c, TC programs) are compiled by clang for BPF and built
# into the binary by their loader lib/sys/NAME.c (.incbin, lib/sys/bpf_embed.h).
BPF_PROGS := $(notdir $(basename $(basename $(wildcard lib/sys/bpf/*.bpf.c))))
$(O)/bpf/%.bpf.o: lib/sys/bpf/%.bpf.c lib/sys/bpf/%_maps.h lib/sys/bpf/bpf_common.h
	@mkdir -p $(dir $@)
	$(BPF_CC) $(BPF_FLAGS) -c $< -o $@

$(foreach p,$(BPF_PROGS),$(eval $(O)/lib/sys/$(p).o: $(O)/bpf/$(p).bpf.o))
$(foreach p,$(BPF_PROGS),$(eval $(O)/lib/sys/$(p).o: CFLAGS += -DXLAT464_BPF_OBJ='"$(abspath $(O)/bpf/$(p).bpf.o)"'))

$(O)/libxlat464.a: $(PURE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(O)/libxlat464sys.a: $(SYS_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(O)/xlat464: $(APP_OBJ) $(O)/libxlat464sys.a $(O)/libxlat464.a
	$(CC) $(LDFLAGS) -o $@ $(APP_OBJ) $(O)/libxlat464sys.a $(O)/libxlat464.a $(LDLIBS_SYS)

# -MMD: a test that compiles an application source in (#include "../../src/...c") is rebuilt when it changes.
$(O)/tests/%: tests/unit/%.c $(O)/libxlat464.a $(O)/libxlat464sys.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -MMD -MP $(LDFLAGS) -o $@ $< $(O)/libxlat464sys.a $(O)/libxlat464.a -lcmocka $(LDLIBS_SYS)

# The kernel fast path against the userspace path (root; run by tests/netns/plat_bpf.sh).
$(O)/tests/offload_diff: tests/bpf/offload_diff.c tests/bpf/offload_compare.h $(O)/libxlat464.a $(O)/libxlat464sys.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(O)/libxlat464sys.a $(O)/libxlat464.a $(LDLIBS_SYS)

# The PLAT's TUN steering program against lib/nat64's split of the work (root; tests/netns/plat_workers.sh).
$(O)/tests/steer_diff: tests/bpf/steer_diff.c $(O)/libxlat464.a $(O)/libxlat464sys.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(O)/libxlat464sys.a $(O)/libxlat464.a $(LDLIBS_SYS)

# The CLAT's kernel fast path against its userspace path (root; run by tests/netns/clat_bpf.sh).
CLAT_DIFF_SRC := src/clat/translator.c src/clat/shared.c
$(O)/tests/clat_diff: tests/bpf/clat_diff.c tests/bpf/clat_check.h tests/bpf/offload_compare.h $(CLAT_DIFF_SRC) \
		$(O)/libxlat464.a $(O)/libxlat464sys.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(CLAT_DIFF_SRC) $(O)/libxlat464sys.a $(O)/libxlat464.a $(LDLIBS_SYS)

# IPv6 SYNs from many subscribers at a set rate: the PLAT's flood test.
$(O)/tests/synflood: tests/tools/synflood.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# Two TUNs joined back to back: the tests' stand-in for a raw-IP modem or PPP link.
$(O)/tests/tunrelay: tests/tools/tunrelay.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# test_settings compiles the SIIT settings parser in (it lives in src/, not in a library).
$(O)/tests/test_settings: src/common/siit_settings.c src/common/siit_settings.h src/common/settings_table.c src/common/value_parse.c
$(O)/tests/test_redact: src/cli/redact.c src/cli/redact.h
$(O)/tests/test_clat_config: src/clat/config.c src/clat/config.h src/common/settings_table.c src/common/value_parse.c
# test_siit_engine compiles the SIIT engine in.
$(O)/tests/test_siit_engine: src/common/siit_engine.c src/common/siit_engine.h
$(O)/tests/test_doctor: src/cli/doctor_judge.c src/cli/doctor_status.c src/cli/doctor.h src/common/siit_settings.c src/common/settings_table.c src/common/value_parse.c
$(O)/tests/test_dns64_synth: src/dns64/dns64_msg.c src/dns64/dns64_msg.h src/dns64/dns64_settings.c src/dns64/dns64_settings.h src/common/settings_table.c src/common/value_parse.c
$(O)/tests/test_plat_settings: src/plat/plat_settings.c src/plat/plat_settings.h src/plat/evlog.c src/plat/evlog.h src/common/settings_table.c src/common/value_parse.c

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

check: all unit

# The pure libraries may use libc only: no sockets, ioctls, files or kernel headers.
purity:
	@bad=$$(grep -nE '#include *<(sys/(socket|ioctl|epoll|stat|mman|types)|linux/|net/|netinet/|arpa/|unistd|fcntl|poll|pthread)' \
		$(foreach l,$(PURE_LIBS),$(wildcard lib/$(l)/*.[ch])) /dev/null || true); \
	if [ -n "$$bad" ]; then echo "purity: system header in a pure library:"; echo "$$bad"; exit 1; fi

# The stateless map's pool6 has a form derived for the fast path (pool6_fast, fast_one), so it is
# written only through xlat_siit_map_set_pool6 (lib/xlat/addr.c). A textual check, by the names the
# code uses: no assignment to a has_pool6 field or to a pool6 of something named ...map, no memcpy
# into one, no parser handed one.
lint-map:
	@bad=$$(grep -nE '(\.|->)has_pool6 *=[^=]|map(\.|->)pool6(\.addr|\.len|\.addr\[[^]]*\])? *=[^=]|memcpy\( *&?[a-z_>.-]*map(\.|->)pool6|parse[a-z0-9_]*\([^)]*&[a-z_>.-]*map(\.|->)pool6' \
		$$(find lib src tests fuzz bench -name '*.[ch]' ! -path lib/xlat/addr.c) /dev/null || true); \
	if [ -n "$$bad" ]; then echo "lint-map: pool6 written outside xlat_siit_map_set_pool6:"; echo "$$bad"; exit 1; fi

# The layers (docs/design.md): lib/ below src/, no daemon folder including another's, shared pieces
# in src/common/, src/cli/ on top; no two headers of one name.
lint-layers:
	@tests/tools/lint_layers.sh >/dev/null || tests/tools/lint_layers.sh

FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build-fuzz/%)
fuzz: $(FUZZ_BIN)
# Targets whose parser lives in an application folder name its source here.
FUZZ_EXTRA_fuzz_settings := src/common/siit_settings.c src/common/settings_table.c src/common/value_parse.c
FUZZ_EXTRA_fuzz_resolv := src/clat/prefix.c
FUZZ_EXTRA_fuzz_clat_shared := src/clat/shared.c
FUZZ_EXTRA_fuzz_clat_config := src/clat/config.c src/common/settings_table.c src/common/value_parse.c
FUZZ_EXTRA_fuzz_listen_addr := src/cli/listen_addr.c
FUZZ_EXTRA_fuzz_redact := src/cli/redact.c
FUZZ_EXTRA_fuzz_plat_settings := src/plat/plat_settings.c src/common/settings_table.c src/common/value_parse.c
FUZZ_EXTRA_fuzz_ra_config := src/common/settings_table.c src/common/value_parse.c
FUZZ_EXTRA_fuzz_dhcp4_settings := src/mostly/dhcp4_settings.c src/common/settings_table.c src/common/value_parse.c
FUZZ_EXTRA_fuzz_doctor := src/cli/doctor_status.c src/common/siit_settings.c src/common/settings_table.c src/common/value_parse.c
# Targets that link a library besides libc name it here.
FUZZ_LIBS_fuzz_doctor := -ljson-c
FUZZ_EXTRA_fuzz_dns64_msg := src/dns64/dns64_msg.c -lldns
FUZZ_EXTRA_fuzz_dns64_settings := src/dns64/dns64_settings.c src/common/settings_table.c src/common/value_parse.c
FUZZ_EXTRA_fuzz_status_text := src/cli/status_text.c -ljson-c
# Targets link or #include application sources, so any source or header change rebuilds them.
build-fuzz/%: fuzz/%.c fuzz/*.h $(PURE_SRC) $(wildcard lib/*/*.h src/*/*.c src/*/*.h)
	@mkdir -p build-fuzz
	clang -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE -Ilib -Isrc \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $< $(PURE_SRC) $(FUZZ_EXTRA_$*) $(FUZZ_LIBS_$*)

# The kernel fast path's target runs the TC program (the object of the gcc build, built into the
# loader) with BPF_PROG_TEST_RUN: it links the loader and libbpf.
build-fuzz/fuzz_offload_bpf: fuzz/fuzz_offload_bpf.c fuzz/*.h tests/bpf/offload_compare.h $(PURE_SRC) \
		$(wildcard lib/*/*.h) lib/sys/nat64_offload.c lib/sys/tc.c lib/sys/bpfobj.c $(O)/bpf/nat64_offload.bpf.o
	@mkdir -p build-fuzz
	clang -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE -Ilib -Isrc \
		-DXLAT464_BPF_OBJ='"$(abspath $(O)/bpf/nat64_offload.bpf.o)"' \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $< $(PURE_SRC) lib/sys/nat64_offload.c \
		lib/sys/tc.c lib/sys/bpfobj.c -lbpf

# The CLAT's kernel fast path likewise: its two TC programs against src/clat/translator.c.
# The steering program with BPF_PROG_TEST_RUN: it links the loader and libbpf.
build-fuzz/fuzz_steer_bpf: fuzz/fuzz_steer_bpf.c fuzz/*.h $(PURE_SRC) $(wildcard lib/*/*.h) lib/sys/tun_steer.c \
		lib/sys/bpfobj.c $(O)/bpf/tun_steer.bpf.o
	@mkdir -p build-fuzz
	clang -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE -Ilib -Isrc \
		-DXLAT464_BPF_OBJ='"$(abspath $(O)/bpf/tun_steer.bpf.o)"' \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $< $(PURE_SRC) lib/sys/tun_steer.c \
		lib/sys/bpfobj.c -lbpf

build-fuzz/fuzz_clat_bpf: fuzz/fuzz_clat_bpf.c fuzz/*.h tests/bpf/clat_check.h tests/bpf/offload_compare.h $(PURE_SRC) \
		$(wildcard lib/*/*.h) lib/sys/clat_offload.c lib/sys/tc.c lib/sys/bpfobj.c $(CLAT_DIFF_SRC) $(O)/bpf/clat_offload.bpf.o
	@mkdir -p build-fuzz
	clang -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE -Ilib -Isrc \
		-DXLAT464_BPF_OBJ='"$(abspath $(O)/bpf/clat_offload.bpf.o)"' \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $< $(PURE_SRC) lib/sys/clat_offload.c \
		lib/sys/tc.c lib/sys/bpfobj.c $(CLAT_DIFF_SRC) -lbpf

# Per-packet cost of the core (bench/run.sh prints the table).
bench: $(O)/libxlat464.a
	$(MAKE) -C bench

# End-to-end CLAT throughput in namespaces beside plain IPv4 forwarding and TAYGA (root; bench/clat.sh).
bench-clat: $(O)/xlat464
	XLAT464=$(abspath $(O))/xlat464 bench/clat.sh

# Installs the binary, the systemd units (the CLAT's and the PLAT's, and templates per interface for
# ra and dhcp4), the NetworkManager dispatcher hook of the CLAT (docs/coexistence.md), the CLAT's
# example config (when there is none), the PLAT's example
# (plat.conf.example: its pool4 must be the operator's own) and ra's and dhcp4's, the lab's script
# (where `xlat464 lab` looks for it: BINDIR/../share/xlat464/lab.sh) and the man pages.
# UNITDIR: Debian 12 packages put units in /lib/systemd/system (debian/rules sets it).
PREFIX  ?= /usr/local
DESTDIR ?=
UNITDIR ?= $(PREFIX)/lib/systemd/system
MANDIR  ?= $(PREFIX)/share/man
# NetworkManager reads its dispatcher hooks from /usr/lib/NetworkManager/dispatcher.d and
# /etc/NetworkManager/dispatcher.d only: under PREFIX=/usr/local, link the hook into the latter.
NMDISPATCHDIR ?= $(PREFIX)/lib/NetworkManager/dispatcher.d
NMHOOK  := 90-xlat464-clat
UNITS   := xlat464-clat.service xlat464-plat.service xlat464-dns64.service xlat464-ra@.service xlat464-dhcp4@.service
EXAMPLES := plat.conf.example ra.env.example ra.conf.example dhcp4.env.example dhcp4.conf.example dns64.conf.example
MAN8    := $(wildcard man/*.8)
MAN5    := $(wildcard man/*.5)
install: $(O)/xlat464
	install -D -m 0755 $(O)/xlat464 $(DESTDIR)$(PREFIX)/bin/xlat464
	@set -e; for u in $(UNITS); do \
		echo "install dist/systemd/$$u $(DESTDIR)$(UNITDIR)/$$u"; \
		install -D -m 0644 dist/systemd/$$u $(DESTDIR)$(UNITDIR)/$$u; \
		sed -i 's|/usr/local/bin/xlat464|$(PREFIX)/bin/xlat464|' $(DESTDIR)$(UNITDIR)/$$u; \
	done
	@set -e; for e in $(EXAMPLES); do install -D -m 0644 dist/$$e $(DESTDIR)/etc/xlat464/$$e; done
	@if [ -e $(DESTDIR)/etc/xlat464/clat.conf ]; then echo "keeping $(DESTDIR)/etc/xlat464/clat.conf"; \
	else install -D -m 0644 dist/clat.conf $(DESTDIR)/etc/xlat464/clat.conf; fi
	install -D -m 0755 scripts/lab.sh $(DESTDIR)$(PREFIX)/share/xlat464/lab.sh
	install -D -m 0755 dist/networkmanager/$(NMHOOK) $(DESTDIR)$(NMDISPATCHDIR)/$(NMHOOK)
	install -d $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/xlat464 $(UNITS:%=$(DESTDIR)$(UNITDIR)/%) \
		$(EXAMPLES:%=$(DESTDIR)/etc/xlat464/%) $(DESTDIR)$(PREFIX)/share/xlat464/lab.sh \
		$(DESTDIR)$(NMDISPATCHDIR)/$(NMHOOK) \
		$(MAN8:man/%=$(DESTDIR)$(MANDIR)/man8/%) $(MAN5:man/%=$(DESTDIR)$(MANDIR)/man5/%)
	-rmdir $(DESTDIR)$(PREFIX)/share/xlat464 2>/dev/null

# The man pages' generated parts (the settings tables of README.md and docs/*.md, man/gen.py) are
# current, and groff has nothing to warn about in any page.
man-check:
	@man/gen.py --check
	@out=$$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l $(MAN8) $(MAN5) 2>&1 >/dev/null); \
	if [ -n "$$out" ]; then echo "man-check: groff warnings:"; echo "$$out"; exit 1; fi

clean:
	rm -rf build build-san build-fuzz build-clang

-include $(PURE_OBJ:.o=.d) $(SYS_OBJ:.o=.d) $(APP_OBJ:.o=.d) $(UNIT_BIN:=.d)
