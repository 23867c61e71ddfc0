#!/bin/bash
# Installs what building and testing xlat464 needs on Debian 12, only what is missing: man-db checks
# the man pages, debhelper, fakeroot and lintian build and check the Debian package, libmicrohttpd
# serves `xlat464 metrics --listen`, prometheus brings promtool (tests/netns/metrics.sh), json-c
# parses the daemons' status for `xlat464 status`, `metrics` and `doctor`, dig queries DNS64s, and
# libarchive writes `xlat464 report`'s tar.gz; isc-dhcp-relay is tests/netns/dhcp4_relay.sh's relay.
set -euo pipefail
pkgs=(build-essential clang libclang-rt-14-dev libmnl-dev libpcap-dev libcmocka-dev libbpf-dev pkg-config
      python3-scapy iproute2 iputils-ping traceroute tcpdump iperf3 curl socat netcat-openbsd
      nftables tayga radvd unbound dhcpcd-base udhcpc valgrind procps dnsmasq-base ethtool bird2 tshark isc-dhcp-relay
      man-db debhelper fakeroot lintian libmicrohttpd-dev prometheus libseccomp-dev libjson-c-dev bind9-dnsutils libldns-dev
      libarchive-dev)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: everything is installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages (${missing[*]}); run as root to install them" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark (the IPFIX decoder of tests/netns/plat_ipfix.sh) asks whether non-root users may capture:
# they may not; the tests run as root.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# bird2 enables bird.service on install (on a machine without systemd, policy-rc.d or no init, it is
# not started). The lab and tests/netns/plat_ecmp.sh never use it: they start their own BIRDs inside
# their namespaces, with their own configs and control sockets. It would only run Debian's sample
# config in the host's namespace, so a bird2 installed here is not left running.
if [[ " ${missing[*]} " == *" bird2 "* ]] && [ -d /run/systemd/system ]; then
	echo "install-deps: disabling bird.service (the lab runs its own BIRDs in its namespaces)"
	systemctl disable --now bird.service >/dev/null 2>&1 || true
fi
# prometheus enables prometheus.service on install (started where systemd runs, or through its
# init script where invoke-rc.d is allowed to). The tests only need its promtool; a Prometheus
# server scraping this machine is not theirs to leave running.
if [[ " ${missing[*]} " == *" prometheus "* ]]; then
	echo "install-deps: stopping and disabling the prometheus service (only promtool is used)"
	if [ -d /run/systemd/system ]; then
		systemctl disable --now prometheus.service >/dev/null 2>&1 || true
	else
		invoke-rc.d prometheus stop >/dev/null 2>&1 || true
		update-rc.d prometheus disable >/dev/null 2>&1 || true
	fi
fi
